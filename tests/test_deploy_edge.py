"""The edge in the AWS template, checked offline: CloudFront as the only way in, the site's page for every error
the edge itself makes, alarms and a budget, capacity for a national launch, and logs staff cannot touch.

Read from template.yaml after the SAM transform (tests/test_deploy_template.py's fixture and helpers, which need
the SAM CLI in .tools/sam). What the code does with each setting is exercised beside it, for real: the handlers
refusing a request without CloudFront's header, the problem page's status passing CloudFront, the metric filter
matching the handler's own log line.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
import test_deploy_template as deploy_template
from conftest import BuiltSite
from forms_support import VALID, broken_store, event, form_body, make_intake
from test_deploy_template import default, listed, one, resources, statements, text_of

import helpt.handler
import helpt.staff.web.handler
from helpt import edge
from helpt.app import intake_from_environment, store_from_environment
from helpt.stores.dynamodb import ADD_ONCE_BUDGET_SECONDS, CLIENT_CONFIG, LISTING_SHARDS
from helpt.stores.sqlite import SQLiteStore
from helpt_site.build import PROJECT_DIR
from helpt_site.deploy import load_settings
from helpt_site.site_pages import FIXED_PLACES, UNAVAILABLE_KEY

translated = deploy_template.translated  # the fixtures, shared as test_deploy_backoffice shares them
source = deploy_template.source

ORIGIN_SECRET = {"Fn::Sub": "{{resolve:secretsmanager:${OriginSecret}:SecretString}}"}
THE_TABLE = {"Fn::If": ["UseRestoredTable", {"Ref": "RestoredTableName"}, {"Ref": "SubmissionsTable"}]}


# 1. One way in ---------------------------------------------------------------------------------------------------


def test_cloudfront_sends_a_secret_header_that_both_functions_require(translated: dict[str, Any]) -> None:
    config = one(translated, "AWS::CloudFront::Distribution")["DistributionConfig"]
    (forms,) = [origin for origin in config["Origins"] if ".execute-api." in text_of(origin["DomainName"])]
    (header,) = forms["OriginCustomHeaders"]
    assert header["HeaderName"].lower() == edge.HEADER and header["HeaderValue"] == ORIGIN_SECRET
    for name in ("IntakeFunction", "StaffFunction"):
        variables = translated["Resources"][name]["Properties"]["Environment"]["Variables"]
        assert variables[edge.SECRET_VARIABLE] == ORIGIN_SECRET, name
    secret = translated["Resources"]["OriginSecret"]["Properties"]["GenerateSecretString"]
    assert secret["PasswordLength"] >= 32 and "SecretString" not in translated["Resources"]["OriginSecret"]


def test_a_request_round_cloudfront_is_refused_by_both_functions_and_one_through_it_is_not(
    monkeypatch: pytest.MonkeyPatch, leuven_site: BuiltSite, tmp_path: Path
) -> None:
    monkeypatch.setenv(edge.SECRET_VARIABLE, "s3cret-from-secrets-manager")
    direct = event("volunteer", form_body(VALID["volunteer"]))
    forged = dict(direct, headers={**direct["headers"], edge.HEADER: "s3cret-from-secrets-manager!"})
    for handler in (helpt.handler.lambda_handler, helpt.staff.web.handler.lambda_handler):
        for refused in (direct, forged):
            answer = handler(refused, None)
            assert answer["statusCode"] == 403 and "default-src 'none'" in answer["headers"]["content-security-policy"]
            assert "strict-transport-security" in answer["headers"]
    through = dict(direct, headers={**direct["headers"], "X-Helpt-Origin": "s3cret-from-secrets-manager"})
    store = SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    monkeypatch.setattr(helpt.handler, "_intake", lambda: make_intake(leuven_site.root, store))
    answer = helpt.handler.lambda_handler(through, None)
    assert answer["statusCode"] == 303 and len(list(store.submissions())) == 1, "through CloudFront: stored"
    assert edge.from_the_edge(direct, ""), "no secret (the preview, the tests): no check"


# 3. Fail fast, never bare ----------------------------------------------------------------------------------------


def test_the_edges_own_errors_are_a_site_page_and_the_pages_that_keep_answers_pass(
    translated: dict[str, Any], source: dict[str, Any], leuven_published: BuiltSite, tmp_path: Path
) -> None:
    config = one(translated, "AWS::CloudFront::Distribution")["DistributionConfig"]
    errors = {error["ErrorCode"]: error for error in config["CustomErrorResponses"]}
    assert set(errors) == {404, 500, 502, 504}
    page = "/" + FIXED_PLACES[UNAVAILABLE_KEY]
    for code in (500, 502, 504):
        assert errors[code]["ResponsePagePath"] == page and errors[code]["ResponseCode"] == code
        assert errors[code]["ErrorCachingMinTTL"] == 0, "the next try may work: never cached"
    # The page is in the published site, with the phone line and a way to the other language.
    built = leuven_published.soup(leuven_published.root / page.lstrip("/"))
    assert "016/27.27.72" in built.get_text() and built.find("a", href=re.compile(r"/en/unavailable\.html$"))
    english = leuven_published.soup(leuven_published.root / "en" / page.lstrip("/"))
    assert english.html["lang"] == "en" and "016/27.27.72" in english.get_text()
    # The handler's own problem page keeps the answers: CloudFront must pass its status on untouched.
    broken = make_intake(leuven_published.root, broken_store(tmp_path / "broken"))
    kept = broken.handle(event("volunteer", form_body(VALID["volunteer"])))
    assert kept["statusCode"] not in errors and "Ann Janssens" in kept["body"]
    # API Gateway's own 503 comes after 30 s: no function behind it may run that long.
    for name, function in resources(source, "AWS::Serverless::Function").items():
        if any(e["Type"] == "HttpApi" for e in function["Properties"].get("Events", {}).values()):
            assert function["Properties"]["Timeout"] < 30, name
    intake = translated["Resources"]["IntakeFunction"]["Properties"]
    worst = ADD_ONCE_BUDGET_SECONDS + _call_seconds()
    assert worst <= 6 and intake["Timeout"] >= worst + 3, "the store gives up in seconds, before the function does"


def test_only_the_form_handler_fails_fast_the_back_office_waits_for_its_pages(
    leuven_site: BuiltSite, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"  # the Lambda bundle's layout (helpt_site/lambda_bundle.py), from the build
    bundle.mkdir()
    for name, target in {"city.toml": PROJECT_DIR / "city.toml", "templates": PROJECT_DIR / "theme" / "templates",
                         "translations": PROJECT_DIR / "theme" / "translations",
                         "site.json": leuven_site.root / ".helpt" / "site.json"}.items():  # fmt: skip
        (bundle / name).symlink_to(target)
    environ = {"HELPT_STORE": "dynamodb", "HELPT_TABLE": "helpt", "AWS_REGION": "eu-west-1"}
    intake = intake_from_environment({**environ, "HELPT_BUNDLE_DIR": str(bundle)}).store.client.meta.config
    staff = store_from_environment(environ).client.meta.config  # as the back office and the workers build theirs
    assert (intake.read_timeout, intake.retries["total_max_attempts"]) == (CLIENT_CONFIG.read_timeout, 2)
    assert staff.read_timeout > intake.read_timeout and staff.retries["total_max_attempts"] == 3


def _call_seconds() -> float:
    """One store call's worst case under CLIENT_CONFIG: every attempt's time-out, and the back-off between."""
    attempts = CLIENT_CONFIG.retries["total_max_attempts"]
    return attempts * max(CLIENT_CONFIG.connect_timeout, CLIENT_CONFIG.read_timeout) + (attempts - 1) * 1.0


# 5. Alarms --------------------------------------------------------------------------------------------------------


def test_alarms_watch_the_intake_the_api_the_table_and_the_dead_letters_and_tell_the_alarm_address(
    translated: dict[str, Any],
) -> None:
    topic = translated["Resources"]["AlarmTopic"]["Properties"]
    assert topic["Subscription"] == [{"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}]
    alarms = resources(translated, "AWS::CloudWatch::Alarm")
    watched = set()
    for name, alarm in alarms.items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert properties["TreatMissingData"] == "notBreaching", name
        dimensions = {d["Name"]: d["Value"] for d in properties.get("Dimensions", [])}
        watched.add(
            (text_of(properties["Namespace"]), properties["MetricName"], *sorted(map(str, dimensions.values())))
        )
    intake, api, dead = {"Ref": "IntakeFunction"}, {"Ref": "FormsApi"}, "NotifyDeadLetterQueue"
    assert ("AWS/Lambda", "Errors", str(intake)) in watched and ("AWS/Lambda", "Throttles", str(intake)) in watched
    assert ("AWS/ApiGateway", "5xx", "$default", str(api)) in watched
    assert ("AWS/DynamoDB", "WriteThrottleEvents", str(THE_TABLE)) in watched
    assert ("AWS/DynamoDB", "ReadThrottleEvents", str(THE_TABLE)) in watched
    assert ("AWS/DynamoDB", "WriteThrottleEvents", "form-created", str(THE_TABLE)) in watched
    assert ("AWS/DynamoDB", "SystemErrors", "PutItem", str(THE_TABLE)) in watched
    queues = {text_of(d["Value"]) for a in alarms.values() for d in a["Properties"].get("Dimensions", [])
              if d["Name"] == "QueueName"}  # fmt: skip
    assert queues == {text_of({"Fn::GetAtt": [dead, "QueueName"]}),
                      text_of({"Fn::GetAtt": ["ExportDeadLetterQueue", "QueueName"]})}  # fmt: skip
    budget = one(translated, "AWS::Budgets::Budget")
    assert budget["Budget"]["BudgetLimit"] == {"Amount": {"Ref": "MonthlyBudget"}, "Unit": "USD"}
    subscribers = [s for n in budget["NotificationsWithSubscribers"] for s in n["Subscribers"]]
    assert subscribers and all(s == {"SubscriptionType": "SNS", "Address": {"Ref": "AlarmTopic"}} for s in subscribers)
    (publish,) = statements(translated["Resources"]["AlarmTopicPolicy"]["Properties"]["PolicyDocument"])
    assert set(listed(publish["Principal"]["Service"])) == {"cloudwatch.amazonaws.com", "budgets.amazonaws.com"}
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert "AlarmTopicArn" in translated["Outputs"]


def test_a_store_failure_is_counted_from_the_handlers_own_log_line(
    translated: dict[str, Any], leuven_site: BuiltSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The intake answers a failure with its page (no Lambda error): its log line must match the metric filter."""
    metric = one(translated, "AWS::Logs::MetricFilter")
    assert metric["LogGroupName"] == {"Ref": "IntakeLogGroup"}
    (transformation,) = metric["MetricTransformations"]
    (alarm,) = [a["Properties"] for a in resources(translated, "AWS::CloudWatch::Alarm").values()
                if a["Properties"]["MetricName"] == transformation["MetricName"]]  # fmt: skip
    assert alarm["Namespace"] == transformation["MetricNamespace"]
    # `?"a" ?"b"`: a line matches when it holds either quoted term, exactly as written.
    terms = [term.replace('\\"', '"') for term in re.findall(r'\?"((?:[^"\\]|\\.)*)"', metric["FilterPattern"])]
    assert len(terms) == 2
    broken = make_intake(leuven_site.root, broken_store(tmp_path / "broken"))
    with caplog.at_level(logging.INFO, logger="helpt.intake"):
        for _ in range(5):  # the first failures reach the store; then the breaker answers without it
            broken.handle(event("volunteer", form_body(VALID["volunteer"])))
    outcomes = [record.getMessage() for record in caplog.records if '"outcome"' in record.getMessage()]
    assert len(outcomes) == 5 and all(any(term in line for term in terms) for line in outcomes)
    assert any(terms[0] in line for line in outcomes) and any(terms[1] in line for line in outcomes)


# 4. Capacity -----------------------------------------------------------------------------------------------------

SUSTAINED, BURST = 500, 2_000  # submissions a second (docs/DEPLOY.md, section 10)
POST_SECONDS, CONFIRMATION_SECONDS = 0.060, 0.015  # warm, measured on AWS for the bundle (docs/DEPLOY.md)
POSTS_PER_SUBMISSION = 1.5  # a share of the forms are sent back with a problem first: 2.5 API requests in all
WRITE_UNITS_PER_SUBMISSION = 4  # claim, record (2 KB at most: 2 units), mark; its index copy separately: 2
PARTITION_WRITE_UNITS = 1_000  # DynamoDB's limit per partition key value, table and index alike


def test_the_template_as_shipped_holds_a_national_launch(translated: dict[str, Any]) -> None:
    parameters = translated["Parameters"]
    stage = one(translated, "AWS::ApiGatewayV2::Stage")["DefaultRouteSettings"]
    rate, burst = default(translated, stage["ThrottlingRateLimit"]), default(translated, stage["ThrottlingBurstLimit"])
    assert rate >= POSTS_PER_SUBMISSION * BURST and burst <= 5_000, "the POST route takes a burst; the account's bucket"
    assert (POSTS_PER_SUBMISSION + 1) * BURST <= 10_000, "both routes within API Gateway's account quota"
    assert rate <= 10_000, "within API Gateway's account quota of 10,000 a second"
    concurrency = default(translated, translated["Resources"]["IntakeFunction"]["Properties"][
        "ReservedConcurrentExecutions"])  # fmt: skip
    needed = BURST * (POST_SECONDS + CONFIRMATION_SECONDS)
    assert concurrency >= 2 * needed, f"{concurrency} instances for a burst that keeps {needed:.0f} busy"
    assert 100 + concurrency + parameters["StaffConcurrency"]["Default"] + 6 <= 1_000, "the default account quota"
    table = one(translated, "AWS::DynamoDB::Table")
    warm = default(translated, table["WarmThroughput"]["WriteUnitsPerSecond"])
    assert warm >= BURST * WRITE_UNITS_PER_SUBMISSION, "the burst from the first minute"
    (index,) = table["GlobalSecondaryIndexes"]
    assert default(translated, index["WarmThroughput"]["WriteUnitsPerSecond"]) >= BURST * 2
    per_shard = BURST * 2 / LISTING_SHARDS
    assert per_shard <= PARTITION_WRITE_UNITS / 2, f"{per_shard:.0f} units a second on the busiest index key"


def test_samconfig_ships_the_capacity_and_alarm_settings(leuven_published: BuiltSite, source: dict[str, Any]) -> None:
    parameters = load_settings(leuven_published.city).parameters
    for name in ("ApiRateLimit", "ApiBurstLimit", "FunctionConcurrency", "TableWarmWrites", "MonthlyBudget"):
        assert int(parameters[name]) == source["Parameters"][name]["Default"], name
    assert re.match(source["Parameters"]["AlarmEmail"]["AllowedPattern"], parameters["AlarmEmail"])
