"""Benchmarks of the two Lambda functions' cold import and the local preview's forms, in interleaved pairs.

1. Cold import: a fresh Python importing a handler module and what its first event's setup imports (the
   DynamoDB store, which brings boto3, as deployed; the notifier and the links; not what makes messages,
   which waits until a submission is stored), against a fresh Python importing a bare `import boto3`
   handler. A B A B ...: target 1.4x, for the form handler and for the back office.
2. Throughput: the local preview server, 20 concurrent clients, in rounds: a batch of GETs of a static page,
   then a batch of POSTs of a volunteer sign-up into SQLite, again and again. Target: POSTs at least 0.8x
   the GETs' rate. Then the records stored are counted against the submissions accepted (they must be equal).

Run: make bench   (or .venv/bin/python benchmarks/forms.py [--runs N] [--quick])
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from pairs import Figure, pair, rate_figure, report, timed  # noqa: E402 (benchmarks/ is not a package)

IMPORT_TARGET, POST_TARGET = 1.4, 0.8
BARE_HANDLER = "import boto3\n\ndef handler(event, context):\n    return {'statusCode': 200}\n"
# What each function imports before its first answer (helpt.app.intake_from_environment, and
# helpt.staff.web.handler.back_office_from_environment).
FORM_HANDLER = (
    "import helpt.handler, helpt.stores.dynamodb, helpt.notify.queue, helpt.notify.links, helpt.staff.vacancies"
)
BACK_OFFICE = "import helpt.staff.web.handler, helpt.stores.dynamodb"
VOLUNTEER = {
    "lang": "nl", "name": "Ann", "email": "ann@example.com", "phone": "0470 12 34 56", "postcode": "3000",
    "help": "dog", "availability": "evenings", "languages": "nl", "adult": "yes", "safety": "yes", "consent": "yes",
}  # fmt: skip


def cold_import(code: str, cwd: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    command = [sys.executable, "-c", code]
    return timed(lambda: subprocess.run(command, cwd=cwd, check=True, env=env))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(port: int, method: str, path: str, body: bytes = b"") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    connection.request(method, path, body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def throughput(port: int, requests: list[tuple[str, str, bytes]], clients: int) -> tuple[float, list[int]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(lambda request: call(port, *request), requests))
    return len(requests) / (time.perf_counter() - started), statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="interleaved rounds (default 11 imports, 5 batches; quick 5, 3)")
    parser.add_argument("--submissions", type=int, help="requests in each batch (default 1,000; quick 200)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller batches")
    parser.add_argument("--json", type=Path, help="also write the figures here (for run.py)")
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 11)
    batches = max(3, runs // 2)
    count = args.submissions or (200 if args.quick else 1000)
    figures: list[Figure] = []

    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        (scratch_dir / "bare_handler.py").write_text(BARE_HANDLER)
        # As deployed, with bytecode: the Lambda bundle ships compiled .pyc (helpt_site/lambda_bundle.py); here
        # each interpreter writes and reads it in a folder of the benchmark's (the warm-up round writes it).
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(scratch_dir / "pycache")
        bare = cold_import("import bare_handler", scratch_dir, env)
        for name, code in (("form handler", FORM_HANDLER), ("back office", BACK_OFFICE)):
            ours = cold_import(code, ROOT / "functions", env)
            figure = pair(f"cold import, {name} with the DynamoDB store", "bare `import boto3` handler", bare, ours,
                          runs, target=IMPORT_TARGET, warm_up=1)  # fmt: skip
            figures.append(figure)
            print(f"  {name}: ratio {figures[-1].ratio:.2f}", flush=True)

        port = free_port()
        data = scratch_dir / "data"
        server = subprocess.Popen(
            [sys.executable, "-m", "helpt_site.devserver", "--port", str(port),
             "--output", str(scratch_dir / "output"), "--data", str(data)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        gets, posts, accepted = [], [], 0
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if call(port, "GET", "/") == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            throughput(port, [("GET", "/hulp-vragen/", b"")] * 100, 20)  # warm up
            for batch in range(batches):
                rate, statuses = throughput(port, [("GET", "/hulp-vragen/", b"")] * count, 20)
                assert statuses.count(200) == count, "every GET answered"
                gets.append(rate)
                body = [urlencode(dict(VOLUNTEER, name=f"Ann {batch}-{n}")).encode() for n in range(count)]
                rate, statuses = throughput(port, [("POST", "/api/volunteer?lang=nl", one) for one in body], 20)
                posts.append(rate)
                accepted += statuses.count(303)
        finally:
            server.terminate()
            server.wait(timeout=30)
        sys.path.insert(0, str(ROOT / "functions"))
        from helpt.stores.sqlite import SQLiteStore

        stored = len(list(SQLiteStore(data / "helpt.sqlite3").submissions()))
    figures.append(rate_figure("preview server, POST a volunteer sign-up (SQLite)", "GET a static page, same server",
                               gets, posts, POST_TARGET))  # fmt: skip
    print(f"local preview server, 20 concurrent clients, {batches} rounds of {count} requests each way")
    print(f"  accepted (303): {accepted}, stored in SQLite: {stored}, lost: {accepted - stored}")
    report(figures, args.json)
    if stored != accepted:
        raise SystemExit("records were lost")


if __name__ == "__main__":
    main()
