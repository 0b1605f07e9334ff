"""Per-client limits (F8, S6): the AWS WAF web ACL of waf.yaml (a stack of its own in us-east-1, where
CloudFront's web ACLs live), checked offline with cfn-lint and for the properties the city relies on: a rate
limit per client address on /api/* only, answered with the site's own busy page; AWS's rules for known bad
inputs, and not the rule sets that would refuse what residents really type; the distribution using it."""

from __future__ import annotations

from typing import Any

import pytest
import test_deploy_template as deploy_template
from cfnlint.api import ManualArgs, lint
from cfnlint.decode import decode_str
from conftest import BuiltSite
from test_deploy_template import one

from helpt_site.deploy import WAF_REGION, WAF_TEMPLATE, load_settings

translated = deploy_template.translated
# Requests to /api/* in five minutes: six people, three forms each, each sent three times (two mistakes), a POST
# and the page it answers with (the confirmation, or the form again) each time.
HOUSEHOLD = 6 * 3 * 3 * 2


@pytest.fixture(scope="module")
def waf() -> dict[str, Any]:
    template, problems = decode_str(WAF_TEMPLATE.read_text(encoding="utf-8"))
    assert not problems
    return template


def test_cfn_lint_finds_nothing_in_the_web_acl() -> None:
    matches = lint(WAF_TEMPLATE.read_text(encoding="utf-8"), config=ManualArgs(regions=[WAF_REGION]))
    assert [str(match) for match in matches] == []


def test_one_address_is_limited_on_the_form_api_only_and_gets_the_sites_busy_page(
    waf: dict[str, Any], leuven_published: BuiltSite
) -> None:
    acl = one(waf, "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "CLOUDFRONT" and acl["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    limit = rules["ApiRequestsPerAddress"]
    rate = limit["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP" and rate["Limit"] == {"Ref": "RequestsPerAddress"}
    scope = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert scope["FieldToMatch"] == {"UriPath": {}} and scope["PositionalConstraint"] == "STARTS_WITH"
    assert scope["SearchString"] == "/api/", "pages, the stylesheet and the back office are never counted"
    parameter = waf["Parameters"]["RequestsPerAddress"]
    per_window = rate["EvaluationWindowSec"] // 300
    assert parameter["MinValue"] * per_window >= 2 * HOUSEHOLD, "a household behind one address is never blocked"
    response = limit["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert body["ContentType"] == "TEXT_HTML" and len(body["Content"].encode()) <= 4096
    assert 'url=/unavailable.html"' in body["Content"] and 'href="/unavailable.html"' in body["Content"]
    busy = leuven_published.soup(leuven_published.root / "unavailable.html")
    assert "016/27.27.72" in busy.get_text(), "the page it sends to is the site's, with the phone line"
    settings = load_settings(leuven_published.city)
    assert settings.waf is not None and settings.waf.requests_per_address == parameter["Default"]


def test_only_the_known_bad_inputs_rules_nothing_that_refuses_what_residents_type(waf: dict[str, Any]) -> None:
    rules = one(waf, "AWS::WAFv2::WebACL")["Rules"]
    managed = [rule["Statement"]["ManagedRuleGroupStatement"] for rule in rules
               if "ManagedRuleGroupStatement" in rule["Statement"]]  # fmt: skip
    assert [(group["VendorName"], group["Name"]) for group in managed] == [
        ("AWS", "AWSManagedRulesKnownBadInputsRuleSet")
    ], "no common rule set: its XSS and body-size rules block '<b>' and long messages the forms keep (S1)"
    assert sorted(rule["Priority"] for rule in rules) == list(range(len(rules)))


def test_the_distribution_uses_the_web_acl_when_there_is_one(translated: dict[str, Any]) -> None:
    config = one(translated, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert config["WebACLId"] == {"Fn::If": ["HasWebAcl", {"Ref": "WebAclArn"}, {"Ref": "AWS::NoValue"}]}
    assert translated["Parameters"]["WebAclArn"]["Default"] == ""
