"""Benchmark of exports (QUALITY.md P4): memory flat in the number of submissions, 100,000 in seconds.

Two SQLite stores are filled, with 10,000 and 100,000 submissions (Leuven's mix: about 12 volunteer sign-ups
to each help request, a few vacancy responses; names, addresses and free text with accents, other scripts
and emoji; half the help requests matched with a volunteer, so the "Matched with" column has work to do).
Each export runs in a fresh child process, which reports its time and its peak memory. Four ways:

- `csv`, `xlsx`: `helpt export` (helpt.staff.export.run_export), as a coordinator runs it;
- `web-csv`, `web-xlsx`: the back office's export on the local preview: BackOffice.handle answers a POST of
  the export form with the file it wrote, which is then streamed to a file as the preview server streams
  it to the browser (helpt.staff.web.file_answers), from the POST to the last byte;
- `plain`: the baseline, a plain `csv.writer` dump of the same rows straight from SQL (no decoding, no
  labels, no neutralising): the least work that gets the rows into a CSV file.

The large store's exports run in rounds, each round the baseline and then every way, interleaved, so that
a busy machine slows all of them alike; the medians are printed, and each way's time as the median of its
ratios to the same round's baseline. Memory: the peak resident memory of the whole process (VmHWM, which
unlike getrusage's maxrss does not carry over the parent's across exec), and for CSV also the peak of
Python's own allocations (tracemalloc, in a run of its own: tracing slows Python down about threefold);
the ratio 100,000 / 10,000 says whether memory is flat: 1.0 is flat, building the whole list would be ~10.

XLSX: XlsxWriter makes the workbook and Helpt writes the sheet's rows (functions/helpt/staff/export_xlsx.py
says why, with what openpyxl and XlsxWriter alone took on these rows). Targets: CSV within 2x the plain
dump, XLSX within 6x. The plain dump decodes nothing: the store's decoding of each record (its JSON
answers, a Submission) is part of every way's time.

Run: .venv/bin/python benchmarks/export.py           (a few minutes; 7 rounds of 100,000)
     .venv/bin/python benchmarks/export.py --quick   (1,000 and 10,000, 2 rounds: for a quick look)
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pairs import Figure, report  # noqa: E402 (benchmarks/ is not a package)

NAMES = ["Maria Peeters", "Jan De Smet", "Zoë Janssens", "Mohammed El Amrani", "Ewa Kowalska", "Nguyễn Văn An",
         "Aïcha Diallo", "Jef Vermeulen", "Ann Claes", "Özlem Y\u0131lmaz", "Ελένη Παπαδοπούλου", "李明"]  # fmt: skip
STREETS = ["Kerkstraat", "Naamsestraat", "Tiensesteenweg", "Diestsevest", "Brusselsestraat", "Martelarenlaan"]
DETAILS = ["Brood, melk en kaas", "Medicijnen ophalen bij apotheek De Ridder", "Elke dinsdag de hond 🐕",
           "Een babbel, ik ben alleen 🙂", "=SUM(A1:A3) typed by mistake", "Bitte auf Deutsch, danke",
           "مرحبا، أحتاج إلى مساعدة", ""]  # fmt: skip
POSTCODES = ["3000", "3001", "3010", "3012", "3018"]
KINDS = ["groceries", "pharmacy", "dog", "call", "letter", "other"]
VACANCIES = ["food-parcels", "face-masks", "care-home-calls"]
WAYS = ("csv", "xlsx", "web-csv", "web-xlsx")
TARGETS = {"csv": 2.0, "xlsx": 6.0}  # times the plain dump
# Python's peak allocations with ten times the rows: flat (pages of 1,000 rows, nothing kept per row).
MEMORY_TARGET = 1.5
SUFFIX = {"plain": "csv", "csv": "csv", "xlsx": "xlsx", "web-csv": "csv", "web-xlsx": "xlsx"}


def answers_for(form: str, number: int, pick: random.Random) -> dict:
    name, phone = f"{pick.choice(NAMES)} {number}", f"+32 4{pick.randint(70, 99)} {pick.randint(10, 99)} 12 34"
    email = f"person{number}@example.com"
    if form == "help_request":
        return {
            "name": name, "phone": phone, "email": "", "street": f"{pick.choice(STREETS)} {pick.randint(1, 200)}",
            "postcode": pick.choice(POSTCODES), "help": pick.sample(KINDS, 2), "details": pick.choice(DETAILS),
            "urgency": "days", "for_whom": "self", "relationship": "", "agreed": "", "language": "nl",
            "consent": "yes", "health_consent": "",
        }  # fmt: skip
    if form == "volunteer_signup":
        return {
            "name": name, "email": email, "phone": phone, "postcode": pick.choice(POSTCODES),
            "help": pick.sample(KINDS, 3), "availability": ["evenings", "weekends"], "languages": ["nl", "en"],
            "other_languages": "", "adult": "yes", "safety": "yes", "consent": "yes",
        }  # fmt: skip
    return {"name": name, "email": email, "phone": "", "message": pick.choice(DETAILS), "consent": "yes",
            "vacancy": pick.choice(VACANCIES)}  # fmt: skip


def fill(path: Path, count: int) -> None:
    """A store with `count` live submissions and their matches, in one transaction (not measured)."""
    from helpt.stores import Event
    from helpt.stores.sqlite import SQLiteStore, _insert_event, _row
    from helpt.submissions import Submission, expiry

    SQLiteStore(path)  # the schema, exactly as the tool creates it
    pick, now = random.Random(2020), dt.datetime.now(dt.UTC)
    rows, volunteers, matches = [], [], []
    for number in range(count):
        form = "help_request" if number % 13 == 0 else "vacancy_response" if number % 50 == 1 else "volunteer_signup"
        created = now - dt.timedelta(seconds=pick.randint(0, 60 * 86400))
        answers = {k: tuple(v) if isinstance(v, list) else v for k, v in answers_for(form, number, pick).items()}
        prefix = {"help_request": "H", "volunteer_signup": "V", "vacancy_response": "R"}[form]
        submission = Submission(f"{prefix}-{number:08d}", form, "nl", created, expiry(created, 90), answers)
        rows.append(_row(submission))  # the store's own encoding of a record
        if form == "volunteer_signup":
            volunteers.append(submission)
        elif form == "help_request" and volunteers and number % 2 == 0:
            matches.append((submission, pick.choice(volunteers)))
    with sqlite3.connect(path) as connection:
        columns = "reference, form, lang, created_at, expires_at, channel, status, answers"
        connection.executemany(f"INSERT INTO submissions ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        for request, volunteer in matches:  # as casework.confirm records a match, on both sides
            for kind in ("proposal", "confirm", "match"):
                _insert_event(connection, request.reference, Event(now, kind, other=volunteer.reference), 2**31)
                _insert_event(connection, volunteer.reference, Event(now, kind, other=request.reference), 2**31)
    connection.close()


def child(kind: str, database: Path, output: Path, trace: bool) -> None:
    """One export in this (fresh) process; prints its time and peak memory as JSON."""
    # Imports, settings, catalogs and signing in are not measured: each way only its export.
    if kind.startswith("web-"):
        setup = web_export(database, kind.removeprefix("web-"))
    elif kind != "plain":
        setup = cli_export(database, kind)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    if kind == "plain":
        with sqlite3.connect(database) as connection, output.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            for row in connection.execute("SELECT * FROM submissions ORDER BY created_at, reference"):
                writer.writerow(row)
        connection.close()
    else:
        setup(output)
    seconds = time.perf_counter() - started
    report = {"seconds": seconds, "rss_mib": peak_resident_kib() / 1024}
    if trace:
        report["traced_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps(report))


def cli_export(database: Path, file_format: str):  # type: ignore[no-untyped-def]
    """`helpt export --output <file> --format <file_format>`, as the command runs it: returns the part to measure."""
    from helpt.settings import load_city
    from helpt.staff.context import StaffContext, StoreChoice
    from helpt.staff.export import run_export
    from helpt.staff.export_selection import ExportOrder
    from helpt.staff.texts import load_texts

    context = StaffContext(load_city(ROOT / "city.toml"), load_texts("nl"), StoreChoice(sqlite_path=database))
    context.who  # noqa: B018 (who the log names: looked up once, before the export)

    def measured(output: Path) -> None:
        run_export(context, ExportOrder(file_format=file_format), output, False)

    return measured


def web_export(database: Path, file_format: str):  # type: ignore[no-untyped-def]
    """A signed-in coordinator's POST of the export form to the back office, and the file streamed as the
    preview server streams it: returns the part to measure."""
    from helpt.settings import load_city
    from helpt.staff.web.accounts import new_account
    from helpt.staff.web.app import BackOffice
    from helpt.staff.web.file_answers import body_chunks
    from helpt.stores.sqlite import SQLiteStore

    store = SQLiteStore(database)
    office = BackOffice(load_city(ROOT / "city.toml"), store, secure=False)
    if store.get_account("bench") is None:  # the store's first web export
        new_account(store, "bench", "coordinator", "", dt.datetime.now(dt.UTC))
    account = store.get_account("bench")
    cookie, session = office.sessions.start(account, "nl")
    body = f"csrf={session.csrf_token}&format={file_format}".encode()
    event = {
        "version": "2.0", "rawPath": "/staff/export", "rawQueryString": "", "cookies": [cookie.split(";")[0]],
        "headers": {"host": "127.0.0.1", "content-type": "application/x-www-form-urlencoded", "origin": "null"},
        "requestContext": {"http": {"method": "POST", "path": "/staff/export", "sourceIp": "127.0.0.1"}},
        "body": base64.b64encode(body).decode(), "isBase64Encoded": True,
    }  # fmt: skip

    def measured(output: Path) -> None:
        answer = office.handle(event)
        assert answer["statusCode"] == 200, answer["statusCode"]
        chunks = body_chunks(answer)
        try:
            with output.open("wb") as sent:
                for chunk in chunks:
                    sent.write(chunk)
        finally:
            chunks.close()

    return measured


def peak_resident_kib() -> int:
    """This process's peak resident memory (Linux: VmHWM in /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM: this benchmark reads Linux's /proc")


def measure(kind: str, database: Path, output: Path, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--database", str(database), "--output", str(output)]
    result = subprocess.run([*command, *(["--trace"] if trace else [])], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 submissions instead")
    parser.add_argument("--rounds", type=int, help="rounds of the large store's exports (default 7; quick 2)")
    parser.add_argument("--json", type=Path, help="also write the figures here (for run.py)")
    parser.add_argument("--child", choices=("plain", *WAYS), help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database, args.output, args.trace)
        return
    rounds = args.rounds or (2 if args.quick else 7)
    small, large = (1_000, 10_000) if args.quick else (10_000, 100_000)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        for count in (small, large):
            fill(folder / f"{count}.sqlite3", count)
        print(f"filled two stores ({small:,} and {large:,} submissions) in {time.perf_counter() - started:.1f} s")

        def run(kind: str, count: int, trace: bool = False) -> dict:
            output = folder / f"{kind}-{count}.{SUFFIX[kind]}"
            result = measure(kind, folder / f"{count}.sqlite3", output, trace)
            return {**result, "mib": output.stat().st_size / 2**20}

        # A B C D E, A B C D E, ...: each way's ratio is taken to the same round's baseline.
        measured: list[dict[str, dict]] = []
        for number in range(rounds):
            this = {"plain": run("plain", large)}
            for kind in WAYS:
                this[kind] = run(kind, large)
            measured.append(this)
            print(
                f"  round {number + 1}: " + ", ".join(f"{k} {r['seconds']:.2f} s" for k, r in this.items()), flush=True
            )
        smaller = {kind: run(kind, small) for kind in WAYS}
        traced = {(kind, count): run(kind, count, trace=True)["traced_mib"] for kind in ("csv", "web-csv")
                  for count in (small, large)}  # fmt: skip

    figures = []
    for kind in WAYS:
        seconds = statistics.median(r[kind]["seconds"] for r in measured)
        ratio = statistics.median(r[kind]["seconds"] / r["plain"]["seconds"] for r in measured)
        figures.append(Figure(f"export {large:,} rows, {kind}", "plain csv.writer dump",
                              statistics.median(r["plain"]["seconds"] for r in measured), seconds, ratio,
                              TARGETS[kind.removeprefix("web-")], rounds=rounds))  # fmt: skip
    print(f"\n{large:,} submissions: rows per second, peak memory, file size")
    for kind in WAYS:
        seconds = statistics.median(r[kind]["seconds"] for r in measured)
        rss = statistics.median(r[kind]["rss_mib"] for r in measured)
        size = measured[0][kind]["mib"]
        print(f"  {kind:9} {large / seconds:9,.0f} rows/s {rss:7.1f} MiB peak RSS {size:5.1f} MiB file")
    print(f"memory, {large:,} against {small:,} submissions (1.0 = flat; building the whole list: ~10):")
    for kind in WAYS:
        rss = statistics.median(r[kind]["rss_mib"] for r in measured) / smaller[kind]["rss_mib"]
        line = f"  {kind:9} peak RSS {smaller[kind]['rss_mib']:6.1f} -> {rss * smaller[kind]['rss_mib']:6.1f} MiB"
        line += f" ({rss:4.2f})"
        if (kind, large) in traced:
            ratio = traced[kind, large] / traced[kind, small]
            line += f", Python peak {traced[kind, small]:5.2f} -> {traced[kind, large]:5.2f} MiB ({ratio:4.2f})"
            # Python's own peak, tenfold the rows: flat is about 1 (the process's RSS also counts libraries).
            name, base = f"export memory, Python peak, {kind}, x10 rows", f"the same, {small:,} rows"
            small_mib, large_mib = traced[kind, small], traced[kind, large]
            figures.append(Figure(name, base, small_mib, large_mib, ratio, MEMORY_TARGET, unit="MiB"))
        print(line)
    print()
    report(figures, args.json)


if __name__ == "__main__":
    main()
