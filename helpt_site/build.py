"""Building the site: Pelican in a child process, into a staging folder swapped in only on success.

A child process keeps every build independent (Pelican's signals and caches are process-wide), and the
swap means a failed build never leaves a half-written site where the preview server reads it.

The preview (`output/`) and the publishing build (`.build/publish/`) have folders of their own: a publish
build's pages post their forms to the live site and load its stylesheet, so one written where the preview
server reads would send a preview's test submissions to the city's real store.
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
PUBLISH_FOLDER = Path(".build") / "publish"
PUBLISH_OUTPUT = PROJECT_DIR / PUBLISH_FOLDER


def site_folder(*, publish: bool, project_dir: Path = PROJECT_DIR) -> Path:
    """Where a project's build goes: the preview into `output/`, the publishing build into `.build/publish/`."""
    return project_dir / PUBLISH_FOLDER if publish else project_dir / DEFAULT_OUTPUT.name


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
    output.parent.mkdir(parents=True, exist_ok=True)
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
