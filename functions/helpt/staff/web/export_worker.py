"""The export worker's Lambda entry point: export jobs from the queue in, files in the export bucket out.

The back office queues a job (export_delivery.py); Lambda hands the worker the queue's messages as an SQS
event, one at a time. For each, the worker makes the export exactly as `helpt export` does
(helpt.staff.export.export_file, which logs it in the export log under the account that asked), in a
private temporary file in /tmp, and puts it in the bucket; the file in /tmp is deleted whatever happens.

An export that cannot be made (the store does not answer, filters that no longer fit the city) is marked
failed, so the coordinator's page says so at once and they can try again; the message is done with. Only a
worker that dies (a time-out) leaves its message to the queue, which hands it over once more and then to
its dead-letter queue. The log says which job failed and how (the kind of error), never what is in it.

Same bundle as the back office (staff.zip), its own role: it reads the table, adds to the export log,
reads its queue and writes into the bucket, nothing else (template.yaml: ExportWorkerRole).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from helpt.app import store_from_environment
from helpt.settings import CitySettings, load_city
from helpt.staff.export import ExportSource, export_file
from helpt.staff.texts import Texts, available_languages, load_texts
from helpt.staff.vacancies import Vacancies, load_vacancies
from helpt.staff.web.export_delivery import ExportJob, S3Exports, exports_from_environment, job_made_at
from helpt.staff.web.handler import BUNDLE
from helpt.stores import StaffStore

logger = logging.getLogger("helpt.staff.export_worker")
logger.setLevel(logging.INFO)


@dataclass
class Worker:
    """What every job is made with: the city, the store, the bucket, the vacancies and the catalogs."""

    city: CitySettings
    store: StaffStore
    exports: S3Exports
    vacancies: Vacancies
    theme_translations: Path
    scratch: Path  # where files are written before they go to the bucket: Lambda's /tmp

    def __post_init__(self) -> None:
        self._texts: dict[str, Texts] = {}

    def texts(self, lang: str) -> Texts:
        languages = available_languages(self.city.languages)
        lang = lang if lang in languages else languages[0]
        if lang not in self._texts:
            self._texts[lang] = load_texts(lang, self.theme_translations)
        return self._texts[lang]

    def run(self, job: ExportJob) -> int:
        """Make one export and put it in the bucket; the number of rows."""
        # Records are chosen as they are now (what expired since the job was queued stays out); the file is
        # named by when it was asked for, as its page was.
        now, made = dt.datetime.now(dt.UTC), job_made_at(job.id)
        source = ExportSource(self.store, self.city, self.texts(job.lang), self.vacancies, job.account, now)
        path = self.scratch / f"{job.id}.{job.order.file_format}"
        self.scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600)
        try:
            rows = export_file(source, job.order, path)
            self.exports.deliver(job, path, made.astimezone(ZoneInfo(self.city.timezone)))
        finally:
            path.unlink(missing_ok=True)
        return rows

    def handle(self, event: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
        """An SQS event: each job made, or marked failed. Only a failure to say so is left to the queue
        (a partial batch response), so that the job comes again."""
        retry = []
        for record in event.get("Records", []):
            try:
                job = ExportJob.from_message(record.get("body", ""))
            except ValueError as error:
                logger.error(json.dumps({"message": record.get("messageId", "?"), "error": str(error)}))
                continue  # a message that is no job will never become one: not retried
            try:
                rows = self.run(job)
            except Exception as error:  # any failure: say so on the page, and in the log without the data
                logger.error(json.dumps({"job": job.id, "failed": type(error).__name__}))
                try:
                    self.exports.fail(job.id)
                except Exception:
                    logger.exception("could not mark job %s failed", job.id)
                    retry.append({"itemIdentifier": str(record.get("messageId", ""))})
                continue
            logger.info(json.dumps({"job": job.id, "rows": rows, "format": job.order.file_format}))
        return {"batchItemFailures": retry}


def worker_from_environment(environ: Mapping[str, str] = os.environ) -> Worker:
    """The worker as deployed: the bundle's city.toml, catalogs and site data; the store and bucket the
    environment names (HELPT_STORE, HELPT_TABLE, HELPT_EXPORT_BUCKET, HELPT_EXPORT_KMS_KEY)."""
    bundle = Path(environ.get("HELPT_BUNDLE_DIR", BUNDLE))
    city = load_city(Path(environ.get("HELPT_CITY", bundle / "city.toml")))
    exports = exports_from_environment(environ)
    if exports is None:
        raise RuntimeError("the export worker needs HELPT_EXPORT_BUCKET")
    return Worker(
        city, cast(StaffStore, store_from_environment(environ)), exports, load_vacancies(bundle / "site.json"),
        bundle / "translations", Path(environ.get("HELPT_EXPORT_SCRATCH", "/tmp/helpt-exports")),
    )  # fmt: skip


@functools.cache
def _worker() -> Worker:
    return worker_from_environment()


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, list[dict[str, str]]]:
    return _worker().handle(event)
