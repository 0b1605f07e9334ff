"""Benchmark of `helpt export` (QUALITY.md P4): memory flat in the number of submissions, 100,000 in seconds.

Two SQLite stores are filled, with 10,000 and 100,000 submissions (Leuven's mix: about 12 volunteer sign-ups
to each help request, a few vacancy responses; names, addresses and free text with accents, other scripts
and emoji). Each export runs in a fresh child process, which reports its time and its peak memory:

- peak resident memory of the whole process (VmHWM: the high-water mark of this process's memory, which,
  unlike getrusage's maxrss, does not carry over the parent's across exec), and for CSV also the peak of
  Python's own allocations during the export (tracemalloc, in a separate run: tracing slows Python down
  about threefold, too long for 100,000 rows of XLSX);
- memory ratio 100,000 / 10,000: 1.0 is perfectly flat; a tool that built the whole list would be near 10;
- time against a baseline measured in the same run: a plain `csv.writer` dump of the same rows straight from
  SQL (no decoding, no labels, no neutralising): the least work that gets the rows into a CSV file.

XLSX is written by openpyxl in write-only mode; without lxml installed, openpyxl serialises each cell with
the standard library's ElementTree, which is most of the XLSX time.

Run: .venv/bin/python benchmarks/export.py   (about a minute; --small for a quick look)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

NAMES = ["Maria Peeters", "Jan De Smet", "Zoë Janssens", "Mohammed El Amrani", "Ewa Kowalska", "Nguyễn Văn An",
         "Aïcha Diallo", "Jef Vermeulen", "Ann Claes", "Özlem Y\u0131lmaz", "Ελένη Παπαδοπούλου", "李明"]  # fmt: skip
STREETS = ["Kerkstraat", "Naamsestraat", "Tiensesteenweg", "Diestsevest", "Brusselsestraat", "Martelarenlaan"]
DETAILS = ["Brood, melk en kaas", "Medicijnen ophalen bij apotheek De Ridder", "Elke dinsdag de hond 🐕",
           "Een babbel, ik ben alleen 🙂", "=SUM(A1:A3) typed by mistake", "Bitte auf Deutsch, danke",
           "مرحبا، أحتاج إلى مساعدة", ""]  # fmt: skip
POSTCODES = ["3000", "3001", "3010", "3012", "3018"]
KINDS = ["groceries", "pharmacy", "dog", "call", "letter", "other"]


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
            "vacancy": "food-parcels"}  # fmt: skip


def fill(path: Path, count: int) -> None:
    """A store with `count` live submissions, written in one transaction (setting up is not measured)."""
    from helpt.stores.sqlite import SQLiteStore, _row
    from helpt.submissions import Submission, expiry

    SQLiteStore(path)  # the schema, exactly as the tool creates it
    pick, now = random.Random(2020), dt.datetime.now(dt.UTC)
    rows = []
    for number in range(count):
        form = "help_request" if number % 13 == 0 else "vacancy_response" if number % 50 == 1 else "volunteer_signup"
        created = now - dt.timedelta(seconds=pick.randint(0, 60 * 86400))
        answers = {k: tuple(v) if isinstance(v, list) else v for k, v in answers_for(form, number, pick).items()}
        prefix = {"help_request": "H", "volunteer_signup": "V", "vacancy_response": "R"}[form]
        submission = Submission(f"{prefix}-{number:08d}", form, "nl", created, expiry(created, 90), answers)
        rows.append(_row(submission))  # the store's own encoding of a record
    with sqlite3.connect(path) as connection:
        columns = "reference, form, lang, created_at, expires_at, channel, status, answers"
        connection.executemany(f"INSERT INTO submissions ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.close()


def child(kind: str, database: Path, output: Path, trace: bool) -> None:
    """One export in this (fresh) process; prints its time and peak memory as JSON."""
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
        from helpt.forms import FORMS
        from helpt.settings import load_city
        from helpt.staff.context import StaffContext, StoreChoice
        from helpt.staff.export import Selection, run_export
        from helpt.staff.texts import load_texts

        context = StaffContext(load_city(ROOT / "city.toml"), load_texts("nl"), StoreChoice(sqlite_path=database))
        run_export(context, Selection(forms=tuple(FORMS)), output, kind, ",", False)
    seconds = time.perf_counter() - started
    report = {"seconds": seconds, "rss_mib": peak_resident_kib() / 1024}
    if trace:
        report["traced_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps(report))


def peak_resident_kib() -> int:
    """This process's peak resident memory (Linux: VmHWM in /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM: this benchmark reads Linux's /proc")


def measure(kind: str, database: Path, output: Path, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--database", str(database), "--output", str(output)]
    result = subprocess.run([*command, *(["--trace"] if trace else [])], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="1,000 and 10,000 submissions instead")
    parser.add_argument("--child", choices=("csv", "xlsx", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database, args.output, args.trace)
        return

    small, large = (1_000, 10_000) if args.small else (10_000, 100_000)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        for count in (small, large):
            fill(folder / f"{count}.sqlite3", count)
        print(f"filled two stores ({small:,} and {large:,} submissions) in {time.perf_counter() - started:.1f} s")

        results: dict[tuple[str, int], dict] = {}
        for kind in ("plain", "csv", "xlsx"):
            for count in (small, large) if kind != "plain" else (large,):
                database, output = (
                    folder / f"{count}.sqlite3",
                    folder / f"{kind}-{count}.{'xlsx' if kind == 'xlsx' else 'csv'}",
                )
                results[kind, count] = measure(kind, database, output)
                if kind == "csv":
                    results[kind, count]["traced_mib"] = measure(kind, database, output, trace=True)["traced_mib"]
                size = output.stat().st_size / 2**20
                r = results[kind, count]
                traced = f"{r['traced_mib']:6.2f} MiB" if "traced_mib" in r else "   (not traced)"
                print(f"  {kind:5} {count:>7,}: {r['seconds']:6.2f} s, {count / r['seconds']:8,.0f} rows/s, "
                      f"peak RSS {r['rss_mib']:6.1f} MiB, Python peak {traced}, file {size:5.1f} MiB")  # fmt: skip

        plain = results["plain", large]["seconds"]
        print(f"time for {large:,} against the plain csv.writer dump ({plain:.2f} s, baseline):")
        for kind in ("csv", "xlsx"):
            print(f"  {kind}: {results[kind, large]['seconds'] / plain:6.1f} x")
        print(f"memory, {large:,} against {small:,} submissions (1.0 = flat; building the whole list: ~10):")
        for kind in ("csv", "xlsx"):
            rss = results[kind, large]["rss_mib"] / results[kind, small]["rss_mib"]
            line = f"  {kind}: peak RSS {rss:5.2f}"
            if "traced_mib" in results[kind, large]:
                line += f", Python peak {results[kind, large]['traced_mib'] / results[kind, small]['traced_mib']:5.2f}"
            print(line)


if __name__ == "__main__":
    main()
