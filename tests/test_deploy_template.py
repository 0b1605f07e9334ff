"""The AWS template, checked offline: SAM's own validation and lint, cfn-lint on the template after the SAM
transform, and the security properties the quality bar asks for (S3, S6), read from the translated template.

The SAM CLI and its translator live in their own environment (.tools/sam, `make sam-cli`); without it these
tests are skipped on a developer's machine and fail in CI (CI=true). Its start is slow (~5 s): it runs once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from cfnlint.decode import decode_str
from conftest import BuiltSite

from helpt_site.build import PROJECT_DIR
from helpt_site.deploy import TEMPLATE, load_settings, template_parameters
from helpt_site.lambda_bundle import BUNDLE_DIR, LAMBDA_PYTHON, ZIP_NAME

SAM_ENV = PROJECT_DIR / ".tools" / "sam" / "bin"
REGION = "eu-west-1"
# Offline: SAM needs a region and some credentials to start, never a real account.
OFFLINE_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_CONFIG_FILE": "/nonexistent",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    "SAM_CLI_TELEMETRY": "0",
}
# `sam package` puts the uploaded zip's S3 address in CodeUri; the translator wants one too.
TRANSLATE = """
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class NoManagedPolicies:  # the template names no AWS managed policy; nothing to look up in IAM
    def load(self):
        return {}

template = yaml_parse(open(sys.argv[1], encoding="utf-8").read())
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["CodeUri"] = "s3://artifacts/function.zip"
print(json.dumps(transform(template, {}, NoManagedPolicies())))
"""
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the template checks must run)", pytrace=False)
    pytest.skip(message)


def sam_tool(name: str) -> Path:
    tool = SAM_ENV / name
    if not tool.exists():
        unavailable(f"{tool} not found: `make sam-cli` installs the SAM CLI")
    return tool


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    """template.yaml after the SAM transform: plain CloudFormation."""
    command = [str(sam_tool("python")), "-c", TRANSLATE, str(TEMPLATE)]
    completed = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **OFFLINE_ENV})
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    template, problems = decode_str(TEMPLATE.read_text(encoding="utf-8"))
    assert not problems
    return template


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == kind}


def one(template: dict[str, Any], kind: str) -> dict[str, Any]:
    found = resources(template, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))["Properties"]


def default(template: dict[str, Any], value: Any) -> Any:
    """A value, or the default of the parameter it refers to."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in template.get("Parameters", {}):
        return template["Parameters"][value["Ref"]]["Default"]
    return value


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def branches(value: Any) -> list[Any]:
    """Both values of an Fn::If, or the value itself."""
    return value["Fn::If"][1:] if isinstance(value, dict) and "Fn::If" in value else [value]


def table_arns(value: Any) -> list[str]:
    """The submissions table's ARN in a policy: the stack's own table, or the one restored from a backup."""
    return [json.dumps(arn) if "Fn::GetAtt" in arn else text_of(arn) for arn in branches(value)]


OWN_TABLE = json.dumps({"Fn::GetAtt": ["SubmissionsTable", "Arn"]})
RESTORED_TABLE = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${RestoredTableName}"


def text_of(value: Any) -> str:
    """An ARN as written: a plain string, or the string inside Fn::Sub; other intrinsics as JSON."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return value if isinstance(value, str) else json.dumps(value)


# SAM's own check, and cfn-lint on what CloudFormation will really receive -------------------------------------


def test_sam_validate_lint_passes_offline() -> None:
    command = [str(sam_tool("sam")), "validate", "--lint", "--template-file", str(TEMPLATE), "--region", REGION]
    completed = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **OFFLINE_ENV}, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "is a valid SAM Template" in completed.stdout


def test_cfn_lint_finds_nothing_in_the_translated_template(translated: dict[str, Any]) -> None:
    matches = lint(json.dumps(translated, indent=1), config=ManualArgs(regions=[REGION]))
    assert [str(match) for match in matches] == []


# What the template must say ------------------------------------------------------------------------------------


def test_the_api_has_only_the_form_post_its_confirmation_and_the_card_check(translated: dict[str, Any]) -> None:
    api = one(translated, "AWS::ApiGatewayV2::Api")
    # The back office's /staff routes go to its own function (tests/test_deploy_backoffice.py); the card check
    # page's GET routes are checked in tests/test_card_check_template.py.
    routes = {path: sorted(methods) for path, methods in api["Body"]["paths"].items() if not path.startswith("/staff")}
    assert routes == {"/api/{form}": ["post"], "/api/{form}/confirmation": ["get"], "/controle": ["get"],
                      "/check": ["get"], "/{lang}/controle": ["get"], "/{lang}/check": ["get"]}  # fmt: skip
    assert not resources(translated, "AWS::ApiGatewayV2::Route"), "no route beside those in the API's body"
    assert "CorsConfiguration" not in api, "same origin through CloudFront: no CORS"
    permissions = resources(translated, "AWS::Lambda::Permission").values()
    intake = [p for p in permissions if p["Properties"]["FunctionName"] == {"Ref": "IntakeFunction"}]
    assert sorted(text_of(p["Properties"]["SourceArn"]).rsplit("}/", 1)[1] for p in intake) == [
        "GET/*/check",
        "GET/*/controle",
        "GET/api/*/confirmation",
        "GET/check",
        "GET/controle",
        "POST/api/*",
    ]


def test_the_function_may_only_write_its_log_and_put_submissions(translated: dict[str, Any]) -> None:
    function = translated["Resources"]["IntakeFunction"]["Properties"]
    role_name = function["Role"]["Fn::GetAtt"][0]
    role = translated["Resources"][role_name]["Properties"]
    assert "ManagedPolicyArns" not in role, "no managed policies: SAM's basic execution role logs to any group"
    granted = [s for policy in role["Policies"] for s in statements(policy["PolicyDocument"])]
    # The card check's two statements are read in tests/test_card_check_template.py.
    granted = [s for s in granted if s.get("Sid") not in ("CheckCardCodes", "CountCardChecks")]
    actions = sorted(action for s in granted for action in listed(s["Action"]))
    assert actions == sorted(
        ["logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem",
         "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    )  # fmt: skip
    assert all(s["Effect"] == "Allow" and "*" not in action for s in granted for action in listed(s["Action"]))
    for statement in granted:
        for resource in [arn for value in listed(statement["Resource"]) for arn in branches(value)]:
            arn = text_of(resource)
            assert arn != "*", statement
            assert "*" not in arn.removesuffix(":log-stream:*"), f"wildcard in {arn}"
    put = next(s for s in granted if s["Action"] == "dynamodb:PutItem")
    assert table_arns(put["Resource"]) == [RESTORED_TABLE, OWN_TABLE]
    assert put["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == ["SUB#*", "QUARANTINE#*",
                                                                                    "FINGERPRINT#*"]  # fmt: skip
    for reader in (s for s in granted if "dynamodb:GetItem" in listed(s["Action"])):
        assert sorted(listed(reader["Action"])) == ["dynamodb:DeleteItem", "dynamodb:GetItem"]
        assert reader["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == ["FINGERPRINT#*"], (
            "the intake reads and removes only fingerprints, never a submission"
        )
    key_use = next(s for s in granted if "kms:Decrypt" in listed(s["Action"]))
    assert key_use["Resource"] == {"Fn::GetAtt": ["SubmissionsKey", "Arn"]}
    assert text_of(key_use["Condition"]["StringEquals"]["kms:ViaService"]).startswith("dynamodb.")


def test_the_staff_policy_exports_and_erases_but_cannot_change_or_delete_the_export_log(
    translated: dict[str, Any],
) -> None:
    policy = one(translated, "AWS::IAM::ManagedPolicy")
    # The verifications' statement (VERIFY#, CARDCODE#) is read in tests/test_card_check_template.py.
    granted = [s for s in statements(policy["PolicyDocument"]) if s.get("Sid") != "KeepVerifications"]
    by_action = {action: s for s in granted for action in listed(s["Action"])}
    assert set(by_action) == {
        "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PutItem", "dynamodb:UpdateItem",
        "dynamodb:DeleteItem", "lambda:InvokeFunction",
        "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey",
    }  # fmt: skip
    queried = {arn for value in listed(by_action["dynamodb:Query"]["Resource"]) for arn in table_arns(value)}
    assert queried == {OWN_TABLE, RESTORED_TABLE, "${SubmissionsTable.Arn}/index/form-created",
                       RESTORED_TABLE.replace("${RestoredTableName}", "${Table}") + "/index/form-created"}  # fmt: skip
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert table_arns(by_action[action]["Resource"]) == [RESTORED_TABLE, OWN_TABLE]
    deletable = by_action["dynamodb:DeleteItem"]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert deletable == ["SUB#*", "QUARANTINE#*", "FINGERPRINT#*"], "the export log (EXPORT#) is not erasable"
    puttable = by_action["dynamodb:PutItem"]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert puttable == ["SUB#*", "ACCOUNT#*"], "`helpt accounts`; never SESSION#, and the logs only through a function"
    invoke = by_action["lambda:InvokeFunction"]
    assert invoke["Resource"] == {"Fn::GetAtt": ["StaffFunction", "Arn"]}, "the back office adds log entries for them"
    updatable = by_action["dynamodb:UpdateItem"]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert updatable == ["SUB#*"], "staff record progress on submissions, never on the export log"
    assert all("*" not in text_of(arn) for s in granted for r in listed(s["Resource"]) for arn in branches(r))
    assert "StaffPolicyArn" in translated["Outputs"]


def test_the_table_is_encrypted_with_a_rotating_customer_key_recoverable_and_expiring(
    translated: dict[str, Any],
) -> None:
    table = one(translated, "AWS::DynamoDB::Table")
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": {"Fn::GetAtt": ["SubmissionsKey", "Arn"]},
    }
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert 1 <= default(translated, table["PointInTimeRecoverySpecification"]["RecoveryPeriodInDays"]) <= 35
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["DeletionProtectionEnabled"] is True
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "form-created"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["form", "created_at"]
    assert translated["Resources"]["SubmissionsTable"]["DeletionPolicy"] == "Retain"
    assert translated["Resources"]["SubmissionsTable"]["Condition"] == "UseOwnTable", "a restored table can take over"
    key = translated["Resources"]["SubmissionsKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert statements(key["Properties"]["KeyPolicy"]), "the key has a key policy"
    assert key["DeletionPolicy"] == "Retain", "the backups need the key"


def test_the_site_bucket_is_private_and_only_the_distribution_reads_it(translated: dict[str, Any]) -> None:
    assert set(resources(translated, "AWS::S3::Bucket")) == {"SiteBucket", "ExportBucket"}
    bucket = translated["Resources"]["SiteBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values()) and len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    policy = translated["Resources"]["SiteBucketPolicy"]["Properties"]["PolicyDocument"]
    allows = [s for s in statements(policy) if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [{"Service": "cloudfront.amazonaws.com"}]
    # ListBucket too: without it S3 answers a missing page with 403, which CloudFront would then have to
    # turn into the site's 404 page for every path, the back office's own 403 pages included.
    assert allows[0]["Action"] == ["s3:GetObject", "s3:ListBucket"]
    assert "distribution/${Distribution}" in text_of(allows[0]["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert one(translated, "AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"]["SigningBehavior"] == (
        "always"
    )


def test_cloudfront_sends_api_requests_uncached_with_query_and_body_to_the_http_api(
    translated: dict[str, Any],
) -> None:
    config = one(translated, "AWS::CloudFront::Distribution")["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert ".execute-api." in text_of(origins[api["TargetOriginId"]]["DomainName"])
    assert {"GET", "POST"} <= set(api["AllowedMethods"])
    assert api["CachePolicyId"] == CACHING_DISABLED
    request_policy = one(translated, "AWS::CloudFront::OriginRequestPolicy")["OriginRequestPolicyConfig"]
    assert api["OriginRequestPolicyId"] == {"Ref": "ApiOriginRequestPolicy"}
    assert request_policy["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert "Content-Type" in request_policy["HeadersConfig"]["Headers"]
    assert request_policy["CookiesConfig"]["CookieBehavior"] == "none"
    site = origins[config["DefaultCacheBehavior"]["TargetOriginId"]]
    assert "OriginAccessControlId" in site and site["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    error_codes = {error["ErrorCode"] for error in config.get("CustomErrorResponses", [])}
    assert 503 not in error_codes, "the handler's problem pages keep answers: never replace them (test_deploy_edge)"


def test_every_response_carries_a_strict_csp_and_the_other_security_headers(translated: dict[str, Any]) -> None:
    headers = one(translated, "AWS::CloudFront::ResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    security = headers["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'" and directives["base-uri"] == "'none'"
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["ReferrerPolicy"]["ReferrerPolicy"] in ("no-referrer", "strict-origin-when-cross-origin")
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    config = one(translated, "AWS::CloudFront::Distribution")["DistributionConfig"]
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}


def test_published_pages_need_nothing_the_csp_forbids(leuven_published: BuiltSite) -> None:
    """No script, no inline style, no event handler, nothing from another origin: what `default-src 'none';
    style-src 'self'; img-src 'self'` allows is all the site uses."""
    own = ("/", leuven_published.siteurl + "/")
    for page in leuven_published.pages():
        soup = leuven_published.soup(page)
        assert not soup.find_all(["script", "style", "iframe", "object", "embed"]), page
        for element in soup.find_all(True):
            inline = [name for name in element.attrs if name == "style" or name.startswith("on")]
            assert not inline, f"{page}: <{element.name} {inline}>"
        loaded = [tag["src"] for tag in soup.find_all(src=True)]
        loaded += [tag["href"] for tag in soup.find_all("link", href=True) if "alternate" not in tag.get("rel", [])]
        assert all(url.startswith(own) for url in loaded), f"{page}: {loaded}"
        # Forms post to the API; the card check's GET form asks its own page (form-action 'self' either way).
        own_page = leuven_published.siteurl + leuven_published.url_path(page)
        for form in soup.find_all("form"):
            posts_to_api = form["action"].startswith(leuven_published.siteurl + "/api/")
            assert posts_to_api or (form["method"] == "get" and form["action"] == own_page), page


def test_throttling_reserved_concurrency_and_log_retention_are_set(translated: dict[str, Any]) -> None:
    stage = one(translated, "AWS::ApiGatewayV2::Stage")
    throttling = stage["DefaultRouteSettings"]
    assert default(translated, throttling["ThrottlingRateLimit"]) > 0
    assert default(translated, throttling["ThrottlingBurstLimit"]) > 0
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert "sourceIp" not in stage["AccessLogSettings"]["Format"], "no IP addresses in the access log"
    for name, group in (("IntakeFunction", "IntakeLogGroup"), ("StaffFunction", "StaffLogGroup"),
                        ("ExportWorkerFunction", "ExportWorkerLogGroup"), ("NotifyFunction", "NotifyLogGroup"),
                        ("BounceFunction", "BounceLogGroup")):  # fmt: skip
        function = translated["Resources"][name]["Properties"]
        assert default(translated, function["ReservedConcurrentExecutions"]) >= 1
        assert function["LoggingConfig"]["LogGroup"] == {"Ref": group}
    groups = resources(translated, "AWS::Logs::LogGroup")
    # The morning digest runs once a day: it needs no reserved share, and has its log group all the same.
    assert translated["Resources"]["DigestFunction"]["Properties"]["LoggingConfig"]["LogGroup"] == {
        "Ref": "DigestLogGroup"}  # fmt: skip
    assert set(groups) == {"IntakeLogGroup", "StaffLogGroup", "ApiAccessLogGroup", "ExportWorkerLogGroup",
                           "NotifyLogGroup", "BounceLogGroup", "DigestLogGroup"}  # fmt: skip
    assert all(default(translated, g["Properties"]["RetentionInDays"]) <= 365 for g in groups.values())


def test_the_domain_and_its_certificate_are_optional_and_go_together(translated: dict[str, Any]) -> None:
    parameters = translated["Parameters"]
    assert parameters["DomainName"]["Default"] == "" and parameters["CertificateArn"]["Default"] == ""
    pattern = parameters["CertificateArn"]["AllowedPattern"]
    certificate = "arn:aws:acm:{}:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    assert re.match(pattern, certificate.format("us-east-1"))
    assert not re.match(pattern, certificate.format("eu-west-1")), "CloudFront only takes us-east-1 certificates"
    assert {"DomainNeedsCertificate", "CertificateNeedsDomain"} <= set(translated["Rules"])
    config = one(translated, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert config["Aliases"]["Fn::If"][0] == "HasDomain"
    assert config["ViewerCertificate"]["Fn::If"][2] == {"CloudFrontDefaultCertificate": True}
    outputs = translated["Outputs"]
    assert {"SiteUrl", "DistributionId", "SiteBucketName", "TableName", "StaffPolicyArn"} <= set(outputs)


def test_the_template_runs_the_bundle_the_deploy_builds(source: dict[str, Any]) -> None:
    function = source["Resources"]["IntakeFunction"]["Properties"]
    assert function["Runtime"] == f"python{LAMBDA_PYTHON}"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "helpt.handler.lambda_handler"
    assert PROJECT_DIR / function["CodeUri"] == BUNDLE_DIR / ZIP_NAME
    assert function["Environment"]["Variables"]["HELPT_STORE"] == "dynamodb"


def test_samconfig_gives_every_template_parameter(leuven_published: BuiltSite) -> None:
    settings = load_settings(leuven_published.city)
    assert sorted(settings.parameters) == sorted(template_parameters(TEMPLATE))
    assert settings.region.startswith("eu-"), "residents' data stays in the EU"


# Exports from the back office (helpt.staff.web.export_delivery) ---------------------------------------------------


def test_exports_go_to_a_private_bucket_encrypted_with_the_citys_key_that_deletes_them_after_a_day(
    translated: dict[str, Any],
) -> None:
    bucket = translated["Resources"]["ExportBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}, "no ACLs"
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["SubmissionsKey", "Arn"]},
    }  # fmt: skip
    assert "VersioningConfiguration" not in bucket, "an expired export must not live on as an older version"
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] == 1
    assert "Prefix" not in rule and "Filter" not in rule, "every object of the bucket"
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}, "half-uploaded files too"
    policy = translated["Resources"]["ExportBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "ExportBucket"}
    (tls_only,) = statements(policy["PolicyDocument"])
    assert tls_only["Effect"] == "Deny" and tls_only["Action"] == "s3:*" and tls_only["Principal"] == "*"
    assert tls_only["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert [text_of(arn) for arn in tls_only["Resource"]] == [json.dumps({"Fn::GetAtt": ["ExportBucket", "Arn"]}),
                                                              "${ExportBucket.Arn}/*"]  # fmt: skip


def test_export_jobs_queue_for_the_worker_with_a_dead_letter_queue_and_a_page_that_waits_long_enough(
    translated: dict[str, Any], source: dict[str, Any]
) -> None:
    from helpt.staff.web import export_worker
    from helpt.staff.web.export_delivery import GIVE_UP_SECONDS

    queue = translated["Resources"]["ExportQueue"]["Properties"]
    dead_letters = translated["Resources"]["ExportDeadLetterQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["ExportDeadLetterQueue", "Arn"]},
                                      "maxReceiveCount": 2}  # fmt: skip
    assert queue["SqsManagedSseEnabled"] is True and dead_letters["SqsManagedSseEnabled"] is True
    worker = source["Resources"]["ExportWorkerFunction"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"], "AWS: six times the function's time-out"
    assert queue["VisibilityTimeout"] + worker["Timeout"] <= GIVE_UP_SECONDS, "the page waits for the retry"
    assert queue["MessageRetentionPeriod"] >= 2 * queue["VisibilityTimeout"], "time for both tries"
    assert worker["Handler"] == "helpt.staff.web.export_worker.lambda_handler" and export_worker.lambda_handler
    assert PROJECT_DIR / worker["CodeUri"] == BUNDLE_DIR / "staff.zip", "the back office's zip: openpyxl is in it"
    assert worker["Runtime"] == f"python{LAMBDA_PYTHON}" and worker["Architectures"] == ["arm64"]
    assert worker["Timeout"] <= 900 and 1 <= worker["ReservedConcurrentExecutions"] <= 5
    assert worker["Environment"]["Variables"]["HELPT_EXPORT_BUCKET"] == {"Ref": "ExportBucket"}
    assert worker["Environment"]["Variables"]["HELPT_EXPORT_KMS_KEY"] == {"Fn::GetAtt": ["SubmissionsKey", "Arn"]}
    # The NotifyFunction has its own mapping (tests/test_deploy_notify.py).
    (mapping,) = [m for m in resources(translated, "AWS::Lambda::EventSourceMapping").values()
                  if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": ["ExportQueue", "Arn"]}]  # fmt: skip
    assert mapping["Properties"]["FunctionName"] == {"Ref": "ExportWorkerFunction"}
    assert mapping["Properties"]["BatchSize"] == 1
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    staff = translated["Resources"]["StaffFunction"]
    assert staff["Properties"]["Environment"]["Variables"]["HELPT_EXPORT_BUCKET"] == {"Ref": "ExportBucket"}
    assert staff["Properties"]["Environment"]["Variables"]["HELPT_EXPORT_QUEUE_URL"] == {"Ref": "ExportQueue"}
    assert "StaffExportDeliveryPolicy" in listed(staff["DependsOn"]), "its rights are there before it runs"


def _granted_by_sid(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    granted = statements(document)
    assert all(s["Effect"] == "Allow" and "*" not in action for s in granted for action in listed(s["Action"]))
    return {statement["Sid"]: statement for statement in granted}


def _objects(statement: dict[str, Any]) -> list[str]:
    return [text_of(arn) for arn in listed(statement["Resource"])]


def test_the_export_worker_reads_the_table_adds_to_the_export_log_takes_its_jobs_and_writes_files_only(
    translated: dict[str, Any],
) -> None:
    from helpt.staff.web.export_delivery import FAILURES, FILES

    role_name = translated["Resources"]["ExportWorkerFunction"]["Properties"]["Role"]["Fn::GetAtt"][0]
    role = translated["Resources"][role_name]["Properties"]
    assert "ManagedPolicyArns" not in role
    (policy,) = role["Policies"]
    by_sid = _granted_by_sid(policy["PolicyDocument"])
    actions = {sid: sorted(listed(s["Action"])) for sid, s in by_sid.items()}
    assert actions == {
        "WriteOwnLog": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "ReadSubmissionsOfAForm": ["dynamodb:Query"],
        "ReadTheMatches": ["dynamodb:Scan"],
        "AddToTheExportLog": ["dynamodb:PutItem"],
        "UseTableKeyThroughDynamoDB": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        "TakeExportJobs": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
        "WriteExportFiles": ["s3:PutObject"],
        "UseTableKeyThroughS3": ["kms:Decrypt", "kms:GenerateDataKey"],
    }, "no UpdateItem or DeleteItem on records, no GetObject on the bucket, no other queue"
    assert by_sid["AddToTheExportLog"]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == ["EXPORT#*"]
    assert table_arns(by_sid["AddToTheExportLog"]["Resource"]) == [RESTORED_TABLE, OWN_TABLE]
    assert [text_of(arn) for arn in branches(by_sid["ReadSubmissionsOfAForm"]["Resource"])][1] == (
        "${SubmissionsTable.Arn}/index/form-created"
    )
    assert _objects(by_sid["WriteExportFiles"]) == [
        f"${{ExportBucket.Arn}}/{FILES}*",
        f"${{ExportBucket.Arn}}/{FAILURES}*",
    ]
    assert by_sid["TakeExportJobs"]["Resource"] == {"Fn::GetAtt": ["ExportQueue", "Arn"]}
    assert text_of(by_sid["UseTableKeyThroughS3"]["Condition"]["StringEquals"]["kms:ViaService"]).startswith("s3.")
    assert all("ExportWorkerLogGroup" in json.dumps(arn) for arn in by_sid["WriteOwnLog"]["Resource"])


def test_the_back_office_may_queue_exports_mark_them_and_hand_over_links_and_nothing_more_of_the_bucket(
    translated: dict[str, Any],
) -> None:
    from helpt.staff.web.export_delivery import FAILURES, FILES, JOBS

    # Beside the notification policies (tests/test_deploy_notify.py), which grant nothing of the bucket.
    assert set(resources(translated, "AWS::IAM::Policy")) == {"StaffExportDeliveryPolicy", "NotifyQueuePolicy",
                                                              "StaffNotifyMarksPolicy"}  # fmt: skip
    policy = translated["Resources"]["StaffExportDeliveryPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": "StaffRole"}], "the back office's role, and no other"
    by_sid = _granted_by_sid(policy["PolicyDocument"])
    actions = {sid: sorted(listed(s["Action"])) for sid, s in by_sid.items()}
    assert actions == {
        "QueueExportJobs": ["sqs:SendMessage"],
        "MarkExportJobs": ["s3:PutObject"],
        "LookAtExportsAndSignLinks": ["s3:GetObject"],
        "MissingExportsAre404": ["s3:ListBucket"],
        "UseTableKeyThroughS3": ["kms:Decrypt", "kms:GenerateDataKey"],
    }
    assert by_sid["QueueExportJobs"]["Resource"] == {"Fn::GetAtt": ["ExportQueue", "Arn"]}
    assert _objects(by_sid["MarkExportJobs"]) == [f"${{ExportBucket.Arn}}/{JOBS}*"], "it cannot write a file"
    assert _objects(by_sid["LookAtExportsAndSignLinks"]) == [
        f"${{ExportBucket.Arn}}/{prefix}*" for prefix in (JOBS, FILES, FAILURES)
    ]
    assert by_sid["MissingExportsAre404"]["Resource"] == {"Fn::GetAtt": ["ExportBucket", "Arn"]}
    assert by_sid["UseTableKeyThroughS3"]["Resource"] == {"Fn::GetAtt": ["SubmissionsKey", "Arn"]}
    assert {"ExportBucketName", "ExportDeadLetterQueueUrl"} <= set(translated["Outputs"])
