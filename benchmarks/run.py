"""All benchmarks, one command: `make bench` (`make bench QUICK=1`: smaller, in under a minute).

Each script measures its pairs interleaved (benchmarks/pairs.py) and prints its own lines as it goes; at the
end the figures of all of them are printed as one table, each with its ratio and its target.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pairs import load, table  # noqa: E402 (the folder is not a package)

SCRIPTS = ("site_build.py", "cards.py", "export.py", "forms.py", "casework.py")

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--quick", action="store_true", help="smaller runs of every benchmark, under a minute")
parser.add_argument("scripts", nargs="*", default=SCRIPTS, help="only these (default: all)")
args = parser.parse_args()
figures = []
started = time.perf_counter()
with tempfile.TemporaryDirectory() as scratch:
    for script in args.scripts:
        print(f"== {script}", flush=True)
        found = Path(scratch) / f"{script}.json"
        command = [sys.executable, str(HERE / script), "--json", str(found), *(["--quick"] if args.quick else [])]
        subprocess.run(command, check=True)
        figures += load(found)
print(f"\n== all figures ({time.perf_counter() - started:.0f} s; ratios are medians of interleaved rounds)")
print(table(figures))
