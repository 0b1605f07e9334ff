"""Exports on AWS: made off the request by the export worker, handed over as a short-lived link to S3.

A Lambda answer through API Gateway is at most 6 MB and HTTP API waits 30 s at most, while an export of a
hundred thousand records is tens of megabytes and takes longer than that. So on AWS (HELPT_EXPORT_BUCKET
and HELPT_EXPORT_QUEUE_URL set):

1. POST /staff/export puts a marker `jobs/<job>` in the export bucket (its metadata: a hash of the account's
   name) and the job on the queue: the export's filters and format, the account's name, the language and a
   random job id. No personal data is on the queue.
2. The export worker (export_worker.py, a Lambda function on that queue) makes the file with the same code as
   `helpt export` (helpt.staff.export.export_file: logged in the export log under the account's name), and
   writes it to `exports/<job>`: encrypted with the city's key, `Cache-Control: no-store`, an attachment. If
   it cannot, it writes `failed/<job>` instead, so the page can say so at once.
3. GET /staff/export/<job> looks: for another account (or a job that never was) the page does not exist; a
   file not there yet gives a page that says it is being made, with a plain link to look again (no script,
   and no timed refresh, which WCAG 2.2.1 asks to avoid); a file that is there gives a pre-signed GET link valid
   LINK_SECONDS, which asks S3 for `attachment` and `no-store` again.

The bucket is private (public access blocked, TLS only) and deletes everything after a day (template.yaml:
ExportBucket); the page says so. Job ids begin with the time they were made, so a job whose worker died (a
time-out) is given up after GIVE_UP_SECONDS instead of "being made" forever.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpt.staff.export_selection import ExportOrder

BUCKET_VARIABLE = "HELPT_EXPORT_BUCKET"
QUEUE_VARIABLE = "HELPT_EXPORT_QUEUE_URL"
KEY_VARIABLE = "HELPT_EXPORT_KMS_KEY"  # the worker's: the key that encrypts the files (the submissions' key)
LINK_SECONDS = 300  # a link to a file with personal data works five minutes; the page makes a new one
GIVE_UP_SECONDS = 40 * 60  # the worker's time-out (5 min), once more after the queue's visibility time-out (30 min)
# Where each thing lives in the bucket (template.yaml grants each function its prefixes only).
JOBS, FILES, FAILURES = "jobs/", "exports/", "failed/"
JOB_ID = re.compile(r"^[0-9]{10}-[0-9a-f]{32}$")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WAITING, READY, FAILED, GONE = "waiting", "ready", "failed", "gone"


def new_job_id(now: dt.datetime) -> str:
    """A job's id: when it was made (Unix seconds) and 128 random bits, so nobody can guess another's.

    >>> bool(JOB_ID.match(new_job_id(dt.datetime(2020, 3, 16, tzinfo=dt.UTC))))
    True
    """
    return f"{int(now.timestamp()):010d}-{secrets.token_hex(16)}"


def job_made_at(job_id: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(job_id.split("-", 1)[0]), dt.UTC)


def owner_tag(account: str) -> str:
    """Whose a job is, as its marker says it: a hash of the account's name, not the name itself."""
    return hashlib.sha256(account.encode("utf-8")).hexdigest()


def export_filename(made: dt.datetime, file_format: str) -> str:
    """The file's name, by the city's time it was made: ASCII, so it goes into a header as it is.

    >>> export_filename(dt.datetime(2020, 3, 16, 10, 30), "xlsx")
    'helpt-export-2020-03-16-1030.xlsx'
    """
    return f"helpt-export-{made:%Y-%m-%d-%H%M}.{file_format}"


class DeliveryError(RuntimeError):
    """The bucket or the queue did not take or give what was asked (unreachable, refused): try again."""


@dataclass(frozen=True)
class ExportJob:
    """One export to make off the request: what travels on the queue (no personal data)."""

    id: str
    account: str  # the back office account that asked: the export log names it, and only it gets the file
    lang: str  # the staff member's language: the headings and choices in the file
    order: ExportOrder

    def to_message(self) -> str:
        return json.dumps({"job": self.id, "account": self.account, "lang": self.lang, "order": self.order.to_json()})

    @classmethod
    def from_message(cls, text: str) -> ExportJob:
        """The job in a queue message. Raises ValueError for a message that is not one."""
        try:
            data = json.loads(text)
            job = cls(str(data["job"]), str(data["account"]), str(data["lang"]), ExportOrder.from_json(data["order"]))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"not an export job ({type(error).__name__})") from None
        if not JOB_ID.match(job.id) or not job.account:
            raise ValueError("not an export job (its id or account)")
        return job


@dataclass(frozen=True)
class JobState:
    state: str  # WAITING, READY, FAILED, or GONE (no such job, someone else's, or given up)
    link: str = ""  # READY: the pre-signed link, valid LINK_SECONDS


class S3Exports:
    """The export bucket and queue, for the back office (submit, look) and the worker (deliver, fail)."""

    def __init__(self, bucket: str, queue_url: str, *, s3: Any, sqs: Any | None = None, kms_key: str = "") -> None:
        self.bucket, self.queue_url, self.s3, self.sqs, self.kms_key = bucket, queue_url, s3, sqs, kms_key

    # The back office -----------------------------------------------------------------------------------------

    def submit(self, job: ExportJob) -> None:
        """Mark the job as this account's, then queue it (the marker first: the worker may be quick).
        Raises DeliveryError when the bucket or the queue does not take it."""
        if self.sqs is None:
            raise DeliveryError(f"no export queue ({QUEUE_VARIABLE})")
        with _errors("submit"):
            self.s3.put_object(
                Bucket=self.bucket, Key=JOBS + job.id, Body=b"", Metadata={"owner": owner_tag(job.account)},
                **self._encryption(),
            )  # fmt: skip
            self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=job.to_message())

    def look(self, job_id: str, account: str, now: dt.datetime) -> JobState:
        """Where the job stands, for this account only: GONE for anybody else's. Raises DeliveryError."""
        with _errors("look"):
            return self._look(job_id, account, now)

    def _look(self, job_id: str, account: str, now: dt.datetime) -> JobState:
        marker = self._head(JOBS + job_id)
        if marker is None or marker.get("Metadata", {}).get("owner") != owner_tag(account):
            return JobState(GONE)
        made = self._head(FILES + job_id)
        if made is not None:
            return JobState(READY, self._link(job_id, made))
        if self._head(FAILURES + job_id) is not None:
            return JobState(FAILED)
        return JobState(GONE if (now - job_made_at(job_id)).total_seconds() > GIVE_UP_SECONDS else WAITING)

    def _link(self, job_id: str, made: Mapping[str, Any]) -> str:
        params = {
            "Bucket": self.bucket, "Key": FILES + job_id,
            "ResponseContentDisposition": made.get("ContentDisposition") or "attachment",
            "ResponseCacheControl": "no-store",
        }  # fmt: skip
        if made.get("ContentType"):
            params["ResponseContentType"] = made["ContentType"]
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=LINK_SECONDS))

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return dict(self.s3.head_object(Bucket=self.bucket, Key=key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    # The worker ----------------------------------------------------------------------------------------------

    def deliver(self, job: ExportJob, path: Path, made: dt.datetime) -> None:
        """Put the finished file where the job's page finds it: private, encrypted, never cached."""
        file_format = job.order.file_format
        extra = {
            "ContentType": CONTENT_TYPES[file_format],
            "ContentDisposition": f'attachment; filename="{export_filename(made, file_format)}"',
            "CacheControl": "no-store",
            **self._encryption(),
        }
        self.s3.upload_file(str(path), self.bucket, FILES + job.id, ExtraArgs=extra)

    def fail(self, job_id: str) -> None:
        """Say that this job's file will not come, so its page can say so at once."""
        self.s3.put_object(Bucket=self.bucket, Key=FAILURES + job_id, Body=b"", **self._encryption())

    def _encryption(self) -> dict[str, str]:
        if not self.kms_key:
            return {"ServerSideEncryption": "aws:kms"}  # the bucket's own key (its default encryption)
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key}


@contextmanager
def _errors(operation: str) -> Iterator[None]:
    """botocore's errors as DeliveryError, named by the operation and the error's kind only."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        raise DeliveryError(f"export {operation}: {error.response.get('Error', {}).get('Code', '?')}") from None
    except BotoCoreError as error:
        raise DeliveryError(f"export {operation}: {type(error).__name__}") from None


def exports_from_environment(environ: Mapping[str, str]) -> S3Exports | None:
    """The bucket and queue the environment names; None locally (no HELPT_EXPORT_BUCKET): exports download."""
    bucket = environ.get(BUCKET_VARIABLE, "")
    if not bucket:
        return None
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    return _exports(bucket, environ.get(QUEUE_VARIABLE, ""), region, environ.get(KEY_VARIABLE, ""),
                    environ.get("AWS_ENDPOINT_URL", ""))  # fmt: skip


@functools.cache
def _exports(bucket: str, queue_url: str, region: str, kms_key: str, endpoint: str) -> S3Exports:
    # One set of clients per process (a client costs tens of milliseconds to make), per configuration.
    import boto3
    from botocore.config import Config

    # Signature version 4, which S3 requires for objects encrypted with KMS; the region's own endpoint, so
    # that a link works at once for a new bucket.
    s3_config = Config(signature_version="s3v4", s3={"addressing_style": "virtual"}, retries={"mode": "standard"})
    s3 = boto3.client("s3", region_name=region, config=s3_config, endpoint_url=endpoint or None)
    sqs = boto3.client("sqs", region_name=region, endpoint_url=endpoint or None) if queue_url else None
    return S3Exports(bucket, queue_url, s3=s3, sqs=sqs, kms_key=kms_key)
