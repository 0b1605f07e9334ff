"""A fresh machine: each make target installs what its own steps need, and a slower fallback never stops a build.

The Makefile is asked for its plan (`make -n`) with a library or program seen as missing, which is how a new
machine looks to it; the build itself runs for real with WeasyPrint falling back to fontTools.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import OTHER_CITY, build, build_failure, copy_city, copy_project

from helpt_site.build import PROJECT_DIR

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")
BUILD_TARGETS = ("build", "serve", "publish", "bundle", "deploy", "bench")
# What each target sees on a new machine: nothing of what Debian's packages bring.
NEW_MACHINE = ("HARFBUZZ_SUBSET_LIB=", "CHROMIUM_BIN=", "JAVA_BIN=")
INSTALL = "apt-get install -y -qq"


def plan(target: str, *variables: str, path: str | None = None) -> list[str]:
    """The commands `make` would run for a target, as it prints them without running them."""
    env = dict(os.environ, PATH=path or os.environ["PATH"])
    completed = subprocess.run(
        [MAKE, "-n", "-C", str(PROJECT_DIR), target, *variables],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return completed.stdout.splitlines()


def run_as_user(tmp_path: Path, target: str, *variables: str) -> subprocess.CompletedProcess[str]:
    """Run a target for real as a user that is not root (an `id` that says 1000: no package gets installed)."""
    stubs = tmp_path / "bin"
    stubs.mkdir(exist_ok=True)
    (stubs / "id").write_text("#!/bin/sh\necho 1000\n")
    (stubs / "id").chmod(0o755)
    env = dict(os.environ, PATH=f"{stubs}:{os.environ['PATH']}")
    return subprocess.run(
        [MAKE, "-s", "-C", str(PROJECT_DIR), target, *variables], capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize("target", BUILD_TARGETS)
def test_every_target_that_builds_installs_harfbuzz_subset_before_it_builds(target: str) -> None:
    commands = plan(target, *NEW_MACHINE)
    install = next(i for i, line in enumerate(commands) if INSTALL in line)
    assert "apt-get update -qq" in commands[install], "a fresh machine's package list may be old or empty"
    assert commands[install].split(INSTALL)[1].split(";")[0].split() == ["libharfbuzz-subset0"], (
        "the browser checks' packages (Chromium, Java) are for `make test` only"
    )
    steps = [i for i, line in enumerate(commands) if "bin/invoke" in line or "benchmarks/run.py" in line]
    assert steps and install < steps[0], "the package is installed before the build runs"


def test_a_machine_that_has_the_library_installs_nothing() -> None:
    commands = plan("serve", "HARFBUZZ_SUBSET_LIB=/usr/lib/x86_64-linux-gnu/libharfbuzz-subset.so.0")
    assert not [line for line in commands if "apt-get" in line]


def test_make_test_installs_the_build_s_and_the_browser_checks_packages() -> None:
    commands = plan("test", *NEW_MACHINE)
    install = next(line for line in commands if INSTALL in line)
    assert install.split(INSTALL)[1].split(";")[0].split() == [
        "libharfbuzz-subset0",
        "chromium",
        "default-jre-headless",
    ]


def test_without_root_the_build_says_what_to_install_and_goes_on(tmp_path: Path) -> None:
    completed = run_as_user(tmp_path, "build-packages", "HARFBUZZ_SUBSET_LIB=")
    assert completed.returncode == 0, completed.stderr
    assert "Install: sudo apt-get install libharfbuzz-subset0" in completed.stdout
    assert "The build goes on without libharfbuzz-subset0, slower." in completed.stdout


def test_without_root_the_tests_say_what_to_install(tmp_path: Path) -> None:
    completed = run_as_user(tmp_path, "system-packages", *NEW_MACHINE)
    assert completed.returncode == 0, completed.stderr
    assert "Install: sudo apt-get install libharfbuzz-subset0 chromium default-jre-headless" in completed.stdout


# Loaded at the start of every Python the build runs (a sitecustomize module on PYTHONPATH), the card worker
# (helpt_site/card_worker.py) included: WeasyPrint as on a machine without libharfbuzz-subset0.
NO_HARFBUZZ_SUBSET = """
import weasyprint.pdf.fonts

weasyprint.pdf.fonts.harfbuzz_subset = None
"""
# And one that makes WeasyPrint warn about something that is not a fallback.
OTHER_WARNING = """
import logging

from pelican import signals


def warn(generators):
    logging.getLogger("weasyprint").warning("Ignored `colour: red` at 1:1, unknown property.")


def register():
    signals.all_generators_finalized.connect(warn)
"""


def project_with_plugin(tmp_path: Path, name: str, source: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = copy_project(tmp_path / "project")
    (project / f"{name}.py").write_text(source)
    with (project / "pelicanconf.py").open("a") as settings:
        settings.write(f'\nPLUGINS = [*PLUGINS, "{name}"]\n')
    monkeypatch.setenv("HELPT_CACHE_DIR", str(tmp_path / "cards-cache"))  # a cold cache: the cards render now
    return project


def test_a_build_without_harfbuzz_subset_renders_the_cards_and_says_so_in_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    project = copy_project(tmp_path / "project")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(NO_HARFBUZZ_SUBSET)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("HELPT_CACHE_DIR", str(tmp_path / "cards-cache"))  # a cold cache: the cards render now
    capfd.readouterr()

    site = build(tmp_path, copy_city(OTHER_CITY, tmp_path / "city"), project_dir=project)

    printed = capfd.readouterr().err
    notes = [line for line in printed.splitlines() if line.startswith("Note: Using fontTools instead of HarfBuzz")]
    assert len(notes) == 1, printed
    assert "The build goes on, slower: install libharfbuzz-subset0" in notes[0]
    assert "stopped" not in printed
    pdfs = sorted((site.root / "cards").glob("*.pdf"))
    assert len(pdfs) == 7 and all(pdf.read_bytes().startswith(b"%PDF-") for pdf in pdfs)


def test_a_weasyprint_warning_that_is_not_a_fallback_still_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    project = project_with_plugin(tmp_path, "other_warning", OTHER_WARNING, monkeypatch)
    printed = build_failure(tmp_path, copy_city(OTHER_CITY, tmp_path / "city"), capfd, project_dir=project)
    assert "Ignored `colour: red` at 1:1, unknown property." in printed
    assert "The build stopped on the warning above." in printed
