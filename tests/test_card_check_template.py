"""The card check in template.yaml, read after the SAM transform (as tests/test_deploy_template.py reads the
rest): the check page's address in every language reaches the form function through CloudFront and API
Gateway, uncached, with the visitor's address; the form function may read a code's item and count checks, and
nothing more of them; the back office keeps the verifications.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import test_deploy_template as deploy_template
from test_deploy_notify import role_statements
from test_deploy_template import listed, one

from helpt.stores.dynamodb_notify import NOTIFY_RATE_PREFIX
from helpt.stores.dynamodb_verify import CARD_CODE_PREFIX, VERIFY_PREFIX
from helpt.verification import check_path

translated = deploy_template.translated
source = deploy_template.source
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
# Every language a city may list first or later: the check page's path in each must reach the form function.
LANGUAGE_PAIRS = [("nl", "nl"), ("en", "nl"), ("nl", "fr"), ("fr", "fr"), ("de", "nl"), ("en", "en")]


def _route_matches(route: str, path: str) -> bool:
    """API Gateway's matching of a route with {name} segments; /path/ is routed as /path."""
    route_parts, path_parts = route.strip("/").split("/"), path.strip("/").split("/")
    return len(route_parts) == len(path_parts) and all(
        r.startswith("{") or r == p for r, p in zip(route_parts, path_parts, strict=True)
    )


def test_the_check_page_in_every_language_reaches_the_form_function(translated: dict[str, Any]) -> None:
    api = one(translated, "AWS::ApiGatewayV2::Api")
    routes = api["Body"]["paths"]
    behaviours = one(translated, "AWS::CloudFront::Distribution")["DistributionConfig"]["CacheBehaviors"]
    for lang, first in LANGUAGE_PAIRS:
        path = check_path(lang, first)
        matched = [route for route in routes if _route_matches(route, path)]
        assert matched and all("get" in routes[route] for route in matched), path
        assert all(routes[route]["get"]["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"].count("IntakeFunction")
                   for route in matched), f"{path} goes to the form function"  # fmt: skip
        # CloudFront takes the first behaviour whose pattern matches: it must send the page, with its query, on.
        behaviour = next(b for b in behaviours if fnmatch.fnmatchcase(path + "?code=X", b["PathPattern"]))
        assert behaviour["TargetOriginId"] == "forms", path
        assert behaviour["CachePolicyId"] == CACHING_DISABLED, "each check is counted: never from a cache"
        assert sorted(behaviour["AllowedMethods"]) == ["GET", "HEAD"]
        assert behaviour["OriginRequestPolicyId"] == {"Ref": "ApiOriginRequestPolicy"}
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}
    # No other page of the site is taken from the bucket to the function by those patterns.
    for page in ("/", "/contact/", "/en/contact/", "/kaartje-voor-je-buren/", "/staff/check"):
        first = next((b for b in behaviours if fnmatch.fnmatchcase(page, b["PathPattern"])), None)
        assert first is None or first["PathPattern"] in ("/staff/*",), page


def test_the_form_function_gets_the_visitors_address_and_the_code(translated: dict[str, Any]) -> None:
    policy = translated["Resources"]["ApiOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]
    assert "CloudFront-Viewer-Address" in policy["HeadersConfig"]["Headers"]
    assert policy["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert policy["CookiesConfig"]["CookieBehavior"] == "none"


def _keys(statement: dict[str, Any]) -> list[str]:
    return statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]


def test_the_form_function_reads_only_a_codes_item_and_counts_checks(translated: dict[str, Any]) -> None:
    role = translated["Resources"]["IntakeFunction"]["Properties"]["Role"]["Fn::GetAtt"][0]
    by_sid = role_statements(translated, role)
    assert listed(by_sid["CheckCardCodes"]["Action"]) == ["dynamodb:GetItem"]
    assert _keys(by_sid["CheckCardCodes"]) == [f"{CARD_CODE_PREFIX}*"]
    assert listed(by_sid["CountCardChecks"]["Action"]) == ["dynamodb:UpdateItem"]
    assert _keys(by_sid["CountCardChecks"]) == [f"{NOTIFY_RATE_PREFIX}*"]
    # No statement of the form function reaches a verification (how, by whom) or a submission's content.
    for sid, statement in by_sid.items():
        if "Condition" in statement and "ForAllValues:StringLike" in statement["Condition"]:
            assert f"{VERIFY_PREFIX}*" not in _keys(statement), sid
            if "dynamodb:GetItem" in listed(statement["Action"]):
                assert "SUB#*" not in _keys(statement), sid


def test_the_back_office_keeps_verifications_and_their_codes(translated: dict[str, Any]) -> None:
    role = translated["Resources"]["StaffFunction"]["Properties"]["Role"]["Fn::GetAtt"][0]
    statement = role_statements(translated, role)["KeepVerifications"]
    assert sorted(listed(statement["Action"])) == ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
                                                   "dynamodb:UpdateItem"]  # fmt: skip
    assert _keys(statement) == [f"{VERIFY_PREFIX}*", f"{CARD_CODE_PREFIX}*"]


def test_staff_machines_may_keep_verifications_for_the_command_line_and_erasure(translated: dict[str, Any]) -> None:
    document = translated["Resources"]["StaffExportPolicy"]["Properties"]["PolicyDocument"]
    by_sid = {statement["Sid"]: statement for statement in document["Statement"]}
    statement = by_sid["KeepVerifications"]
    assert sorted(listed(statement["Action"])) == ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert _keys(statement) == [f"{VERIFY_PREFIX}*", f"{CARD_CODE_PREFIX}*"]
