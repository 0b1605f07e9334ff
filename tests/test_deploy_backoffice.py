"""The back office in the AWS template, checked offline (B1, B2, S6): its own function and role on the same API,
Cognito with MFA or the city's own identity provider through it, and a CloudFront behaviour that caches nothing.

Read from template.yaml after the SAM transform (tests/test_deploy_template.py's fixture and helpers, which need
the SAM CLI in .tools/sam: `make sam-cli`; without it these tests are skipped, and fail in CI).
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import test_deploy_template as deploy_template
from cfnlint.api import ManualArgs, lint
from test_deploy_template import (
    CACHING_DISABLED,
    OFFLINE_ENV,
    OWN_TABLE,
    REGION,
    RESTORED_TABLE,
    branches,
    default,
    listed,
    one,
    resources,
    sam_tool,
    statements,
    table_arns,
    text_of,
)

from helpt.settings import load_city
from helpt.staff.web.app import load_views, routes
from helpt.staff.web.pages import CONTENT_SECURITY_POLICY
from helpt_site.build import PROJECT_DIR
from helpt_site.deploy import TEMPLATE, load_settings
from helpt_site.lambda_bundle import BUNDLE_DIR, LAMBDA_PYTHON, STAFF_ZIP_NAME, ZIP_NAME

# The same fixtures as tests/test_deploy_template.py: the template after the SAM transform, and as written.
translated = deploy_template.translated
source = deploy_template.source

# Managed-AllViewerExceptHostHeader: every cookie, every query string, every viewer header but Host.
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
RESTORED_INDEX = RESTORED_TABLE.replace("${RestoredTableName}", "${Table}") + "/index/form-created"
OWN_INDEX = "${SubmissionsTable.Arn}/index/form-created"
LOGS = ("AUDIT#*", "EXPORT#*")
CALLBACK = "/staff/auth/callback"
ENTRA = {
    "IdentityProviderIssuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
    "IdentityProviderClientId": "11111111-1111-1111-1111-111111111111",
    "IdentityProviderSecretName": "leuven-helpt/entra-client-secret",
    "IdentityProviderMetadataUrl": "https://login.microsoftonline.com/x/federationmetadata/2007-06/federationmetadata.xml",
}


def role_statements(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    role_name = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    role = template["Resources"][role_name]["Properties"]
    assert "ManagedPolicyArns" not in role, f"{role_name}: no managed policies (SAM's basic role logs anywhere)"
    return [statement for policy in role["Policies"] for statement in statements(policy["PolicyDocument"])]


def leading_keys(statement: dict[str, Any]) -> list[str] | None:
    return statement.get("Condition", {}).get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys")


def granting(granted: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [statement for statement in granted if action in listed(statement["Action"])]


def evaluate(condition: Any, parameters: dict[str, str]) -> Any:
    """A Rules assertion or condition, worked out for these parameter values (the few intrinsics Rules use)."""
    if isinstance(condition, dict):
        ((name, argument),) = condition.items()
        if name == "Ref":
            return parameters[argument]
        values = [evaluate(value, parameters) for value in argument]
        return {"Fn::Equals": lambda: values[0] == values[1], "Fn::Not": lambda: not values[0],
                "Fn::And": lambda: all(values), "Fn::Or": lambda: any(values)}[name]()  # fmt: skip
    return condition


def broken_rules(template: dict[str, Any], **values: str) -> list[str]:
    """The Rules CloudFormation would refuse the stack with, for parameters = defaults + values."""
    parameters = {name: str(p.get("Default", "")) for name, p in template["Parameters"].items()} | values
    return sorted(
        name
        for name, rule in template["Rules"].items()
        if evaluate(rule.get("RuleCondition", True), parameters)
        and not all(evaluate(assertion["Assert"], parameters) for assertion in rule["Assertions"])
    )


# SAM's own check, and cfn-lint on the translated template with each way of signing in ----------------------


def test_sam_validate_lint_passes_offline() -> None:
    command = [str(sam_tool("sam")), "validate", "--lint", "--template-file", str(TEMPLATE), "--region", REGION]
    completed = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **OFFLINE_ENV}, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "is a valid SAM Template" in completed.stdout


def test_cfn_lint_finds_nothing_whichever_way_staff_sign_in(translated: dict[str, Any]) -> None:
    for sign_in in ("cognito", "oidc", "saml"):
        settings = ManualArgs(regions=[REGION], template_parameters=[{"StaffSignIn": sign_in, **ENTRA}])
        assert [str(match) for match in lint(json.dumps(translated, indent=1), config=settings)] == [], sign_in


# The function ---------------------------------------------------------------------------------------------------


def test_the_back_office_is_its_own_function_zip_and_log_on_the_same_api(
    translated: dict[str, Any], source: dict[str, Any]
) -> None:
    written = source["Resources"]["StaffFunction"]["Properties"]
    assert written["Handler"] == "helpt.staff.web.handler.lambda_handler"
    assert PROJECT_DIR / written["CodeUri"] == BUNDLE_DIR / STAFF_ZIP_NAME
    assert PROJECT_DIR / source["Resources"]["IntakeFunction"]["Properties"]["CodeUri"] == BUNDLE_DIR / ZIP_NAME
    assert written["Runtime"] == f"python{LAMBDA_PYTHON}" and written["Architectures"] == ["arm64"]
    assert written["Timeout"] < 30, "HTTP API waits 30 s at most"
    function = translated["Resources"]["StaffFunction"]["Properties"]
    assert 1 <= default(translated, function["ReservedConcurrentExecutions"]) <= 10
    assert function["Role"] == {"Fn::GetAtt": ["StaffRole", "Arn"]}
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "StaffLogGroup"}
    group = translated["Resources"]["StaffLogGroup"]["Properties"]
    assert default(translated, group["RetentionInDays"]) <= 365
    assert function["Environment"]["Variables"]["HELPT_STORE"] == "dynamodb"

    (api,) = resources(translated, "AWS::ApiGatewayV2::Api").values()
    paths = api["Properties"]["Body"]["paths"]
    for path in ("/staff", "/staff/{proxy+}"):
        (integration,) = [m["x-amazon-apigateway-integration"] for m in paths[path].values()]
        assert list(paths[path]) == ["x-amazon-apigateway-any-method"]
        assert "StaffFunction.Arn" in text_of(integration["uri"]) and integration["payloadFormatVersion"] == "2.0"
    for path in ("/api/{form}", "/api/{form}/confirmation"):
        (integration,) = [m["x-amazon-apigateway-integration"] for m in paths[path].values()]
        assert "IntakeFunction.Arn" in text_of(integration["uri"]), "the public routes stay the form handler's"
    invoked = {
        text_of(p["Properties"]["SourceArn"]).rsplit("}/", 1)[1]: p["Properties"]["FunctionName"]
        for p in resources(translated, "AWS::Lambda::Permission").values()
        if "}/" in text_of(p["Properties"]["SourceArn"])  # the API's routes (the BounceFunction's is its topic)
    }
    assert {route: name["Ref"] for route, name in invoked.items() if "staff" in route} == {
        "*/staff": "StaffFunction",
        "*/staff/*": "StaffFunction",
    }


def test_the_callback_the_template_registers_is_the_route_the_back_office_serves(translated: dict[str, Any]) -> None:
    load_views()
    route, _params, _methods = routes.find("GET", CALLBACK)
    assert route is not None and route.pattern == CALLBACK
    (callback,) = translated["Resources"]["StaffUserPoolClient"]["Properties"]["CallbackURLs"]
    assert [text_of(url) for url in branches(callback)] == [
        f"https://${{DomainName}}{CALLBACK}",
        f"https://${{Distribution.DomainName}}{CALLBACK}",
    ]


# The role ------------------------------------------------------------------------------------------------------


def test_the_back_office_role_allows_exactly_its_calls_and_never_changes_the_audit_or_export_log(
    translated: dict[str, Any],
) -> None:
    # The verifications' own statement is read in tests/test_card_check_template.py.
    granted = [s for s in role_statements(translated, "StaffFunction") if s.get("Sid") != "KeepVerifications"]
    actions = sorted(action for s in granted for action in listed(s["Action"]))
    assert actions == sorted(
        ["logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
         "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "kms:Encrypt", "kms:Decrypt",
         "kms:GenerateDataKey", "secretsmanager:GetSecretValue"]
    ), "no BatchWriteItem, TransactWriteItems or PartiQL: nothing that gets round the key conditions"  # fmt: skip
    assert all(s["Effect"] == "Allow" and "*" not in action for s in granted for action in listed(s["Action"]))
    for statement in granted:
        for arn in (text_of(r) for value in listed(statement["Resource"]) for r in branches(value)):
            assert "*" not in arn.removesuffix(":log-stream:*"), f"wildcard in {arn}"

    (read,) = granting(granted, "dynamodb:GetItem")
    assert table_arns(read["Resource"]) == [RESTORED_TABLE, OWN_TABLE]
    assert leading_keys(read) == ["SUB#*", "QUARANTINE#*", "ACCOUNT#*", "SESSION#*"]
    (query,) = granting(granted, "dynamodb:Query")
    assert [text_of(arn) for arn in branches(query["Resource"])] == [RESTORED_INDEX, OWN_INDEX], "the index only"
    (scan,) = granting(granted, "dynamodb:Scan")
    assert table_arns(scan["Resource"]) == [RESTORED_TABLE, OWN_TABLE]
    (put,) = granting(granted, "dynamodb:PutItem")
    assert sorted(leading_keys(put)) == sorted(["ACCOUNT#*", "SESSION#*", "AUDIT#*", "EXPORT#*", "SUB#*"])
    (update,) = granting(granted, "dynamodb:UpdateItem")
    assert leading_keys(update) == ["SUB#*"], "case work goes into the submission's history"
    (delete,) = granting(granted, "dynamodb:DeleteItem")
    assert leading_keys(delete) == ["SESSION#*", "FINGERPRINT#*"], "sign-out, and a finished request's fingerprint"
    for statement in [*granting(granted, "dynamodb:UpdateItem"), *granting(granted, "dynamodb:DeleteItem")]:
        keys = leading_keys(statement)
        assert keys and not set(keys) & set(LOGS), "the audit and export logs are never changed or deleted"
        assert table_arns(statement["Resource"]) == [RESTORED_TABLE, OWN_TABLE]
    for statement in granting(granted, "dynamodb:PutItem"):
        assert table_arns(statement["Resource"]) == [RESTORED_TABLE, OWN_TABLE]

    (key_use,) = granting(granted, "kms:Decrypt")
    assert key_use["Resource"] == {"Fn::GetAtt": ["SubmissionsKey", "Arn"]}
    assert text_of(key_use["Condition"]["StringEquals"]["kms:ViaService"]).startswith("dynamodb.")
    (secret,) = granting(granted, "secretsmanager:GetSecretValue")
    name = translated["Resources"]["StaffSignInSecret"]["Properties"]["Name"]
    assert text_of(secret["Resource"]).endswith(f":secret:{text_of(name)}-??????"), "its own secret, by name"
    variables = translated["Resources"]["StaffFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["HELPT_OIDC_SECRET_ID"] == name
    (logs,) = granting(granted, "logs:PutLogEvents")
    assert all("StaffLogGroup" in json.dumps(arn) for arn in logs["Resource"]), "its own log group only"


def test_the_form_handler_keeps_its_role_and_its_zip(translated: dict[str, Any]) -> None:
    """The intake's rights exactly as before the back office: put submissions, recognise repeats, nothing else."""
    granted = role_statements(translated, "IntakeFunction")
    # The card check's two statements are read in tests/test_card_check_template.py.
    by_sid = {s["Sid"]: s for s in granted if s["Sid"] not in ("CheckCardCodes", "CountCardChecks")}
    assert sorted(by_sid) == ["PutNewSubmissions", "RecogniseRepeats", "UseTableKeyThroughDynamoDB", "WriteOwnLog"]
    assert by_sid["PutNewSubmissions"]["Action"] == "dynamodb:PutItem"
    assert leading_keys(by_sid["PutNewSubmissions"]) == ["SUB#*", "QUARANTINE#*", "FINGERPRINT#*"]
    assert sorted(by_sid["RecogniseRepeats"]["Action"]) == ["dynamodb:DeleteItem", "dynamodb:GetItem"]
    assert leading_keys(by_sid["RecogniseRepeats"]) == ["FINGERPRINT#*"]
    assert all("IntakeLogGroup" in json.dumps(arn) for arn in by_sid["WriteOwnLog"]["Resource"])
    intake = translated["Resources"]["IntakeFunction"]["Properties"]
    assert intake["Role"] == {"Fn::GetAtt": ["IntakeRole", "Arn"]}
    assert not [name for name in intake["Environment"]["Variables"] if name.startswith("HELPT_OIDC")]
    assert intake["Handler"] == "helpt.handler.lambda_handler"


# CloudFront ----------------------------------------------------------------------------------------------------


def test_cloudfront_sends_staff_pages_uncached_with_cookies_query_and_headers(translated: dict[str, Any]) -> None:
    config = one(translated, "AWS::CloudFront::Distribution")["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    (staff,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/staff/*"]
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert staff["TargetOriginId"] == api["TargetOriginId"], "the same API origin as the forms"
    assert ".execute-api." in text_of(origins[staff["TargetOriginId"]]["DomainName"])
    assert staff["CachePolicyId"] == CACHING_DISABLED
    assert staff["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER, "cookies, query strings and headers"
    assert {"GET", "HEAD", "POST"} <= set(staff["AllowedMethods"])
    assert staff["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
    assert staff["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}
    # CloudFront's error pages apply to every behaviour: the back office's 403 ("you cannot do this") and its 503
    # pages that keep what staff typed must reach the browser as they are (the edge's own 5xx: test_deploy_edge).
    assert {error["ErrorCode"] for error in config["CustomErrorResponses"]}.isdisjoint({403, 503})
    policy = translated["Resources"]["SiteBucketPolicy"]["Properties"]["PolicyDocument"]
    (reads,) = [s for s in statements(policy) if s["Effect"] == "Allow"]
    assert "s3:ListBucket" in listed(reads["Action"]), "without it a missing page is a 403, not a 404"


def test_the_back_office_pages_need_nothing_the_distributions_csp_forbids(translated: dict[str, Any]) -> None:
    headers = one(translated, "AWS::CloudFront::ResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    distribution = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert distribution.split() == CONTENT_SECURITY_POLICY.split(), "CloudFront overrides the pages' own CSP"


# Sign-in --------------------------------------------------------------------------------------------------------


def test_the_user_pool_requires_mfa_admin_created_accounts_and_strong_passwords(translated: dict[str, Any]) -> None:
    pool = translated["Resources"]["StaffUserPool"]
    properties = pool["Properties"]
    assert properties["MfaConfiguration"] == "ON", "OPTIONAL would let an account sign in without a second factor"
    assert properties["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"], "codes from an app, no SMS"
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True, "no sign-up"
    passwords = properties["Policies"]["PasswordPolicy"]
    assert passwords["MinimumLength"] >= 12 and passwords["TemporaryPasswordValidityDays"] <= 7
    assert all(passwords[f"Require{kind}"] is True for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))
    assert properties["DeletionProtection"] == "ACTIVE" and pool["DeletionPolicy"] == "Retain"
    domain = translated["Resources"]["StaffUserPoolDomain"]["Properties"]
    assert domain["UserPoolId"] == {"Ref": "StaffUserPool"}


def test_the_back_office_is_a_confidential_code_flow_client_of_the_pool(translated: dict[str, Any]) -> None:
    client = translated["Resources"]["StaffUserPoolClient"]["Properties"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthScopes"] == ["openid", "email"]
    assert client["GenerateSecret"] is True
    assert client["IdTokenValidity"] <= 60 and client["TokenValidityUnits"]["IdToken"] == "minutes"
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    variables = translated["Resources"]["StaffFunction"]["Properties"]["Environment"]["Variables"]
    assert (
        text_of(variables["HELPT_OIDC_ISSUER"])
        == "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${StaffUserPool}"
    )
    # The secret the function reads: the client's id and secret and the callback, plus a generated state key.
    generated = translated["Resources"]["StaffSignInSecret"]["Properties"]["GenerateSecretString"]
    template, values = generated["SecretStringTemplate"]["Fn::Sub"]
    assert json.loads(template) == {"client_id": "${StaffUserPoolClient}", "redirect_uri": "${Callback}",
                                    "client_secret": "${StaffUserPoolClient.ClientSecret}"}  # fmt: skip
    assert values["Callback"] == client["CallbackURLs"][0]
    assert generated["GenerateStringKey"] == "state_secret" and generated["PasswordLength"] >= 32


def test_staff_sign_in_with_cognito_or_the_citys_own_provider(translated: dict[str, Any]) -> None:
    parameters = translated["Parameters"]
    assert parameters["StaffSignIn"]["AllowedValues"] == ["cognito", "oidc", "saml"]
    assert parameters["StaffSignIn"]["Default"] == "cognito"
    assert not [name for name, p in parameters.items() if "Secret" in name and not name.endswith("SecretName")], (
        "no secret is a template parameter (it would sit in samconfig.toml)"
    )
    resources_ = translated["Resources"]
    oidc, saml = resources_["CityOidcProvider"], resources_["CitySamlProvider"]
    assert (oidc["Condition"], oidc["Properties"]["ProviderType"]) == ("OidcSignIn", "OIDC")
    assert oidc["Properties"]["ProviderDetails"]["oidc_issuer"] == {"Ref": "IdentityProviderIssuer"}
    assert text_of(oidc["Properties"]["ProviderDetails"]["client_secret"]).startswith("{{resolve:secretsmanager:")
    assert (saml["Condition"], saml["Properties"]["ProviderType"]) == ("SamlSignIn", "SAML")
    assert saml["Properties"]["ProviderDetails"]["MetadataURL"] == {"Ref": "IdentityProviderMetadataUrl"}
    for provider in (oidc, saml):
        assert provider["Properties"]["AttributeMapping"]["email_verified"] == {"Ref": "IdentityProviderVerifiedClaim"}

    # One way in: with the city's provider, the pool's own accounts can no longer sign in.
    chosen = translated["Resources"]["StaffUserPoolClient"]["Properties"]["SupportedIdentityProviders"]
    assert chosen["Fn::If"][0] == "OidcSignIn" and chosen["Fn::If"][1][0]["Fn::Select"][1][0] == "CityOIDC"
    assert chosen["Fn::If"][2]["Fn::If"][0] == "SamlSignIn"
    assert chosen["Fn::If"][2]["Fn::If"][1][0]["Fn::Select"][1][0] == "CitySAML"
    assert chosen["Fn::If"][2]["Fn::If"][2] == ["COGNITO"]
    direct = translated["Resources"]["StaffFunction"]["Properties"]["Environment"]["Variables"]
    assert direct["HELPT_OIDC_IDENTITY_PROVIDER"]["Fn::If"][1] == "CityOIDC", "straight to the city's provider"

    assert broken_rules(translated) == [], "the defaults deploy"
    assert broken_rules(translated, StaffSignIn="oidc") == ["OidcSignInNeedsTheProvider"]
    assert broken_rules(translated, StaffSignIn="oidc", **{**ENTRA, "IdentityProviderSecretName": ""}) == [
        "OidcSignInNeedsTheProvider"
    ]
    assert broken_rules(translated, StaffSignIn="oidc", **ENTRA) == []
    assert broken_rules(translated, StaffSignIn="saml") == ["SamlSignInNeedsTheMetadata"]
    assert broken_rules(translated, StaffSignIn="saml", **ENTRA) == []


def test_samconfig_gives_the_back_office_parameters_safe_defaults(translated: dict[str, Any]) -> None:
    settings = load_settings(load_city(PROJECT_DIR / "city.toml"))
    staff = {name: value for name, value in settings.parameters.items() if name.startswith(("Staff", "Identity"))}
    assert staff == {
        "StaffConcurrency": "5",
        "StaffSignIn": "cognito",
        "IdentityProviderIssuer": "",
        "IdentityProviderClientId": "",
        "IdentityProviderSecretName": "",
        "IdentityProviderMetadataUrl": "",
        "IdentityProviderVerifiedClaim": "email_verified",
    }
    assert broken_rules(translated, **staff) == []
    for name, value in staff.items():
        assert str(translated["Parameters"][name].get("Default", "")) == value, f"{name}: samconfig as the default"
