"""The notification resources of template.yaml, read from the template after the SAM transform (as
tests/test_deploy_template.py reads the rest): the queue and its dead-letter queue, the NotifyFunction and what
its role may do, SES's identity and configuration set with bounces and complaints to an SNS topic, the
BounceFunction subscribed to it, and the form handler's and back office's right to queue.
"""

from __future__ import annotations

import tomllib
from typing import Any

import test_deploy_template as deploy_template
from conftest import LEUVEN
from test_deploy_template import branches, listed, resources, statements, table_arns, text_of

from helpt.notify import handler
from helpt.settings import load_city
from helpt.stores.dynamodb_notify import NOTIFY_MARK_PREFIX, NOTIFY_PREFIXES
from helpt_site.build import PROJECT_DIR
from helpt_site.lambda_bundle import BUNDLE_DIR, ZIP_NAME

translated = deploy_template.translated  # the fixtures, shared as test_deploy_backoffice shares them
source = deploy_template.source
OWN_AND_RESTORED = 2  # a table statement names the stack's table or the restored one (Fn::If)


def role_statements(template: dict[str, Any], role: str) -> dict[str, dict[str, Any]]:
    properties = template["Resources"][role]["Properties"]
    assert "ManagedPolicyArns" not in properties
    found: dict[str, dict[str, Any]] = {}
    for policy in properties["Policies"]:
        for statement in statements(policy["PolicyDocument"]):
            for branch in branches(statement):  # a statement under Fn::If, or a plain one
                if isinstance(branch, dict) and "Sid" in branch:
                    found[branch["Sid"]] = {**branch, "conditional": "Fn::If" in statement}
    return found


def test_messages_queue_with_a_dead_letter_queue_for_the_notify_function(translated: dict[str, Any]) -> None:
    queue = translated["Resources"]["NotifyQueue"]["Properties"]
    dead = translated["Resources"]["NotifyDeadLetterQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["NotifyDeadLetterQueue", "Arn"]}
    assert 3 <= queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    assert queue["SqsManagedSseEnabled"] is True and dead["SqsManagedSseEnabled"] is True
    assert dead["MessageRetentionPeriod"] <= 14 * 86400
    function = translated["Resources"]["NotifyFunction"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"], "AWS: six times the function's time-out"
    assert function["Handler"] == "helpt.notify.handler.notify_handler" and handler.notify_handler
    variables = function["Environment"]["Variables"]
    assert variables["HELPT_NOTIFY_QUEUE_URL"] == {"Ref": "NotifyQueue"}
    assert variables["HELPT_SES_CONFIGURATION_SET"] == {"Ref": "NotifyConfigurationSet"}
    assert variables["HELPT_STORE"] == "dynamodb"
    (mapping,) = [m["Properties"] for m in resources(translated, "AWS::Lambda::EventSourceMapping").values()
                  if m["Properties"]["FunctionName"] == {"Ref": "NotifyFunction"}]  # fmt: skip
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["NotifyQueue", "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= function["ReservedConcurrentExecutions"] <= 5


def test_both_zips_functions_run_the_bundle_the_deploy_builds(source: dict[str, Any]) -> None:
    for name, entry in (("NotifyFunction", "notify_handler"), ("BounceFunction", "bounce_handler")):
        function = source["Resources"][name]["Properties"]
        assert PROJECT_DIR / function["CodeUri"] == BUNDLE_DIR / ZIP_NAME, "the form handler's zip has helpt.notify"
        assert function["Handler"] == f"helpt.notify.handler.{entry}"


def test_the_notify_function_takes_its_queue_sends_from_the_identity_and_keeps_only_its_items(
    translated: dict[str, Any],
) -> None:
    by_sid = role_statements(translated, "NotifyRole")
    actions = {sid: sorted(listed(s["Action"])) for sid, s in by_sid.items()}
    assert actions == {
        "WriteOwnLog": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "TakeAndRequeueNotifications": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                        "sqs:ReceiveMessage", "sqs:SendMessage"],
        "SendEmailFromTheCitysIdentity": ["ses:SendEmail"],
        "SendSms": ["sns:Publish"],
        "LogMarksAndRateCounts": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        "UseTableKeyThroughDynamoDB": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
    }  # fmt: skip
    assert by_sid["TakeAndRequeueNotifications"]["Resource"] == {"Fn::GetAtt": ["NotifyQueue", "Arn"]}
    ses = [text_of(arn) for arn in listed(by_sid["SendEmailFromTheCitysIdentity"]["Resource"])]
    assert [arn.rsplit(":", 1)[1] for arn in ses] == ["identity/${NotifyIdentity}",
                                                      "configuration-set/${NotifyConfigurationSet}"]  # fmt: skip
    # SMS: only when NotifySms is on; and then never to a topic (NotResource: every SNS ARN).
    sms = by_sid["SendSms"]
    assert sms["conditional"] and "Resource" not in sms and text_of(sms["NotResource"]).endswith(":sns:*:*:*")
    assert translated["Conditions"]["SmsOn"] == {"Fn::Equals": [{"Ref": "NotifySms"}, "on"]}
    assert translated["Parameters"]["NotifySms"]["Default"] == "off"
    table = by_sid["LogMarksAndRateCounts"]
    assert len(table_arns(table["Resource"])) == OWN_AND_RESTORED
    keys = table["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert keys == [f"{prefix}*" for prefix in NOTIFY_PREFIXES], "the items helpt.stores.dynamodb_notify writes"
    assert not any(not s["conditional"] and s.get("Resource") == "*" for s in by_sid.values())


def test_ses_sends_from_the_citys_address_and_reports_bounces_and_complaints_to_the_bounce_function(
    translated: dict[str, Any],
) -> None:
    resources_ = translated["Resources"]
    identity = resources_["NotifyIdentity"]["Properties"]
    assert identity["EmailIdentity"] == {"Ref": "NotifySenderAddress"}
    assert identity["ConfigurationSetAttributes"]["ConfigurationSetName"] == {"Ref": "NotifyConfigurationSet"}
    destination = resources_["NotifyBounceDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "NotifyConfigurationSet"}
    event = destination["EventDestination"]
    assert event["Enabled"] is True and sorted(event["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert event["SnsDestination"]["TopicARN"] == {"Ref": "BounceTopic"}
    (publish,) = statements(resources_["BounceTopicPolicy"]["Properties"]["PolicyDocument"])
    assert publish["Principal"] == {"Service": "ses.amazonaws.com"} and publish["Action"] == "sns:Publish"
    assert publish["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    (subscription,) = resources(translated, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["TopicArn"] == {"Ref": "BounceTopic"}
    assert subscription["Properties"]["Protocol"] == "lambda"
    bounce = role_statements(translated, "BounceRole")
    assert {sid: sorted(listed(s["Action"])) for sid, s in bounce.items()} == {
        "WriteOwnLog": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "MarkAddresses": ["dynamodb:PutItem"],
        "UseTableKeyThroughDynamoDB": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
    }
    keys = bounce["MarkAddresses"]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert keys == [f"{NOTIFY_MARK_PREFIX}*"]


def test_the_form_handler_and_the_back_office_may_queue_messages_and_nothing_more_of_the_queue(
    translated: dict[str, Any],
) -> None:
    for function in ("IntakeFunction", "StaffFunction"):
        variables = translated["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables["HELPT_NOTIFY_QUEUE_URL"] == {"Ref": "NotifyQueue"}
    policy = translated["Resources"]["NotifyQueuePolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": "IntakeRole"}, {"Ref": "StaffRole"}]
    (queue,) = statements(policy["PolicyDocument"])
    assert queue["Action"] == "sqs:SendMessage" and queue["Resource"] == {"Fn::GetAtt": ["NotifyQueue", "Arn"]}
    marks = translated["Resources"]["StaffNotifyMarksPolicy"]["Properties"]
    assert marks["Roles"] == [{"Ref": "StaffRole"}], "only the back office reads and sets address marks"
    (statement,) = statements(marks["PolicyDocument"])
    assert statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [f"{NOTIFY_MARK_PREFIX}*"]


def test_samconfig_sends_from_the_address_city_toml_names() -> None:
    config = tomllib.loads((PROJECT_DIR / "samconfig.toml").read_text(encoding="utf-8"))
    overrides = dict(item.split("=", 1) for item in config["default"]["deploy"]["parameters"]["parameter_overrides"])
    city = load_city(LEUVEN)
    assert overrides["NotifySenderAddress"] == city.sender_email
    assert overrides["NotifySms"] == ("on" if city.notifications.sms else "off")
    assert overrides["CityTimezone"] == city.timezone, "the morning digest runs at 07:30 in the city's time"


def test_both_zips_carry_the_notify_package_and_its_templates() -> None:
    import shutil

    from helpt_site.lambda_bundle import BACK_OFFICE, FORM_HANDLER

    package = PROJECT_DIR / "functions" / "helpt"
    for contents in (FORM_HANDLER, BACK_OFFICE):
        ignore = shutil.ignore_patterns(*contents.excluded)
        for folder in (package, package / "notify", package / "notify" / "templates"):
            names = sorted(path.name for path in folder.iterdir())
            kept = set(names) - ignore(str(folder), names)
            if folder == package:
                assert "notify" in kept, f"{contents.zip_name} leaves helpt.notify out"
            elif folder.name == "notify":
                assert {"__init__.py", "handler.py", "sender.py", "render.py", "templates"} <= kept
            else:
                assert {"_footer.j2", "volunteer_proposal.j2"} <= kept and kept == set(names)


def test_one_secret_signs_the_links_for_the_form_handler_and_the_back_office(translated: dict[str, Any]) -> None:
    resources_ = translated["Resources"]
    secret = resources_["LinkSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    for name in ("IntakeFunction", "StaffFunction"):
        value = resources_[name]["Properties"]["Environment"]["Variables"]["HELPT_LINK_SECRET"]
        assert "resolve:secretsmanager:${LinkSecret}" in str(value), name


def test_the_morning_digest_reads_the_requests_and_may_only_queue(translated: dict[str, Any]) -> None:
    digest = translated["Resources"]["DigestFunction"]["Properties"]
    assert digest["Handler"] == "helpt.app.digest_handler"
    schedule = next(iter(r for r in translated["Resources"].values() if r["Type"] == "AWS::Scheduler::Schedule"))
    assert schedule["Properties"]["ScheduleExpression"] == "cron(30 7 * * ? *)"
    assert schedule["Properties"]["ScheduleExpressionTimezone"] == {"Ref": "CityTimezone"}
    found = role_statements(translated, "DigestRole")
    assert set(found) == {"WriteOwnLog", "ReadHelpRequests", "UseTableKeyThroughDynamoDB", "QueueTheDigest"}
    assert found["ReadHelpRequests"]["Action"] == "dynamodb:Query"
    assert found["QueueTheDigest"] == {**found["QueueTheDigest"], "Action": "sqs:SendMessage",
                                       "Resource": {"Fn::GetAtt": ["NotifyQueue", "Arn"]}}  # fmt: skip
