"""All benchmarks, one command: `make bench`. Each prints ratios against a baseline measured in its run."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("site_build.py", "forms.py", "cards.py", "export.py", "casework.py"):
    print(f"== {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True)
