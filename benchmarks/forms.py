"""Benchmarks of the form handler, as ratios against baselines measured in the same run.

1. Cold import: a fresh Python importing the handler module (with the DynamoDB store, which brings boto3,
   as deployed) against a fresh Python importing a bare `import boto3` handler. Target: ratio <= 1.5.
2. Throughput: submissions per second posted by 20 concurrent clients through the local preview server
   into SQLite, against GETs of a static page from the same server; then the number of records stored is
   compared with the number of submissions accepted (they must be equal).

Run: make bench   (or .venv/bin/python benchmarks/forms.py)
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BARE_HANDLER = "import boto3\n\ndef handler(event, context):\n    return {'statusCode': 200}\n"
OUR_HANDLER = "import helpt.handler, helpt.stores.dynamodb"
VOLUNTEER = {
    "lang": "nl", "name": "Ann", "email": "ann@example.com", "phone": "0470 12 34 56", "postcode": "3000",
    "help": "dog", "availability": "evenings", "languages": "nl", "adult": "yes", "safety": "yes", "consent": "yes",
}  # fmt: skip


def cold_import(code: str, runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


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
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--submissions", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        (scratch_dir / "bare_handler.py").write_text(BARE_HANDLER)
        bare = cold_import("import bare_handler", args.runs, scratch_dir)
        ours = cold_import(OUR_HANDLER, args.runs, scratch_dir)
        print(f"cold import, median of {args.runs} fresh interpreters")
        print(f"  bare `import boto3` handler (baseline):   {bare * 1000:6.0f} ms")
        print(f"  helpt.handler with the DynamoDB store:    {ours * 1000:6.0f} ms")
        print(f"  ratio (target <= 1.5):                    {ours / bare:6.2f}")

        port = free_port()
        data = scratch_dir / "data"
        server = subprocess.Popen(
            [sys.executable, "-m", "helpt_site.devserver", "--port", str(port),
             "--output", str(scratch_dir / "output"), "--data", str(data)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if call(port, "GET", "/") == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            count = args.submissions
            pages, page_statuses = throughput(port, [("GET", "/hulp-vragen/", b"")] * count, 20)
            posts = [
                ("POST", "/api/volunteer?lang=nl", urlencode(dict(VOLUNTEER, name=f"Ann {n}")).encode())
                for n in range(count)
            ]
            forms, form_statuses = throughput(port, posts, 20)
        finally:
            server.terminate()
            server.wait(timeout=30)
        sys.path.insert(0, str(ROOT / "functions"))
        from helpt.stores.sqlite import SQLiteStore

        stored = len(list(SQLiteStore(data / "helpt.sqlite3").submissions()))
        accepted = form_statuses.count(303)
        print(f"local preview server, 20 concurrent clients, {count} requests each way")
        print(f"  GET a static page (baseline):  {pages:7.0f} per second ({page_statuses.count(200)} answered 200)")
        print(f"  POST a volunteer sign-up:      {forms:7.0f} per second")
        print(f"  ratio POST / GET:              {forms / pages:7.2f}")
        print(f"  accepted (303): {accepted}, stored in SQLite: {stored}, lost: {accepted - stored}")
        if stored != accepted:
            raise SystemExit("records were lost")


if __name__ == "__main__":
    main()
