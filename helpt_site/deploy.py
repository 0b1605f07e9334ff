"""Deploying a city's Helpt to its own AWS account: one command, and a plan that can be read before it runs.

`invoke deploy` (`make deploy`):

1. builds the site with publishconf.py (absolute URLs on city.toml's site_url) into .build/publish/, never into the
   preview's output/ (a running `make serve` would then show pages whose forms post to the live site);
2. builds the function bundle from that build's site data (helpt_site.lambda_bundle);
3. runs `sam deploy` on waf.yaml in us-east-1 (the distribution's web ACL; unless samconfig.toml's [waf] turns it
   off), then on template.yaml with every template parameter given, the web ACL's ARN among them: for a parameter
   left out, `sam deploy` would silently keep the stack's previous value;
4. reads the stack's outputs and checks that the stack serves the address the site was built for;
5. uploads the site to the private bucket, assets before pages (a new page never points at a missing file), each
   with its content type and cache lifetime, then deletes what the site no longer has;
6. invalidates CloudFront's copies.

With `--dry-run` the local builds (1, 2) run, and every command and upload of 3-6 is printed instead of made: no
AWS account, no credentials, no SAM CLI needed. Settings: samconfig.toml (stack, region, parameters); the domain
comes from city.toml's site_url, so it is written in one place.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from helpt.settings import CitySettings, load_city
from helpt_site.build import PROJECT_DIR, PUBLISH_OUTPUT, build_site
from helpt_site.lambda_bundle import BUNDLE_DIR, ZIP_NAME, build_bundle

TEMPLATE = PROJECT_DIR / "template.yaml"
WAF_TEMPLATE = PROJECT_DIR / "waf.yaml"
WAF_REGION = "us-east-1"  # CloudFront's web ACLs live there, whatever region the stack is in
SAMCONFIG = PROJECT_DIR / "samconfig.toml"
SAM_TOOL = PROJECT_DIR / ".tools" / "sam" / "bin" / "sam"  # `make sam-cli` installs it there
DERIVED_PARAMETERS = ("DomainName", "WebAclArn")  # from city.toml and the WAF stack, never from samconfig.toml

# Browsers keep pages 5 minutes (a changed phone line shows soon); CloudFront keeps them a day, and every deploy
# invalidates it. Unfingerprinted assets (theme/css/site.css, the logo, cards) an hour in browsers; files whose
# name carries a content hash never change, so a year.
HTML_CACHE = "public, max-age=300, s-maxage=86400"
ASSET_CACHE = "public, max-age=3600, s-maxage=86400"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
_FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,64}\.[a-z0-9]+$")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/vnd.microsoft.icon",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".woff2": "font/woff2",
}


class DeployError(RuntimeError):
    """The deploy cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class WafSettings:
    """samconfig.toml's [waf]: waf.yaml's stack and its one parameter."""

    stack_name: str
    requests_per_address: int


@dataclass(frozen=True)
class DeploySettings:
    stack_name: str
    region: str
    parameters: dict[str, str]
    waf: WafSettings | None = None  # None: no web ACL


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    content_type: str
    cache_control: str


def load_settings(city: CitySettings, samconfig: Path = SAMCONFIG, template: Path = TEMPLATE) -> DeploySettings:
    """Stack, region and every template parameter, from samconfig.toml and (the domain) city.toml."""
    config = tomllib.loads(samconfig.read_text(encoding="utf-8")).get("default", {})
    merged = {**config.get("global", {}).get("parameters", {}), **config.get("deploy", {}).get("parameters", {})}
    overrides = merged.get("parameter_overrides", [])
    parameters = {}
    for pair in overrides.split() if isinstance(overrides, str) else overrides:
        name, _, value = pair.partition("=")
        parameters[name] = value.strip('"')
    parameters["DomainName"] = domain_name(city.site_url, parameters.get("CertificateArn", ""))
    parameters["WebAclArn"] = ""  # the WAF stack's output, once that stack is deployed (_publish)
    if parameters.get("CertificateArn") and not parameters["DomainName"]:
        raise DeployError(f"{samconfig}: a CertificateArn is set, but site_url ({city.site_url}) is CloudFront's own "
                          "address: set site_url to the certificate's host, or empty CertificateArn")  # fmt: skip
    missing = [name for name in template_parameters(template) if name not in parameters]
    if missing:
        raise DeployError(f"{samconfig}: parameter_overrides lacks {', '.join(missing)} (see template.yaml)")
    if "stack_name" not in merged or "region" not in merged:
        raise DeployError(f"{samconfig}: set stack_name and region under [default.global.parameters]")
    waf_config = tomllib.loads(samconfig.read_text(encoding="utf-8")).get("waf", {})
    waf = None
    if waf_config.get("enabled", False):
        waf = WafSettings(f"{merged['stack_name']}-waf", int(waf_config.get("requests_per_address", 600)))
    return DeploySettings(stack_name=merged["stack_name"], region=merged["region"], parameters=parameters, waf=waf)


def waf_deploy_command(waf: WafSettings, sam: str = "sam") -> list[str]:
    """`sam deploy` of the web ACL's own stack, in us-east-1."""
    return [
        sam, "deploy", "--template-file", str(WAF_TEMPLATE), "--stack-name", waf.stack_name, "--region", WAF_REGION,
        "--no-confirm-changeset", "--no-fail-on-empty-changeset", "--tags", "app=helpt",
        "--parameter-overrides", f"RequestsPerAddress={waf.requests_per_address}",
    ]  # fmt: skip


def domain_name(site_url: str, certificate_arn: str) -> str:
    """The DomainName parameter: site_url's host, or "" while the site runs on its CloudFront address.

    >>> domain_name("https://www.leuvenhelpt.be", "arn:aws:acm:us-east-1:123456789012:certificate/x")
    'www.leuvenhelpt.be'
    >>> domain_name("https://d111111abcdef8.cloudfront.net", ""), domain_name("https://www.leuvenhelpt.be", "")
    ('', '')
    """
    parts = urlsplit(site_url)
    if parts.path not in ("", "/"):
        raise DeployError(f"site_url {site_url} has a path: CloudFront serves the site at the root of its address")
    host = parts.hostname or ""
    return "" if host.endswith(".cloudfront.net") or not certificate_arn else host


def template_parameters(template: Path = TEMPLATE) -> list[str]:
    """The names under the template's top-level `Parameters:` (a YAML parser would need CloudFormation's tags)."""
    section = re.search(r"^Parameters:\n(.*?)^\S", template.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    return re.findall(r"^  (\w+):\s*$", section.group(1), re.MULTILINE) if section else []


def find_sam() -> str | None:
    """The pinned SAM CLI of `make sam-cli`, else one on PATH."""
    return str(SAM_TOOL) if SAM_TOOL.is_file() else shutil.which("sam")


def sam_deploy_command(settings: DeploySettings, sam: str = "sam", template: Path = TEMPLATE) -> list[str]:
    """`sam deploy` with everything on the command line: the printed plan is the whole truth."""
    parameters = [
        f'{name}="{value}"' if value == "" else f"{name}={value}" for name, value in settings.parameters.items()
    ]
    return [
        sam, "deploy", "--template-file", str(template), "--stack-name", settings.stack_name,
        "--region", settings.region, "--capabilities", "CAPABILITY_IAM", "--resolve-s3",
        "--no-confirm-changeset", "--no-fail-on-empty-changeset", "--tags", "app=helpt",
        "--parameter-overrides", *parameters,
    ]  # fmt: skip


def content_type(path: Path) -> str:
    """The Content-Type S3 serves a file with (browsers must not guess: nosniff)."""
    try:
        return CONTENT_TYPES[path.suffix.lower()]
    except KeyError:
        raise DeployError(f"{path}: no content type known for {path.suffix!r}; add it to CONTENT_TYPES") from None


def cache_control(key: str) -> str:
    """How long browsers and CloudFront may keep a file.

    >>> cache_control("en/contact/index.html"), cache_control("theme/css/site.css")
    ('public, max-age=300, s-maxage=86400', 'public, max-age=3600, s-maxage=86400')
    >>> cache_control("theme/css/site.3f2a9c1b.css")
    'public, max-age=31536000, immutable'
    """
    if key.endswith(".html"):
        return HTML_CACHE
    return IMMUTABLE_CACHE if _FINGERPRINTED.search(key) else ASSET_CACHE


def site_uploads(site: Path) -> list[Upload]:
    """Every file of the built site except hidden ones (`.helpt/site.json` is the function's, not the public's);
    pages last."""
    files = [
        path
        for path in site.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(site).parts)
    ]
    uploads = [Upload(p.relative_to(site).as_posix(), p, content_type(p), cache_control(p.name)) for p in files]
    return sorted(uploads, key=lambda upload: (upload.key.endswith(".html"), upload.key))


def plan(settings: DeploySettings, city: CitySettings, uploads: list[Upload], bundle_note: str) -> list[str]:
    """Every step the deploy makes after the local builds, as it will make it."""
    sam = find_sam() or "sam"
    web_acl = []
    if settings.waf is not None:
        settings = DeploySettings(settings.stack_name, settings.region,
                                  {**settings.parameters, "WebAclArn": "<WebAclArn>"}, settings.waf)  # fmt: skip
        web_acl = [
            "  3. (the web ACL) " + shlex.join(waf_deploy_command(settings.waf, sam)),
            f"     aws cloudformation describe-stacks --stack-name {settings.waf.stack_name} --region {WAF_REGION}"
            "  (output WebAclArn)",
        ]
    lines = [
        f"Deploy plan: stack {settings.stack_name} in {settings.region}, site {city.site_url}",
        f"  1. the site, built with publishconf.py: {len(uploads)} files",
        f"  2. the function bundle: {bundle_note}",
        *web_acl,
        "  3. " + shlex.join(sam_deploy_command(settings, sam)),
        f"  4. aws cloudformation describe-stacks --stack-name {settings.stack_name} --region {settings.region}"
        "  (outputs SiteUrl, SiteBucketName, DistributionId)",
        f"     stop unless SiteUrl is {city.site_url}",
        f"  5. upload to s3://<SiteBucketName>/ ({settings.region}), assets first, pages last:",
        *(f"       PUT {u.key}  [{u.content_type}]  [{u.cache_control}]" for u in uploads),
        "     DELETE every other object, except fingerprinted assets (pages cached elsewhere may still use them)",
        "  6. aws cloudfront create-invalidation --distribution-id <DistributionId> --paths '/*'",
    ]
    if not settings.parameters["DomainName"]:
        lines.append(
            f"  note: no CertificateArn in samconfig.toml, so the stack serves its CloudFront address; unless "
            f"city.toml's site_url ({city.site_url}) is that address, step 4 stops and says what to set."
        )
    return lines


def run_deploy(
    *,
    dry_run: bool,
    output: Path = PUBLISH_OUTPUT,
    build: bool = True,
    bundle_dir: Path = BUNDLE_DIR,
    city_file: Path = PROJECT_DIR / "city.toml",
    say: Callable[[str], None] = print,
) -> int:
    """Build, then print the plan (dry run) or carry it out. Returns the exit status."""
    city = load_city(city_file)
    settings = load_settings(city)
    if not dry_run and bundle_dir != BUNDLE_DIR:
        raise DeployError(f"template.yaml deploys {BUNDLE_DIR / ZIP_NAME}; build the bundle there")
    if build:
        say(f"Built the site in {build_site(output, publish=True, city_file=city_file):.1f} s.")
        bundle_note = build_bundle(
            output / ".helpt" / "site.json", destination=bundle_dir, city_file=city_file
        ).summary()
    else:
        zip_file = bundle_dir / ZIP_NAME
        bundle_note = f"{zip_file} ({zip_file.stat().st_size / 1e6:.2f} MB, built before)"
    uploads = site_uploads(output)
    if dry_run:
        say("\n".join([*plan(settings, city, uploads, bundle_note), "Dry run: nothing was sent to AWS."]))
        return 0
    return _publish(settings, city, uploads, say)


def _publish(settings: DeploySettings, city: CitySettings, uploads: list[Upload], say: Callable[[str], None]) -> int:
    import boto3  # only here: a dry run needs neither boto3's credentials nor the SAM CLI
    from botocore.exceptions import BotoCoreError, ClientError

    sam = find_sam()
    if sam is None:
        raise DeployError("the SAM CLI is not installed: run `make sam-cli`")
    if settings.waf is not None:
        if subprocess.run(waf_deploy_command(settings.waf, sam), cwd=PROJECT_DIR, check=False).returncode != 0:
            raise DeployError("sam deploy of waf.yaml failed (its messages are above); nothing else was done")
        try:
            web_acl = boto3.Session(region_name=WAF_REGION).client("cloudformation").describe_stacks(
                StackName=settings.waf.stack_name)["Stacks"][0]  # fmt: skip
        except (BotoCoreError, ClientError) as error:
            raise DeployError(f"AWS refused or could not be reached: {error}") from None
        arn = next(o["OutputValue"] for o in web_acl["Outputs"] if o["OutputKey"] == "WebAclArn")
        settings = DeploySettings(settings.stack_name, settings.region, {**settings.parameters, "WebAclArn": arn})
    if subprocess.run(sam_deploy_command(settings, sam), cwd=PROJECT_DIR, check=False).returncode != 0:
        raise DeployError("sam deploy failed (its messages are above); nothing was uploaded")
    session = boto3.Session(region_name=settings.region)
    try:
        stack = session.client("cloudformation").describe_stacks(StackName=settings.stack_name)["Stacks"][0]
        outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
        if outputs["SiteUrl"].rstrip("/") != city.site_url:
            host = urlsplit(city.site_url).hostname
            say(
                f"The stack serves {outputs['SiteUrl']}, but the site was built for {city.site_url} (city.toml). "
                f"Either set CertificateArn in samconfig.toml to an ACM certificate (us-east-1) for {host}, or set "
                f"site_url = {outputs['SiteUrl']!r} in city.toml to start on CloudFront's address. Then run "
                "`make deploy` again. Nothing was uploaded."
            )
            return 2
        uploaded, deleted = upload_site(session.client("s3"), outputs["SiteBucketName"], uploads)
        say(
            f"Uploaded {uploaded} files to s3://{outputs['SiteBucketName']}/, deleted {deleted} the site no longer has."
        )
        invalidate(session.client("cloudfront"), outputs["DistributionId"])
    except (BotoCoreError, ClientError) as error:
        raise DeployError(f"AWS refused or could not be reached: {error}") from None
    say(f"Invalidated CloudFront {outputs['DistributionId']}. The site is at {outputs['SiteUrl']}/")
    return 0


def upload_site(s3: Any, bucket: str, uploads: list[Upload]) -> tuple[int, int]:
    """Put every file (in the given order), then delete what the site no longer has; return both counts.

    Fingerprinted assets are never deleted: a page cached in a browser or at the edge may still name the old one.
    """
    for upload in uploads:
        with upload.path.open("rb") as body:
            s3.put_object(Bucket=bucket, Key=upload.key, Body=body, ContentType=upload.content_type,
                          CacheControl=upload.cache_control)  # fmt: skip
    current = {upload.key for upload in uploads}
    stale = [
        {"Key": item["Key"]}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
        if item["Key"] not in current and not _FINGERPRINTED.search(item["Key"])
    ]
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1,000 keys
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[start : start + 1000], "Quiet": True})
    return len(uploads), len(stale)


def invalidate(cloudfront: Any, distribution_id: str) -> str:
    """Drop every cached copy (one wildcard path: within the 1,000 free paths a month); return the invalidation id."""
    answer = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"helpt-{time.time_ns()}"},
    )
    return answer["Invalidation"]["Id"]
