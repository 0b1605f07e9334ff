"""A soak of the form handler against its stores, with the store's faults injected: nothing accepted may be lost.

The real handler code (helpt.intake.Intake, as the Lambda function builds it: the store's own client with its
time-outs and retries, the breaker) runs in one process per core, each with several threads posting volunteer
sign-ups as fast as they are answered, for a bounded time. Two stores:

- DynamoDB: moto in server mode behind a fault proxy (tests/store_faults.py) that, on a schedule, stalls (no
  answer at all), refuses every request as a throttled table does, and resets every connection (a restart);
- SQLite: a file in a temporary folder, stalled by another connection holding its write lock.

Each client sends the next sign-up as soon as one is answered (the highest rate the machine allows), and waits
half a second after a refusal, as a visitor reading the problem page does. Afterwards every reference a visitor
was given (303 to the confirmation) is looked up in the store. Printed: accepted, stored, refused with the page
that keeps the answers and gives the phone line, anything else, lost (accepted but not stored: must be 0), and
p50/p99 latency, overall and per phase.

Run: make soak   (or .venv/bin/python benchmarks/soak.py --seconds 60)
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "tests"), str(ROOT)]

PHONE = "016/27.27.72"
REFUSED_PAUSE_SECONDS = 0.5
# (start, end) as fractions of the run, and what the store does then.
DYNAMODB_FAULTS = [(0.20, 0.32, "stall"), (0.45, 0.55, "throttle"), (0.70, 0.78, "refuse")]
SQLITE_FAULTS = [(0.30, 0.40, "stall"), (0.65, 0.75, "stall")]


def volunteer_event(name: str) -> dict:
    fields = {"lang": "en", "name": name, "email": "ann@example.com", "phone": "0470 12 34 56", "postcode": "3000",
              "help": "dog", "availability": "evenings", "languages": "nl", "adult": "yes", "safety": "yes",
              "consent": "yes"}  # fmt: skip
    body = urlencode(fields).encode()
    return {
        "version": "2.0", "rawPath": "/api/volunteer", "rawQueryString": "lang=en",
        "headers": {"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
        "requestContext": {"http": {"method": "POST", "path": "/api/volunteer"}},
        "body": base64.b64encode(body).decode(), "isBase64Encoded": True,
    }  # fmt: skip


def worker(store_spec: dict, site_root: str, seconds: float, threads: int, out: multiprocessing.Queue) -> None:
    """One 'instance': an Intake with its own store client and breaker, `threads` clients posting at once."""
    from helpt.app import build_intake

    if store_spec["kind"] == "dynamodb":
        from helpt.stores.dynamodb import CLIENT_CONFIG, DynamoDBStore

        # The form handler's client, as helpt.app.intake_from_environment builds it (fail_fast).
        store = DynamoDBStore(store_spec["table"], region="eu-west-1", endpoint_url=store_spec["endpoint"],
                              config=CLIENT_CONFIG)  # fmt: skip
    else:
        from helpt.stores.sqlite import SQLiteStore

        store = SQLiteStore(Path(store_spec["path"]))
    theme = ROOT / "theme"
    intake = build_intake(city_file=ROOT / "city.toml", templates_dir=theme / "templates",
                          translations_dir=theme / "translations",
                          site_data_file=Path(site_root) / ".helpt" / "site.json", store=store)  # fmt: skip
    deadline = time.monotonic() + seconds
    results: list[tuple[float, int, str, float]] = []  # (started, status, reference or "", ms)
    lock = threading.Lock()

    def client() -> None:
        mine = []
        while time.monotonic() < deadline:
            name = f"Soak {uuid.uuid4().hex[:12]}"  # different answers each time: never a repeat
            started = time.time()
            t0 = time.perf_counter()
            answer = intake.handle(volunteer_event(name))
            ms = (time.perf_counter() - t0) * 1000
            status = answer["statusCode"]
            reference = ""
            if status == 303:
                reference = answer["headers"]["location"].split("ref=")[1].split("&")[0]
            elif status == 503 and not (name in answer["body"] and PHONE in answer["body"]):
                status = -503  # a 503 without the answers or the phone line: counted as "other"
            mine.append((started, status, reference, ms))
            if status != 303:
                # A visitor shown the problem page reads it (and calls) before anyone sends again: without
                # this pause the page's own speed, a millisecond, would turn the load into a flood of refusals.
                time.sleep(REFUSED_PAUSE_SECONDS)
        with lock:
            results.extend(mine)

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put(results)


def run(store_spec: dict, site_root: str, seconds: float, processes: int, threads: int, faults: list,
        inject: dict) -> list:  # fmt: skip
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=worker, args=(store_spec, site_root, seconds, threads, queue))
               for _ in range(processes)]  # fmt: skip
    for process in workers:
        process.start()
    time.sleep(1.5)  # the workers build their handlers (imports, templates) before the schedule starts
    started = time.time()
    phases = []
    for begin, end, mode in faults:
        time.sleep(max(0.0, started + begin * seconds - time.time()))
        inject[mode](True)
        phases.append((mode, time.time()))
        time.sleep(max(0.0, started + end * seconds - time.time()))
        inject[mode](False)
        phases.append(("pass", time.time()))
    results = [row for _ in workers for row in queue.get()]
    for process in workers:
        process.join()
    return results, phases


def report(label: str, results: list, stored: set[str], phases: list, cores: int) -> bool:
    accepted = [r for r in results if r[1] == 303]
    refused = [r for r in results if r[1] == 503]
    other = [r for r in results if r[1] not in (303, 503)]
    lost = {r[2] for r in accepted} - stored
    span = max(r[0] for r in results) - min(r[0] for r in results) or 1.0
    latencies = sorted(r[3] for r in results)

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    print(f"== {label}: {len(results)} requests in {span:.0f} s, {len(results) / span:.0f} a second, "
          f"{len(results) / span / cores:.0f} a second per core")  # fmt: skip
    print(f"   accepted {len(accepted)}  stored {len(stored & {r[2] for r in accepted})}  "
          f"refused with the page {len(refused)}  other {len(other)}  lost {len(lost)}")  # fmt: skip
    print(f"   latency p50 {pct(latencies, 0.5):.1f} ms  p99 {pct(latencies, 0.99):.1f} ms  "
          f"max {latencies[-1]:.0f} ms")  # fmt: skip
    marks = [("pass", 0.0), *phases, ("end", float("inf"))]
    bounds = [(mode, at, marks[i + 1][1]) for i, (mode, at) in enumerate(marks[:-1])]
    for mode, begin, end in bounds:
        inside = [r for r in results if begin <= r[0] < end]
        if inside:
            ms = sorted(r[3] for r in inside)
            ok = sum(r[1] == 303 for r in inside)
            print(f"   {mode:8} {len(inside):6} requests  accepted {ok:6}  refused {len(inside) - ok:6}  "
                  f"p50 {pct(ms, 0.5):7.1f} ms  p99 {pct(ms, 0.99):7.1f} ms")  # fmt: skip
    return not lost and not other


def soak_dynamodb(site_root: str, args: argparse.Namespace) -> bool:
    import boto3
    import dynamodb_servers
    from botocore.config import Config
    from store_faults import PASS, FaultProxy

    from helpt.stores.dynamodb import DynamoDBStore

    for name, value in dynamodb_servers.DUMMY_CREDENTIALS.items():
        os.environ[name.upper()] = value
    moto_server = Path(sys.executable).parent / "moto_server"
    port = dynamodb_servers.free_port()
    with tempfile.TemporaryDirectory() as logs:
        server = dynamodb_servers.serve("moto", [str(moto_server), "-H", "127.0.0.1", "-p", str(port)], port,
                                        Path(logs) / "moto.log")  # fmt: skip
        endpoint = next(server)
        try:
            target = urlparse(endpoint)
            with FaultProxy(str(target.hostname), int(target.port or 80)) as proxy:
                table = f"soak-{uuid.uuid4().hex[:8]}"
                DynamoDBStore(table, region="eu-west-1", endpoint_url=endpoint).create_table()

                def switch(mode: str):
                    return lambda on: setattr(proxy, "mode", mode if on else PASS)

                inject = {mode: switch(mode) for _, _, mode in DYNAMODB_FAULTS}
                spec = {"kind": "dynamodb", "table": table, "endpoint": proxy.endpoint}
                results, phases = run(spec, site_root, args.seconds, args.processes, args.threads,
                                      DYNAMODB_FAULTS, inject)  # fmt: skip
                # The check reads the whole table from moto: generous time-outs, unlike the handler's.
                patient = Config(read_timeout=120, retries={"total_max_attempts": 5, "mode": "standard"})
                direct = DynamoDBStore(table, region="eu-west-1", client=boto3.client(
                    "dynamodb", region_name="eu-west-1", endpoint_url=endpoint, config=patient))  # fmt: skip
                stored = {record.reference for record in direct.submissions(form="volunteer_signup")}
        finally:
            server.close()
    return report("DynamoDB (moto server, behind the fault proxy)", results, stored, phases, args.processes)


def soak_sqlite(site_root: str, args: argparse.Namespace) -> bool:
    from helpt.stores.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data" / "helpt.sqlite3"
        SQLiteStore(path)  # creates the file and its tables
        holder: dict[str, sqlite3.Connection] = {}

        def stall(on: bool) -> None:  # another writer holding the database's lock
            if on:
                holder["lock"] = sqlite3.connect(path, isolation_level=None)
                holder["lock"].execute("BEGIN EXCLUSIVE")
            else:
                holder.pop("lock").rollback()

        spec = {"kind": "sqlite", "path": str(path)}
        results, phases = run(spec, site_root, args.seconds, args.processes, args.threads, SQLITE_FAULTS,
                              {"stall": stall})  # fmt: skip
        stored = {record.reference for record in SQLiteStore(path).submissions(form="volunteer_signup")}
    return report("SQLite (a file, its write lock held by another connection)", results, stored, phases,
                  args.processes)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each store is soaked")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="handler processes (cores)")
    parser.add_argument("--threads", type=int, default=4, help="clients per process")
    parser.add_argument("--store", choices=("dynamodb", "sqlite", "both"), default="both")
    args = parser.parse_args()
    from helpt_site.build import build_site

    with tempfile.TemporaryDirectory() as site:
        build_site(Path(site) / "output")
        site_root = str(Path(site) / "output")
        print(f"soak: {args.seconds:.0f} s per store, {args.processes} processes x {args.threads} clients")
        ok = True
        if args.store in ("dynamodb", "both"):
            ok &= soak_dynamodb(site_root, args)
        if args.store in ("sqlite", "both"):
            ok &= soak_sqlite(site_root, args)
    print("nothing accepted was lost" if ok else "SOMETHING ACCEPTED WAS LOST, or a failure had no page")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
