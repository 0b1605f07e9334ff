"""The deploy command: its dry run needs no AWS, its settings come from samconfig.toml and city.toml, and the site
lands in S3 with the right content types and cache lifetimes (moto's server stands in for S3 and CloudFront)."""

from __future__ import annotations

import dataclasses
import os
import shlex
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from conftest import BuiltSite
from test_deploy_bundle import REGION, client, moto_server

import helpt_site.deploy as deploy
from helpt.settings import load_city
from helpt_site.build import PROJECT_DIR
from helpt_site.deploy import (
    ASSET_CACHE,
    HTML_CACHE,
    IMMUTABLE_CACHE,
    DeployError,
    Upload,
    invalidate,
    load_settings,
    run_deploy,
    site_uploads,
    template_parameters,
    upload_site,
)

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, no configuration, and any call to AWS fails loudly."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a dry run called out: {args}")

    monkeypatch.setattr(boto3, "client", refuse)
    monkeypatch.setattr(boto3, "Session", refuse)
    monkeypatch.setattr(deploy.subprocess, "run", refuse)


def test_the_dry_run_prints_every_command_and_upload_without_aws(
    leuven_published: BuiltSite, tmp_path: Path, no_aws: None
) -> None:
    bundle_dir = tmp_path / "lambda"
    bundle_dir.mkdir()
    (bundle_dir / "function.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    lines: list[str] = []

    status = run_deploy(
        dry_run=True, output=leuven_published.root, build=False, bundle_dir=bundle_dir, say=lines.append
    )

    assert status == 0
    printed = "\n".join(lines).splitlines()
    deploys = [shlex.split(line.split("sam deploy", 1)[1]) for line in printed if "sam deploy --template-file" in line]
    (web_acl,) = [command for command in deploys if command[1].endswith("waf.yaml")]
    (sam,) = [command for command in deploys if command[1].endswith("template.yaml")]
    first = next(line for line in printed if "waf.yaml" in line or "template.yaml" in line)
    assert "waf.yaml" in first, "the web ACL first: the stack needs its ARN"
    assert web_acl[web_acl.index("--region") + 1] == "us-east-1" and "RequestsPerAddress=600" in web_acl
    overrides = sam[sam.index("--parameter-overrides") + 1 :]
    assert sorted(pair.split("=")[0] for pair in overrides) == sorted(template_parameters())
    assert 'DomainName=""' in overrides, "no certificate configured: the stack starts on its CloudFront address"
    assert "WebAclArn=<WebAclArn>" in overrides, "the WAF stack's output"
    assert sam[sam.index("--stack-name") + 1] == "leuven-helpt" and sam[sam.index("--region") + 1] == "eu-west-1"
    puts = [line.split()[1] for line in printed if line.strip().startswith("PUT ")]
    public = sorted(
        path.relative_to(leuven_published.root).as_posix()
        for path in leuven_published.root.rglob("*")
        if path.is_file() and ".helpt" not in path.parts
    )
    assert sorted(puts) == public, "every public file, and never .helpt/site.json"
    assert all(key.endswith(".html") for key in puts[puts.index("404.html") :]), "pages go up after the assets"
    assert any("create-invalidation" in line for line in printed)
    assert any("stop unless SiteUrl is https://www.leuvenhelpt.be" in line for line in printed)
    assert printed[-1] == "Dry run: nothing was sent to AWS."


def test_uploads_carry_content_types_and_cache_lifetimes(tmp_path: Path) -> None:
    for name in ("index.html", "en/contact/index.html", "theme/css/site.css", "theme/css/site.0123abcd.css",
                 "images/logo.svg", "cards/card-nl.pdf", "cards/card-nl.png", ".helpt/site.json"):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    uploads = {upload.key: (upload.content_type, upload.cache_control) for upload in site_uploads(tmp_path)}
    assert uploads == {
        "cards/card-nl.pdf": ("application/pdf", ASSET_CACHE),
        "cards/card-nl.png": ("image/png", ASSET_CACHE),
        "images/logo.svg": ("image/svg+xml", ASSET_CACHE),
        "theme/css/site.0123abcd.css": ("text/css; charset=utf-8", IMMUTABLE_CACHE),
        "theme/css/site.css": ("text/css; charset=utf-8", ASSET_CACHE),
        "en/contact/index.html": ("text/html; charset=utf-8", HTML_CACHE),
        "index.html": ("text/html; charset=utf-8", HTML_CACHE),
    }
    (tmp_path / "notes.docx").write_text("x")
    with pytest.raises(DeployError, match="docx"):
        site_uploads(tmp_path)


def test_the_domain_comes_from_site_url_once_there_is_a_certificate(tmp_path: Path) -> None:
    city = load_city(PROJECT_DIR / "city.toml")
    samconfig = tmp_path / "samconfig.toml"
    text = (PROJECT_DIR / "samconfig.toml").read_text(encoding="utf-8")
    samconfig.write_text(text.replace('"CertificateArn=\\"\\""', f'"CertificateArn={CERTIFICATE}"'), encoding="utf-8")
    settings = load_settings(city, samconfig)
    assert settings.parameters["DomainName"] == "www.leuvenhelpt.be"
    assert settings.parameters["CertificateArn"] == CERTIFICATE
    with pytest.raises(DeployError, match="CloudFront's own address"):
        load_settings(dataclasses.replace(city, site_url="https://d111111abcdef8.cloudfront.net"), samconfig)
    samconfig.write_text(text.replace('    "BackupDays=14",\n', ""), encoding="utf-8")
    with pytest.raises(DeployError, match="BackupDays"):
        load_settings(city, samconfig)


def test_the_web_acl_can_be_tuned_or_turned_off_in_samconfig(tmp_path: Path) -> None:
    city = load_city(PROJECT_DIR / "city.toml")
    text = (PROJECT_DIR / "samconfig.toml").read_text(encoding="utf-8")
    assert load_settings(city).waf == deploy.WafSettings("leuven-helpt-waf", 600)
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(text.replace("requests_per_address = 600", "requests_per_address = 1500"), encoding="utf-8")
    assert load_settings(city, samconfig).waf.requests_per_address == 1500
    samconfig.write_text(text.replace("enabled = true", "enabled = false"), encoding="utf-8")
    off = load_settings(city, samconfig)
    assert off.waf is None and off.parameters["WebAclArn"] == ""
    assert not any("waf.yaml" in line for line in deploy.plan(off, city, [], "a bundle"))


def test_a_site_url_with_a_path_cannot_be_deployed() -> None:
    city = dataclasses.replace(load_city(PROJECT_DIR / "city.toml"), site_url="https://leuven.be/helpt")
    with pytest.raises(DeployError, match="path"):
        load_settings(city)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from moto_server(tmp_path_factory.mktemp("moto"))


def test_the_upload_sets_headers_replaces_pages_and_keeps_old_fingerprinted_assets(
    moto: str, leuven_published: BuiltSite
) -> None:
    s3 = client("s3", moto)
    s3.create_bucket(Bucket="site", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="site", Key="old-page/index.html", Body=b"gone")
    s3.put_object(Bucket="site", Key="theme/css/site.89abcdef.css", Body=b"still named by cached pages")
    uploads = site_uploads(leuven_published.root)

    uploaded, deleted = upload_site(s3, "site", uploads)

    assert (uploaded, deleted) == (len(uploads), 1)
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket="site")["Contents"]}
    assert keys == {upload.key for upload in uploads} | {"theme/css/site.89abcdef.css"}
    home = s3.get_object(Bucket="site", Key="index.html")
    assert (home["ContentType"], home["CacheControl"]) == ("text/html; charset=utf-8", HTML_CACHE)
    assert home["Body"].read() == (leuven_published.root / "index.html").read_bytes()
    css = s3.head_object(Bucket="site", Key="theme/css/site.css")
    assert (css["ContentType"], css["CacheControl"]) == ("text/css; charset=utf-8", ASSET_CACHE)
    assert ".helpt/site.json" not in keys


def test_the_invalidation_covers_the_whole_site(moto: str) -> None:
    cloudfront = client("cloudfront", moto)
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "test", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": "site.s3.amazonaws.com",
                                                  "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                     "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        }
    )["Distribution"]["Id"]  # fmt: skip

    invalidation = invalidate(cloudfront, distribution)

    paths = cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation)["Invalidation"]
    assert paths["InvalidationBatch"]["Paths"]["Items"] == ["/*"]


def test_upload_objects_are_made_in_the_given_order(tmp_path: Path) -> None:
    """Assets first: a page never goes live before what it links to."""
    calls: list[str] = []

    class Recorder:
        def put_object(self, **request: object) -> None:
            calls.append(str(request["Key"]))

        def get_paginator(self, name: str) -> Recorder:
            return self

        def paginate(self, **request: object) -> list[dict]:
            return [{}]

    (tmp_path / "a.html").write_text("page")
    (tmp_path / "z.css").write_text("style")
    upload_site(Recorder(), "site", site_uploads(tmp_path))
    assert calls == ["z.css", "a.html"]
    assert isinstance(site_uploads(tmp_path)[0], Upload)
