"""The preview and the publishing build have folders of their own: publishing never touches what `make serve` shows.

A publish build's forms post to the live site and its styles load from there; written into `output/`, it would
turn a running preview into a front end of the city's real store. These tests run the real tasks in a copy of
the project, with a preview already built.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpt.settings import load_city
from helpt_site.build import PROJECT_DIR

INVOKE = PROJECT_DIR / ".venv" / "bin" / "invoke"
PUBLISH_FOLDER = Path(".build") / "publish"  # as docs/DEPLOY.md and the README name it
COPIED = ("tasks.py", "pelicanconf.py", "publishconf.py", "city.toml", "template.yaml", "samconfig.toml", "uv.lock",
          "pyproject.toml", "helpt_site", "theme", "content", "functions")  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project that the real tasks build in, sharing only the tools and downloaded wheels."""
    project = tmp_path / "project"
    project.mkdir()
    for name in COPIED:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, project / name)
    (project / ".tools").symlink_to(PROJECT_DIR / ".tools")
    wheels = PROJECT_DIR / ".build" / "lambda-wheels"  # the same cache the bundle tests fill
    wheels.mkdir(parents=True, exist_ok=True)
    (project / ".build").mkdir()
    (project / ".build" / "lambda-wheels").symlink_to(wheels)
    return project


def run_task(project: Path, *arguments: str) -> str:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        HELPT_CACHE_DIR=str(project / ".cache" / "cards"),
        AWS_CONFIG_FILE=str(project / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(project / "no-aws-credentials"),
        AWS_ENDPOINT_URL="http://127.0.0.1:9",  # nothing listens there: a call to AWS would fail
    )
    env.pop("HELPT_CITY", None)
    completed = subprocess.run(
        [str(INVOKE), *arguments], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def form_actions(page: Path) -> list[str]:
    return [form["action"] for form in BeautifulSoup(page.read_text(), "html.parser").select("form[action]")]


def test_the_deploy_dry_run_leaves_the_preview_untouched_and_publishes_from_its_own_folder(project: Path) -> None:
    run_task(project, "build")
    preview = project / "output"
    before = fingerprint(preview)
    site_url = load_city(project / "city.toml").site_url

    printed = run_task(project, "deploy", "--dry-run")

    assert fingerprint(preview) == before, "the preview's output/ is exactly as the preview build left it"
    published = project / PUBLISH_FOLDER
    ask = next(page for page in published.rglob("index.html") if form_actions(page))
    assert all(action.startswith(f"{site_url}/api/") for action in form_actions(ask))
    preview_ask = preview / ask.relative_to(published)
    assert all(action.startswith("/api/") for action in form_actions(preview_ask)), "the preview posts to itself"
    uploads = sorted(line.split()[1] for line in printed.splitlines() if line.strip().startswith("PUT "))
    public = sorted(key for key in fingerprint(published) if not key.startswith(".helpt/"))
    assert uploads == public, "the plan uploads the publish folder's files"
    assert f"{project / '.build' / 'lambda' / 'function.zip'}" in printed, "the copy's own tasks ran"


def test_a_publish_build_goes_to_its_own_folder(project: Path) -> None:
    run_task(project, "build")
    before = fingerprint(project / "output")

    printed = run_task(project, "build", "--publish")

    assert f"Built {project / PUBLISH_FOLDER} in" in printed
    assert fingerprint(project / "output") == before
    home = (project / PUBLISH_FOLDER / "index.html").read_text()
    assert f'href="{load_city(project / "city.toml").site_url}/theme/css/site.css' in home
