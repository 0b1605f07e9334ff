"""Building the site: Pelican in a child process, into a staging folder swapped in only on success.

A child process keeps every build independent (Pelican's signals and caches are process-wide), and the
swap means a failed build never leaves a half-written site where the preview server reads it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = PROJECT_DIR / "output"


class BuildError(RuntimeError):
    """Pelican stopped; what went wrong has been printed by Pelican itself."""


def build_site(
    output: Path = DEFAULT_OUTPUT,
    *,
    publish: bool = False,
    city_file: Path | None = None,
    project_dir: Path = PROJECT_DIR,
) -> float:
    """Build the site into `output`; return the seconds it took. Raises BuildError on failure."""
    started = time.perf_counter()
    output = Path(output).resolve()
    staging = output.with_name(f".{output.name}.next")
    settings = project_dir / ("publishconf.py" if publish else "pelicanconf.py")
    env = dict(os.environ)
    if city_file is not None:
        env["HELPT_CITY"] = str(Path(city_file).resolve())
    command = [sys.executable, "-m", "helpt_site.pelican_run", str(settings), str(staging)]
    completed = subprocess.run(command, cwd=project_dir, env=env, check=False)
    if completed.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError("the site did not build")
    previous = output.with_name(f".{output.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if output.exists():
        output.rename(previous)
    staging.rename(output)
    shutil.rmtree(previous, ignore_errors=True)
    return time.perf_counter() - started
