"""Exports in the back office (/staff/export), for coordinators: the form, the file, the logs, and on AWS the
job, the worker and the link.

Locally the back office is asked with payload 2.0 events over a real SQLite store, and the file it answers
with is opened as a spreadsheet would (openpyxl in normal mode, the csv module). On AWS the same code runs
against moto in server mode (S3 with the template's encryption and lifecycle, SQS with its dead-letter
queue, DynamoDB): the job is queued by the back office, taken from the queue and handed to the worker's
Lambda entry point as Lambda hands it over, and the link the job's page gives is fetched. Chromium downloads
an export through the preview server itself, and checks the pages with axe; the W3C checker checks them too.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import stat
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import boto3
import pytest
from backoffice_support import Browser, Clock, make_account, save_pages, signed_in
from browser_support import Sweep, serve_directory
from conftest import LEUVEN
from dynamodb_servers import REGION, dynamodb_store
from openpyxl import load_workbook
from test_backoffice_find_logs import check_html
from test_staff_support import NOW, expired, help_request, vacancy_response, volunteer

from helpt.settings import load_city
from helpt.staff.cli import main
from helpt.staff.texts import load_texts
from helpt.staff.vacancies import vacancies_from_site_data
from helpt.staff.web import export_delivery, export_worker
from helpt.staff.web.app import BackOffice
from helpt.staff.web.export_delivery import GIVE_UP_SECONDS, JOB_ID
from helpt.staff.web.file_answers import BODY_FILE, private_folder, read_body
from helpt.stores import StoreError
from helpt.stores.sqlite import SQLiteStore
from helpt_site.build import PROJECT_DIR
from helpt_site.local_api import LocalApi

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

CITY = load_city(LEUVEN)
SITE_DATA = {
    "form_pages": {
        key: {lang: {"form": "vacancy_response", "lang": lang, "title": title, "organisation_id": "red-cross",
                     "organisation": "Rode Kruis Leuven", "contact": "Els"} for lang, title in titles.items()}
        for key, titles in (("food-parcels", {"nl": "Voedselpakketten rondbrengen", "en": "Delivering food parcels"}),
                            ("face-masks", {"nl": "Mondmaskers naaien", "en": "Sewing face masks"}))
    }
}  # fmt: skip
VACANCIES = vacancies_from_site_data(SITE_DATA)
RECORDS = (
    help_request("H-AAAA-AAAA", 300, details="=HYPERLINK(\"http://x\")"), volunteer("V-AAAA-AAAA", 400),
    vacancy_response("R-AAAA-AAAA", 200), vacancy_response("R-BBBB-BBBB", 150, vacancy="face-masks"),
    vacancy_response("R-CCCC-CCCC", 100, name="Piet Peeters"), expired(vacancy_response("R-DDDD-DDDD", 50)),
)  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_VARIABLES = ("HELPT_EXPORT_BUCKET", "HELPT_EXPORT_QUEUE_URL", "HELPT_EXPORT_KMS_KEY", "AWS_ENDPOINT_URL")


@pytest.fixture(autouse=True)
def locally(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local preview unless a test sets up the AWS path itself."""
    for name in EXPORT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    for record in RECORDS:
        assert store.add(record)
    return store


@pytest.fixture
def office(store: SQLiteStore) -> BackOffice:
    return BackOffice(CITY, store, clock=Clock(NOW), secure=True, vacancies=VACANCIES)


def coordinator(office: BackOffice, name: str = "jan", lang: str = "nl") -> Browser:
    return signed_in(office, make_account(office.store, name, "coordinator"), lang)


def waiting_files() -> set[Path]:
    return set(private_folder().iterdir())


def export(browser: Browser, **fields: str) -> dict:
    """The answer to the form posted with these fields (and the page's CSRF token)."""
    page = browser.get("/staff/export")
    return browser.post("/staff/export", {"csrf": page.csrf(), **fields}).raw


# Who may export ---------------------------------------------------------------------------------------------


def test_only_coordinators_export(office: BackOffice, store: SQLiteStore) -> None:
    job = "1600000000-" + "0" * 32
    for role in ("call_centre", "privacy_officer", "organisation"):
        browser = signed_in(office, make_account(store, f"x.{role}", role))
        refused = browser.get("/staff/export")
        assert refused.status == 403, role
        assert "/staff/export" not in [a["href"] for a in refused.soup.select("nav.menu a")], "not in their menu"
        assert browser.post("/staff/export", {"csrf": refused.csrf(), "format": "csv"}).status == 403, role
        assert browser.get(f"/staff/export/{job}").status == 403, role
    menu = coordinator(office).get("/staff/").soup.select("nav.menu a")
    assert [a.text for a in menu if a["href"] == "/staff/export"] == [load_texts("nl").gettext("Export")]
    assert list(store.log_entries()) == [], "nothing was exported"
    assert [entry.action for entry in store.audit_entries(now=NOW)] == ["refused"] * 9


def test_a_post_without_the_token_or_from_another_site_exports_nothing(office: BackOffice, store: SQLiteStore) -> None:
    browser = coordinator(office)
    csrf = browser.get("/staff/export").csrf()
    before = waiting_files()
    assert browser.post("/staff/export", {"format": "csv"}).status == 403
    assert browser.post("/staff/export", {"csrf": "x" * 43, "format": "csv"}).status == 403
    other_site = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}
    assert browser.post("/staff/export", {"csrf": csrf, "format": "csv"}, headers=other_site).status == 403
    assert list(store.log_entries()) == [] and waiting_files() == before


# The form ---------------------------------------------------------------------------------------------------


def test_the_form_has_the_filters_of_helpt_export_and_a_link_can_fill_it_in(office: BackOffice) -> None:
    browser = coordinator(office, lang="en")

    page = browser.get("/staff/export", "form=vacancy_response&vacancy=food-parcels")

    assert page.status == 200 and page.soup.h1.text == "Export" and page.headers["cache-control"] == "no-store"
    form = page.soup.select_one("main form")
    assert form["method"] == "post" and form["action"] == "/staff/export" and form.has_attr("novalidate")
    names = {control["name"] for control in form.select("input, select")}
    assert names == {"csrf", "form", "from", "until", "status", "neighbourhood", "postcode", "vacancy", "format",
                     "separator"}  # fmt: skip
    assert page.soup.select_one("#e-form option[selected]")["value"] == "vacancy_response"
    vacancies = [(o["value"], o.text) for o in page.soup.select("#e-vacancy option")]
    assert vacancies == [("", "any vacancy, or none"), ("food-parcels", "Delivering food parcels (Rode Kruis Leuven)"),
                         ("face-masks", "Sewing face masks (Rode Kruis Leuven)")]  # fmt: skip
    assert page.soup.select_one("#e-vacancy option[selected]")["value"] == "food-parcels"
    assert [o.text for o in page.soup.select("#e-neighbourhood option")][1:] == [h.name for h in CITY.neighbourhoods]
    assert not page.soup.select("input[type=radio][checked]"), "nothing chosen for the coordinator"
    for control in form.select("input:not([type=hidden]), select"):
        assert page.soup.select_one(f"label[for={control['id']}]"), control["id"]
    assert [legend.text for legend in page.soup.select("legend")] == ["Which records", "Kind of file"]

    removed = browser.get("/staff/export", "vacancy=closed-vacancy&form=nonsense&status=" + "x" * 500)
    assert removed.status == 200 and removed.soup.select_one("#e-vacancy option[selected]")["value"] == (
        "closed-vacancy"
    ), "a vacancy gone from the site still has its responses"
    assert removed.soup.select_one("#e-form option[selected]") is None
    assert browser.get("/staff/export", "vacancy=%3Cscript%3E").soup.select_one("#e-vacancy option[selected]") is None


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_what_cannot_be_exported_is_said_beside_its_field_with_everything_typed_kept(
    office: BackOffice, store: SQLiteStore, lang: str
) -> None:
    _ = load_texts(lang).gettext
    browser = coordinator(office, lang=lang)
    typed = {"form": "help_request", "from": "16/03/2020", "until": "2020-02-30", "status": "new",
             "neighbourhood": "Kessel-Lo", "postcode": "99999", "vacancy": "food-parcels",
             "separator": ";"}  # fmt: skip
    before = waiting_files()

    page = browser.post("/staff/export", {"csrf": browser.get("/staff/export").csrf(), **typed})

    assert page.status == 422
    assert page.soup.title.text.startswith(_("Error:")), "F4: the title says there is a problem"
    assert page.soup.main.find(True)["class"] == ["error-summary"], "the summary comes first"
    summary = [(a["href"], a.text) for a in page.soup.select(".error-summary a")]
    assert summary == [
        ("#e-from", _("Type the day as year-month-day, for example %(example)s") % {"example": "2020-03-16"}),
        ("#e-until", _("Type the day as year-month-day, for example %(example)s") % {"example": "2020-03-31"}),
        ("#e-postcode", _("Type one of the city's postcodes, for example %(example)s") % {"example": "3000"}),
        ("#e-format-xlsx", _("Choose the kind of file: Excel or CSV")),
    ]
    for anchor, message in summary:
        assert page.soup.select_one(anchor)["aria-invalid"] == "true", anchor
        beside = "#e-format-error" if anchor == "#e-format-xlsx" else f"{anchor}-error"  # a group's, by its legend
        assert page.soup.select_one(beside).text.endswith(message), "the same words beside the field"
    for name in ("from", "until", "postcode"):
        assert page.soup.select_one(f"input[name={name}]")["value"] == typed[name], name
    for name in ("form", "status", "neighbourhood", "vacancy", "separator"):
        assert page.soup.select_one(f"select[name={name}] option[selected]")["value"] == typed[name], name
    assert list(store.log_entries()) == [] and waiting_files() == before
    assert "export" not in [entry.action for entry in store.audit_entries(now=NOW)]

    fixed = {**typed, "from": "2020-03-16", "until": "2020-03-31", "postcode": "", "format": "csv"}
    again = browser.post("/staff/export", {"csrf": page.csrf(), **fixed})
    assert [(a["href"], a.text) for a in again.soup.select(".error-summary a")] == [
        ("#e-vacancy", _("Only vacancy responses have a vacancy: choose the form Vacancy responses, or no vacancy"))
    ], "the core's own check, in the web's words"
    both = browser.post("/staff/export", {"csrf": page.csrf(), **fixed, "vacancy": "", "postcode": "3010"})
    assert [a["href"] for a in both.soup.select(".error-summary a")] == ["#e-postcode"]
    later = {**fixed, "vacancy": "", "from": "2020-03-31", "until": "2020-03-16"}
    backwards = browser.post("/staff/export", {"csrf": page.csrf(), **later})
    assert [a.text for a in backwards.soup.select(".error-summary a")] == [_("The last day must be the first day or "
                                                                             "later")]  # fmt: skip
    assert list(store.log_entries()) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"postcode": "3" * 20_000, "format": "csv"},
        {"from": "2020-03-16\x00", "until": "\u202e2020-03-31", "format": "xlsx"},
        {"vacancy": "=cmd|' /C calc'!A0", "format": "csv"},
        {"status": "new\r\n", "form": "+help_request", "format": "csv", "separator": "|"},
        {"neighbourhood": "Kessel-Lo\u0000", "format": "csv"},
        {"format": "pdf"},
    ],
)
def test_hostile_input_gets_a_message_never_a_failure(
    office: BackOffice, store: SQLiteStore, fields: dict[str, str]
) -> None:
    browser = coordinator(office, lang="en")

    page = browser.post("/staff/export", {"csrf": browser.get("/staff/export").csrf(), **fields})

    assert page.status == 422 and page.soup.title.text.startswith("Error:")
    assert page.soup.select(".error-summary a") and "Traceback" not in page.body
    assert list(store.log_entries()) == []


def test_a_lone_surrogate_or_a_body_that_is_no_form_is_refused_readably(office: BackOffice, store: SQLiteStore) -> None:
    browser = coordinator(office, lang="en")
    csrf = browser.get("/staff/export").csrf()
    for body in (f"csrf={csrf}&neighbourhood=Kessel-Lo%ED%A0%80&format=csv", f"csrf={csrf}&format=%FF"):
        page = browser._send("POST", "/staff/export", "", body, dict(browser.headers))
        assert page.status == 400 and "We could not read what was sent" in page.text(), body
    assert list(store.log_entries()) == []


# The file ---------------------------------------------------------------------------------------------------


def test_the_download_is_the_file_the_command_line_makes_logged_and_audited(
    office: BackOffice, store: SQLiteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = coordinator(office, lang="en")
    before = waiting_files()

    answer = export(browser, form="vacancy_response", vacancy="food-parcels", format="xlsx")

    assert answer["statusCode"] == 200 and answer["headers"]["content-type"] == XLSX
    disposition = answer["headers"]["content-disposition"]
    local = NOW.astimezone(ZoneInfo(CITY.timezone))
    assert disposition == f'attachment; filename="helpt-export-{local:%Y-%m-%d-%H%M}.xlsx"'
    assert answer["headers"]["cache-control"] == "no-store" and "strict-transport-security" in answer["headers"]
    waiting = Path(answer[BODY_FILE])
    assert waiting.parent == private_folder() and waiting_files() == before | {waiting}
    assert stat.S_IMODE(waiting.stat().st_mode) == 0o600 and stat.S_IMODE(waiting.parent.stat().st_mode) == 0o700
    assert answer["body"] == "", "the body is the file, streamed by the preview server"

    workbook = load_workbook(io.BytesIO(read_body(answer)))

    assert not waiting.exists(), "deleted once read"
    sheet = workbook.active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[0] for row in rows[1:]] == ["R-AAAA-AAAA", "R-CCCC-CCCC"], "this vacancy's live responses"
    assert rows[1][rows[0].index("Vacancy title")] == "Delivering food parcels"
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold and sheet.auto_filter.ref.endswith("3")
    (entry,) = store.log_entries()
    assert (entry.who, entry.action, entry.filter, entry.rows) == (
        "jan", "export", "form=vacancy_response vacancy=food-parcels format=xlsx", 2,
    )  # fmt: skip
    assert [(e.who, e.action, e.reference) for e in store.audit_entries(now=NOW)] == [("jan", "export", "")]

    # The command line, on the same store with the same filters and site data, writes the same rows.
    site = tmp_path / "site.json"
    site.write_text(json.dumps(SITE_DATA), encoding="utf-8")
    monkeypatch.setenv("HELPT_SITE_DATA", str(site))
    web = read_body(export(browser, vacancy="food-parcels", format="csv", separator=";"))
    command_line = tmp_path / "cli.csv"
    options = ["--vacancy", "food-parcels", "--separator", ";", "--city", str(LEUVEN), "--lang", "en"]
    code = main(["export", "--output", str(command_line), "--sqlite", str(tmp_path / "data/helpt.sqlite3"), *options])
    assert code == 0 and web == command_line.read_bytes()
    assert [e.filter for e in store.log_entries()][1:] == ["vacancy=food-parcels format=csv"] * 2


def test_a_csv_download_keeps_the_separator_and_neutralises_formulas(office: BackOffice) -> None:
    import csv

    browser = coordinator(office, lang="en")

    body = read_body(export(browser, form="help_request", format="csv", separator=";"))

    assert body.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";")
    assert row["Reference"] == "H-AAAA-AAAA" and row["Tell us more"] == '\'=HYPERLINK("http://x")'
    assert dt.datetime.strptime(row["Received"], "%Y-%m-%d %H:%M")
    tabbed = read_body(export(browser, form="help_request", format="csv", separator="tab"))
    assert tabbed.decode("utf-8-sig").splitlines()[0].startswith("Reference\tForm\tReceived")


def test_a_store_that_fails_half_way_leaves_no_file_and_the_form_as_it_was(
    office: BackOffice, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = coordinator(office, lang="en")
    csrf = browser.get("/staff/export").csrf()
    before = waiting_files()

    def failing(**request: object) -> Iterator[object]:
        yield RECORDS[0]
        raise StoreError("SQLite store: stream failed (OperationalError)")

    monkeypatch.setattr(store, "stream", failing)
    page = browser.post("/staff/export", {"csrf": csrf, "status": "new", "format": "xlsx"})

    assert page.status == 503 and "The export could not be made" in page.text()
    assert [a["href"] for a in page.soup.select(".error-summary a")] == ["#e-submit"]
    assert page.soup.select_one("#e-status option[selected]")["value"] == "new"
    assert page.soup.select_one("#e-format-xlsx").has_attr("checked"), "what was chosen is kept"
    # The half-written rows were in a folder beside the file (export_xlsx.py): gone with it.
    assert waiting_files() == before and list(store.log_entries()) == []


def test_a_job_page_does_not_exist_without_the_citys_cloud(office: BackOffice) -> None:
    assert coordinator(office).get("/staff/export/1600000000-" + "a" * 32).status == 404


# On AWS: a job, the worker, a link -------------------------------------------------------------------------


class Cloud:
    """The export bucket (configured as template.yaml configures it), the queues and the city's key, in moto."""

    def __init__(self, endpoint: str, monkeypatch: pytest.MonkeyPatch, template: dict) -> None:
        clients = {"region_name": REGION, "endpoint_url": endpoint, "aws_access_key_id": "testing",
                   "aws_secret_access_key": "testing"}  # fmt: skip
        self.s3, self.sqs, kms = (boto3.client(name, **clients) for name in ("s3", "sqs", "kms"))
        self.key = kms.create_key(Description="the submissions key")["KeyMetadata"]["Arn"]
        self.bucket = f"helpt-exports-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        written = template["Resources"]["ExportBucket"]["Properties"]
        blocked = written["PublicAccessBlockConfiguration"]
        self.s3.put_public_access_block(Bucket=self.bucket, PublicAccessBlockConfiguration=blocked)
        (rule,) = written["LifecycleConfiguration"]["Rules"]
        self.s3.put_bucket_lifecycle_configuration(Bucket=self.bucket, LifecycleConfiguration={"Rules": [{
            "ID": rule["Id"], "Status": rule["Status"], "Filter": {"Prefix": ""},
            "Expiration": {"Days": rule["ExpirationInDays"]},
            "AbortIncompleteMultipartUpload": rule["AbortIncompleteMultipartUpload"],
        }]})  # fmt: skip
        (default,) = written["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        self.s3.put_bucket_encryption(Bucket=self.bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": default["ServerSideEncryptionByDefault"][
                "SSEAlgorithm"], "KMSMasterKeyID": self.key}, "BucketKeyEnabled": default["BucketKeyEnabled"],
        }]})  # fmt: skip
        queue = template["Resources"]["ExportQueue"]["Properties"]
        dead = self.sqs.create_queue(QueueName=f"dead-{self.bucket}")["QueueUrl"]
        dead_arn = self.sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = {"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(queue["RedrivePolicy"]["maxReceiveCount"])}
        self.queue = self.sqs.create_queue(QueueName=f"jobs-{self.bucket}", Attributes={
            "VisibilityTimeout": str(queue["VisibilityTimeout"]), "RedrivePolicy": json.dumps(redrive),
        })["QueueUrl"]  # fmt: skip
        self.queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]  # fmt: skip
        for name, value in {"HELPT_EXPORT_BUCKET": self.bucket, "HELPT_EXPORT_QUEUE_URL": self.queue,
                            "HELPT_EXPORT_KMS_KEY": self.key, "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION,
                            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_PROFILE", raising=False)

    def lambda_event(self) -> dict:
        """The queue's next message, as Lambda's event source mapping hands it to the function."""
        (message,) = self.sqs.receive_message(QueueUrl=self.queue, WaitTimeSeconds=2, AttributeNames=["All"],
                                              MaxNumberOfMessages=10)["Messages"]  # fmt: skip
        return {"Records": [{
            "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
            "attributes": message["Attributes"], "messageAttributes": {}, "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs", "eventSourceARN": self.queue_arn, "awsRegion": REGION,
        }]}  # fmt: skip

    def done(self, event: dict, answer: dict) -> None:
        """What Lambda does after the function: deletes the messages not reported as failed."""
        failed = {item["itemIdentifier"] for item in answer["batchItemFailures"]}
        for record in event["Records"]:
            if record["messageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=record["receiptHandle"])

    def head(self, key: str) -> dict | None:
        try:
            return self.s3.head_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.ClientError:
            return None


@pytest.fixture
def cloud(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Cloud]:
    from cfnlint.decode import decode_str

    from helpt_site.deploy import TEMPLATE

    template, problems = decode_str(TEMPLATE.read_text(encoding="utf-8"))
    assert not problems
    yield Cloud(request.getfixturevalue("moto_endpoint"), monkeypatch, template)


@pytest.fixture
def aws_office(request: pytest.FixtureRequest, cloud: Cloud, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The back office over DynamoDB (moto), and the worker's environment as template.yaml gives it."""
    store = dynamodb_store(request, "dynamodb-moto")
    for record in RECORDS:
        assert store.add(record)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "site.json").write_text(json.dumps(SITE_DATA), encoding="utf-8")
    environment = {"HELPT_STORE": "dynamodb", "HELPT_TABLE": store.table_name, "HELPT_BUNDLE_DIR": str(bundle),
                   "HELPT_CITY": str(LEUVEN), "HELPT_EXPORT_SCRATCH": str(tmp_path / "scratch")}  # fmt: skip
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    export_worker._worker.cache_clear()
    yield BackOffice(CITY, store, clock=Clock(NOW), secure=True, vacancies=VACANCIES)
    export_worker._worker.cache_clear()


def job_of(answer_location: str) -> str:
    job = answer_location.removeprefix("/staff/export/")
    assert JOB_ID.match(job), answer_location
    return job


def presigned_parameters(link: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}


def signature_for(link: str, expires: int) -> str:
    """The SigV4 signature of this link's request at its own X-Amz-Date, had it been made for `expires`
    seconds: what S3 recomputes, so that a link whose expiry was changed no longer matches."""
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    parts = urlsplit(link)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("X-Amz-")]
    signed_at = dt.datetime.strptime(presigned_parameters(link)["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    request = AWSRequest("GET", f"{parts.scheme}://{parts.netloc}{parts.path}", params=query)
    signer = botocore.auth.S3SigV4QueryAuth(Credentials("testing", "testing"), "s3", REGION, expires=expires)
    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: signed_at  # type: ignore[assignment]
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = original  # type: ignore[assignment]
    return presigned_parameters(request.url)["X-Amz-Signature"]


def test_on_aws_the_export_is_made_off_the_request_and_handed_over_by_a_link_for_a_few_minutes(
    aws_office: BackOffice, cloud: Cloud
) -> None:
    jan, piet = coordinator(aws_office, "jan", "en"), coordinator(aws_office, "piet", "en")
    csrf = jan.get("/staff/export").csrf()

    posted = jan.post("/staff/export", {"csrf": csrf, "form": "vacancy_response", "format": "xlsx"})

    assert posted.status == 303
    job = job_of(posted.location)
    store = aws_office.store
    assert list(store.log_entries()) == [], "made by the worker, which logs it"
    assert [(e.who, e.action) for e in store.audit_entries(now=NOW)] == [("jan", "export")]
    marker = cloud.head(f"jobs/{job}")
    assert marker and marker["Metadata"] == {"owner": hashlib.sha256(b"jan").hexdigest()}
    waiting = jan.get(posted.location)
    assert waiting.status == 200 and waiting.soup.h1.text == "Your export is being made"
    assert waiting.soup.select_one("main a")["href"] == posted.location and not waiting.soup.select("meta[http-equiv]")
    assert waiting.headers["cache-control"] == "no-store"
    assert piet.get(posted.location).status == 404, "another account's job does not exist for them"

    event = cloud.lambda_event()
    message = json.loads(event["Records"][0]["body"])
    assert set(message) == {"job", "account", "lang", "order"} and message["job"] == job
    assert not {"Jan De Smet", "Piet Peeters", "jan@example.com"} & set(json.dumps(message).split('"'))
    answer = export_worker.lambda_handler(event, None)
    cloud.done(event, answer)

    assert answer == {"batchItemFailures": []}
    (entry,) = store.log_entries()
    assert (entry.who, entry.filter, entry.rows) == ("jan", "form=vacancy_response format=xlsx", 3)
    made = cloud.head(f"exports/{job}")
    assert made is not None and made["ServerSideEncryption"] == "aws:kms" and made["SSEKMSKeyId"] == cloud.key
    assert made["CacheControl"] == "no-store" and made["ContentType"] == XLSX
    assert made["ContentDisposition"].startswith('attachment; filename="helpt-export-')
    (rule,) = cloud.s3.get_bucket_lifecycle_configuration(Bucket=cloud.bucket)["Rules"]
    assert rule["Expiration"] == {"Days": 1} and rule["Status"] == "Enabled", "as template.yaml has it"
    assert list(Path(os.environ["HELPT_EXPORT_SCRATCH"]).iterdir()) == [], "nothing left in /tmp"

    ready = jan.get(posted.location)
    assert ready.status == 200 and ready.soup.h1.text == "Your export is ready"
    link = ready.soup.select_one("main a.button")["href"]
    parameters = presigned_parameters(link)
    assert parameters["X-Amz-Expires"] == str(export_delivery.LINK_SECONDS) == "300"
    assert parameters["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and parameters["X-Amz-SignedHeaders"] == "host"
    signed_at = dt.datetime.strptime(parameters["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - signed_at).total_seconds()) < 60, "valid from now, for five minutes"
    assert signature_for(link, 300) == parameters["X-Amz-Signature"], "the five minutes are signed"
    assert signature_for(link, 86400) != parameters["X-Amz-Signature"], "a longer link would not be S3's"
    assert parameters["response-content-disposition"] == made["ContentDisposition"]
    assert parameters["response-cache-control"] == "no-store"
    with urllib.request.urlopen(link, timeout=10) as response:
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"] == made["ContentDisposition"]
        workbook = load_workbook(io.BytesIO(response.read()))
    rows = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert [row[0] for row in rows[1:]] == ["R-AAAA-AAAA", "R-BBBB-BBBB", "R-CCCC-CCCC"]
    assert [row[rows[0].index("Vacancy title")] for row in rows[1:]] == [
        "Delivering food parcels", "Sewing face masks", "Delivering food parcels",
    ]  # fmt: skip
    again = presigned_parameters(jan.get(posted.location).soup.select_one("main a.button")["href"])
    assert again["X-Amz-Date"] >= parameters["X-Amz-Date"], "each visit signs a fresh link"

    refused = piet.get(posted.location)
    assert refused.status == 404 and cloud.bucket not in refused.body, "no link for another account"
    aws_office.clock.advance(seconds=GIVE_UP_SECONDS + 60)  # type: ignore[attr-defined]
    jan = signed_in(aws_office, store.get_account("jan"), "en")  # signed out meanwhile: idle too long
    assert jan.get(posted.location).status == 200, "a file that is there stays there until S3 deletes it"


def test_on_aws_an_export_that_fails_says_so_at_once_and_a_lost_one_is_given_up(
    aws_office: BackOffice, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    jan = coordinator(aws_office, "jan", "nl")
    posted = jan.post("/staff/export", {"csrf": jan.get("/staff/export").csrf(), "format": "csv"})
    job = job_of(posted.location)
    worker = export_worker._worker()

    def unreachable(**request: object) -> Iterator[object]:
        raise StoreError("DynamoDB store: stream failed (EndpointConnectionError)")
        yield

    monkeypatch.setattr(worker.store, "stream", unreachable)
    event = cloud.lambda_event()
    answer = export_worker.lambda_handler(event, None)
    cloud.done(event, answer)

    assert answer == {"batchItemFailures": []}, "done with: the page says so, the coordinator tries again"
    assert cloud.head(f"failed/{job}") is not None and cloud.head(f"exports/{job}") is None
    page = jan.get(posted.location)
    assert page.status == 200 and page.soup.h1.text == load_texts("nl").gettext("Your export could not be made")
    assert list(aws_office.store.log_entries()) == [], "nothing was taken out"

    lost = job_of(jan.post("/staff/export", {"csrf": jan.get("/staff/export").csrf(), "format": "csv"}).location)
    cloud.lambda_event()  # taken, and its worker died: no file, no failure
    assert jan.get(f"/staff/export/{lost}").status == 200
    aws_office.clock.advance(seconds=GIVE_UP_SECONDS + 1)  # type: ignore[attr-defined]
    jan = signed_in(aws_office, aws_office.store.get_account("jan"), "nl")  # signed out meanwhile: idle too long
    assert jan.get(f"/staff/export/{lost}").status == 404, "given up: it would have come by now"

    nonsense = {"Records": [{"messageId": "m-1", "body": '{"job": "../../etc"}'}]}
    assert export_worker.lambda_handler(nonsense, None) == {"batchItemFailures": []}, "no job: not retried"
    assert jan.get("/staff/export/../exports").status == 404


def test_on_aws_a_queue_that_does_not_answer_keeps_the_form_as_it_was(
    aws_office: BackOffice, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPT_EXPORT_QUEUE_URL", cloud.queue + "-gone")
    jan = coordinator(aws_office, "jan", "en")

    page = jan.post("/staff/export", {"csrf": jan.get("/staff/export").csrf(), "status": "new", "format": "csv"})

    assert page.status == 503 and "The export could not be made" in page.text()
    assert page.soup.select_one("#e-status option[selected]")["value"] == "new"
    assert "export" not in [e.action for e in aws_office.store.audit_entries(now=NOW)]


# The pages, checked -----------------------------------------------------------------------------------------


def test_the_w3c_html_checker_finds_no_errors_on_the_export_pages(
    aws_office: BackOffice, cloud: Cloud, tmp_path: Path
) -> None:
    from browser_support import require_vnu

    java = require_vnu()
    answers = {}
    for lang in ("nl", "en"):
        browser = coordinator(aws_office, f"jan.{lang}", lang)
        csrf = browser.get("/staff/export").csrf()
        answers[f"form-{lang}"] = browser.get("/staff/export", "form=vacancy_response&vacancy=food-parcels")
        answers[f"errors-{lang}"] = browser.post("/staff/export", {"csrf": csrf, "from": "x", "separator": "?"})
        location = browser.post("/staff/export", {"csrf": csrf, "format": "xlsx"}).location
        answers[f"waiting-{lang}"] = browser.get(location)
        event = cloud.lambda_event()
        cloud.done(event, export_worker.lambda_handler(event, None))
        answers[f"ready-{lang}"] = browser.get(location)
        failed = browser.post("/staff/export", {"csrf": csrf, "format": "csv"}).location
        cloud.lambda_event()
        cloud.s3.put_object(Bucket=cloud.bucket, Key=f"failed/{job_of(failed)}", Body=b"")
        answers[f"failed-{lang}"] = browser.get(failed)
    assert {name: a.status for name, a in answers.items() if a.status != 200} == {"errors-nl": 422, "errors-en": 422}
    assert check_html(java, save_pages(tmp_path / "pages", answers)) == []


def stylesheets(root: Path) -> None:
    """The theme's stylesheets under root/theme/css/ as the build writes them (the city's colours first), so
    that pages are checked as they look, without building the whole site."""
    folder = root / "theme" / "css"
    folder.mkdir(parents=True)
    source = PROJECT_DIR / "theme" / "static" / "css"
    colours = f":root{{--primary:{CITY.primary_colour};--tint:{CITY.tint_colour}}}\n"
    (folder / "site.css").write_text(colours + (source / "site.css").read_text("utf-8"), encoding="utf-8")
    (folder / "staff.css").write_text((source / "staff.css").read_text("utf-8"), encoding="utf-8")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[str, LocalApi]]:
    """The preview server itself, with its local API over a fresh store and the theme's stylesheets."""
    root = tmp_path / "output"
    (root / ".helpt").mkdir(parents=True)
    (root / ".helpt" / "site.json").write_text(json.dumps(SITE_DATA), encoding="utf-8")
    stylesheets(root)
    api = LocalApi(PROJECT_DIR, root, LEUVEN, tmp_path / "data")
    for record in RECORDS:
        api.store.add(record)
    with serve_directory(root, api) as url:
        yield url, api


def test_chromium_downloads_an_export_through_the_preview_server_without_javascript(
    browser, preview: tuple[str, LocalApi]
) -> None:
    url, api = preview
    make_account(api.store, "jan", "coordinator")
    before = waiting_files()
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{url}/staff/signin?next=/staff/export")
    page.get_by_label("Aanmeldnaam").fill("jan")
    page.get_by_label("Wachtwoord").fill("paard batterij nietje correct")
    page.get_by_role("button", name="Aanmelden").click()
    assert page.url == f"{url}/staff/export"
    page.get_by_label("Vacature").select_option("food-parcels")
    page.locator("#e-format-xlsx").check()
    with page.expect_download() as waiting:
        page.locator("#e-submit").click()
    download = waiting.value
    assert download.suggested_filename.startswith("helpt-export-") and download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = [[c.value for c in row] for row in workbook.active.iter_rows()]
    context.close()
    assert [row[0] for row in rows[1:]] == ["R-AAAA-AAAA", "R-CCCC-CCCC"]
    assert waiting_files() == before, "the preview server deleted the file once it was sent"
    (entry,) = api.store.log_entries()
    assert (entry.who, entry.rows) == ("jan", 2)


def test_axe_finds_no_violations_on_the_export_pages_and_nothing_scrolls_sideways(
    browser, aws_office: BackOffice, cloud: Cloud, tmp_path: Path
) -> None:
    pages = {}
    for lang in ("nl", "en"):
        jan = coordinator(aws_office, f"jan.{lang}", lang)
        csrf = jan.get("/staff/export").csrf()
        pages[f"form-{lang}"] = jan.get("/staff/export", "form=vacancy_response&vacancy=food-parcels")
        pages[f"errors-{lang}"] = jan.post("/staff/export", {"csrf": csrf, "from": "x", "postcode": "1"})
        location = jan.post("/staff/export", {"csrf": csrf, "format": "csv"}).location
        pages[f"waiting-{lang}"] = jan.get(location)
        event = cloud.lambda_event()
        cloud.done(event, export_worker.lambda_handler(event, None))
        pages[f"ready-{lang}"] = jan.get(location)
        failed = jan.post("/staff/export", {"csrf": csrf, "format": "csv"}).location
        cloud.lambda_event()
        cloud.s3.put_object(Bucket=cloud.bucket, Key=f"failed/{job_of(failed)}", Body=b"")
        pages[f"failed-{lang}"] = jan.get(failed)
    folder = tmp_path / "served"
    stylesheets(folder)
    for name, answer in pages.items():
        # The pages as the back office answered them, served as files beside the theme's stylesheets.
        (folder / f"{name}.html").write_text(answer.body, encoding="utf-8")
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    sweep = Sweep()
    with serve_directory(folder) as url:
        for name in pages:
            page.goto(f"{url}/{name}.html")
            sweep.check(page, name)
    context.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)


def test_an_answer_with_a_file_reads_like_any_other(office: BackOffice) -> None:
    answer = export(coordinator(office, lang="en"), form="help_request", format="csv")
    inline = {"body": base64.b64encode(b"abc").decode(), "isBase64Encoded": True}
    assert read_body(inline) == b"abc" and read_body({"body": "é"}) == "é".encode()
    assert read_body(answer).startswith(b"\xef\xbb\xbfReference,")
