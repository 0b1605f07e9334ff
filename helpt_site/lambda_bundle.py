"""Packaging the form handler and the back office for AWS Lambda: a zip each, with what it runs and nothing else.

`sam build` would install the whole project's dependencies (Pelican, WeasyPrint, ...) and ship no `.pyc`. The
functions need far less: the `helpt` package without the card printing, the theme's templates, the compiled
catalogs of the city's languages, `city.toml` (and the logo it names), the site data a publish build wrote
(`.build/publish/.helpt/site.json`), and pinned wheels for Lambda's platform: Jinja2, MarkupSafe and Babel
(boto3 and urllib3 come with the Lambda runtime). Babel's locale data is 35 MB for ~1,100 locales; the functions
only format dates and language names in the city's languages, so only those and `root` are kept.

`function.zip`, the form handler's, has no staff package. `staff.zip`, the back office's, adds it (its web
templates and `.po` catalogs, which it compiles in memory) and the sign-in's libraries: Authlib, joserfc,
cryptography, requests and what requests needs; and XlsxWriter for the exports' XLSX files (the export worker
runs the same zip; pure Python, no compiled parts). Two zips, because cryptography alone is 14 MB
unzipped and the form handler, which residents wait for, would fetch it at every cold start for nothing.
cryptography's Rust bindings load cffi's `_cffi_backend`; pycparser, which cffi needs only to compile
declarations, stays out. WeasyPrint stays out of both (Lambda's runtime has no Pango): on AWS a task slip is
a page styled for printing.

Bytecode is compiled by the runtime's Python version with hash-based invalidation, UNCHECKED_HASH: Lambda's
/var/task is read-only and the sources never change after the build, so Python may load each `.pyc` without
reading and hashing its source (CHECKED_HASH would read every source file on each cold start for nothing;
timestamp `.pyc` would be judged stale when the zip's timestamps differ, and could not be rewritten). Hash-based
`.pyc` and a zip with fixed timestamps also make the bundle reproducible: an unchanged build gives an unchanged
zip, so `sam deploy` has nothing to update.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from helpt.i18n import DOMAIN
from helpt.settings import CitySettings, load_city
from helpt_site.build import PROJECT_DIR

LAMBDA_PYTHON = "3.13"  # the Runtime in template.yaml (a test checks they agree)
LAMBDA_PLATFORM = "aarch64-manylinux_2_34"  # arm64, Amazon Linux 2023 (glibc 2.34)
THIRD_PARTY = ("jinja2", "markupsafe", "babel")  # the form handler's libraries (the back office's too)
# The back office's sign-in (helpt.staff.web.oidc), imported only when someone signs in with the city's provider;
# and XlsxWriter for its exports' XLSX files (the export worker runs this zip too: helpt.staff.web.export_worker).
STAFF_THIRD_PARTY = ("authlib", "joserfc", "cryptography", "cffi", "requests", "idna", "certifi", "charset-normalizer",
                     "xlsxwriter")  # fmt: skip
BUNDLE_DIR = PROJECT_DIR / ".build" / "lambda"
WHEELS_CACHE = PROJECT_DIR / ".build" / "lambda-wheels"
ZIP_NAME = "function.zip"  # template.yaml: the IntakeFunction's CodeUri is .build/lambda/function.zip
STAFF_ZIP_NAME = "staff.zip"  # and the StaffFunction's .build/lambda/staff.zip
# Left out of both: printing needs WeasyPrint, which Lambda lacks.
EXCLUDED = ("printing.py", "bundle", "__pycache__", "*.pyc")
# Not needed to run: console scripts and uv's lock file beside the wheels; C sources and type stubs in them.
UNNEEDED_TOP = ("bin", ".lock")
UNNEEDED = ("*.c", "*.pyi")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class BundleError(RuntimeError):
    """The bundle cannot be built; the message says what to do."""


@dataclass(frozen=True)
class Contents:
    """One function's zip: what of the helpt package it leaves out, and which pinned libraries it carries."""

    name: str  # the folder <name>/ and the zip <name>.zip
    zip_name: str
    excluded: tuple[str, ...]
    libraries: tuple[str, ...]


# The form handler never runs the back office: its zip has neither its pages (staff/web) nor its libraries
# (cryptography alone is 14 MB unzipped). It keeps the staff package's plain modules: the messages it queues
# after a submission (helpt.notify.triggers) word answers as staff read them (helpt.staff.answers).
FORM_HANDLER = Contents("function", ZIP_NAME, ("web", "translations", *EXCLUDED), THIRD_PARTY)
BACK_OFFICE = Contents("staff", STAFF_ZIP_NAME, EXCLUDED, THIRD_PARTY + STAFF_THIRD_PARTY)


@dataclass(frozen=True)
class Bundle:
    folder: Path
    zip_file: Path
    files: int
    unzipped_bytes: int
    zipped_bytes: int
    compiled_with: str | None  # the interpreter that wrote the .pyc, or None when none was found
    locales: tuple[str, ...]
    staff: Bundle | None = None  # the back office's zip, built beside the form handler's

    def summary(self) -> str:
        pyc = f".pyc by {self.compiled_with} (unchecked-hash)" if self.compiled_with else "no .pyc (see above)"
        line = (
            f"{self.zip_file}: {self.zipped_bytes / 1e6:.2f} MB zipped, {self.unzipped_bytes / 1e6:.2f} MB unzipped, "
            f"{self.files} files; {pyc}; Babel locales: {', '.join(self.locales)}"
        )
        return f"{line}\n{self.staff.summary()}" if self.staff else line


def build_bundle(
    site_data_file: Path,
    *,
    destination: Path = BUNDLE_DIR,
    city_file: Path = PROJECT_DIR / "city.toml",
    project_dir: Path = PROJECT_DIR,
    python: str | None = None,
    platform: str = LAMBDA_PLATFORM,
) -> Bundle:
    """Build `destination/function.zip` (the form handler) and `destination/staff.zip` (the back office), each
    from its folder beside it, from a publish build's site data.

    `python` compiles the .pyc; by default a Python LAMBDA_PYTHON found on this machine (find_lambda_python).
    `platform` is Lambda's; the tests also build for their own machine, to run the compiled libraries.
    """
    python = python or find_lambda_python()
    if not python:
        print(f"No Python {LAMBDA_PYTHON} found (set HELPT_LAMBDA_PYTHON): the bundle has no .pyc, so each cold start "
              "compiles the sources first.", file=sys.stderr)  # fmt: skip
    built = [
        build_function_code(contents, site_data_file, destination=destination, city_file=city_file,
                            project_dir=project_dir, python=python, platform=platform)
        for contents in (BACK_OFFICE, FORM_HANDLER)
    ]  # fmt: skip
    return dataclasses.replace(built[1], staff=built[0])


def build_function_code(
    contents: Contents,
    site_data_file: Path,
    *,
    destination: Path,
    city_file: Path,
    project_dir: Path,
    python: str | None,
    platform: str,
) -> Bundle:
    """One function's folder and zip: `destination/<name>/` and `destination/<name>.zip`."""
    city = load_city(city_file)
    staging = destination / f"{contents.name}.next"
    shutil.rmtree(staging, ignore_errors=True)
    package = staging / "helpt"
    shutil.copytree(project_dir / "functions" / "helpt", package, ignore=shutil.ignore_patterns(*contents.excluded))
    _add_data(package / "bundle", city, project_dir, site_data_file)
    wheels = install_wheels(project_dir / "uv.lock", names=contents.libraries, platform=platform)
    shutil.copytree(wheels, staging, dirs_exist_ok=True)
    _drop_unneeded(staging)
    locales = keep_locales(staging / "babel" / "locale-data", city.languages)
    _check_locales(staging, city.languages, python or sys.executable)
    if python:
        compile_bytecode(staging, python)
    folder = destination / contents.name
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    zip_file = zip_folder(folder, destination / contents.zip_name)
    files = [path for path in folder.rglob("*") if path.is_file()]
    return Bundle(
        folder=folder,
        zip_file=zip_file,
        files=len(files),
        unzipped_bytes=sum(path.stat().st_size for path in files),
        zipped_bytes=zip_file.stat().st_size,
        compiled_with=_version_of(python) if python else None,
        locales=locales,
    )


def _drop_unneeded(folder: Path) -> None:
    for path in [
        *(folder / name for name in UNNEEDED_TOP),
        *(p for pattern in UNNEEDED for p in folder.rglob(pattern)),
    ]:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _add_data(data: Path, city: CitySettings, project_dir: Path, site_data_file: Path) -> None:
    """What helpt.app.intake_from_environment reads: city.toml, templates/, translations/, site.json."""
    city_file = city.source
    data.mkdir(parents=True)
    shutil.copy2(city_file, data / "city.toml")
    # load_city checks that the content folder and the logo exist; the logo is all the function needs of it.
    folder = Path(tomllib.loads(city_file.read_text(encoding="utf-8"))["content"]["folder"])
    if folder.is_absolute() or ".." in folder.parts:
        raise BundleError(f"{city_file}: content.folder must be a folder beside city.toml, not {folder}")
    (data / folder / city.logo).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(city.content_dir / city.logo, data / folder / city.logo)
    shutil.copytree(project_dir / "theme" / "templates", data / "templates")
    for lang in city.languages:
        po_file = project_dir / "theme" / "translations" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po_file.is_file():  # the source language (English) needs none
            with po_file.open("rb") as stream:
                catalog = read_po(stream, locale=lang)
            buffer = BytesIO()
            write_mo(buffer, catalog)
            mo_file = data / "translations" / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
            mo_file.parent.mkdir(parents=True)
            mo_file.write_bytes(buffer.getvalue())
    site = json.loads(Path(site_data_file).read_text(encoding="utf-8"))
    if site.get("siteurl") != city.site_url:
        raise BundleError(
            f"{site_data_file} is not from a publish build for {city.site_url} (its siteurl is "
            f"{site.get('siteurl')!r}): build with `invoke build --publish` first."
        )
    shutil.copy2(site_data_file, data / "site.json")


def lambda_requirements(lock_file: Path, names: tuple[str, ...] = THIRD_PARTY) -> str:
    """Requirement lines pinned to uv.lock's versions, with every wheel hash it records (for --require-hashes)."""
    packages = {package["name"]: package for package in tomllib.loads(lock_file.read_text("utf-8"))["package"]}
    lines = []
    for name in names:
        package = packages.get(name)
        if package is None:
            raise BundleError(f"{lock_file} has no {name}: it is a runtime dependency of the function")
        hashes = " ".join(f"--hash={wheel['hash']}" for wheel in package.get("wheels", []))
        lines.append(f"{name}=={package['version']} {hashes}")
    return "\n".join(lines) + "\n"


def install_wheels(
    lock_file: Path,
    cache: Path = WHEELS_CACHE,
    *,
    names: tuple[str, ...] = THIRD_PARTY,
    platform: str = LAMBDA_PLATFORM,
) -> Path:
    """The pinned wheels for Lambda's platform, installed once into a folder named after what it holds.

    Installed beside it and renamed into place, so a build running at the same time never sees half of it.
    """
    requirements = lambda_requirements(lock_file, names)
    key = hashlib.sha256(f"{requirements}{platform}{LAMBDA_PYTHON}".encode()).hexdigest()[:16]
    target = cache / key
    if target.is_dir():
        return target / "site-packages"
    partial = cache / f"{key}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    (partial / "requirements.txt").write_text(requirements, encoding="utf-8")
    command = [find_uv(), "pip", "install", "--quiet", "--target", str(partial / "site-packages")]
    command += ["--python", sys.executable, "--python-platform", platform, "--python-version", LAMBDA_PYTHON]
    command += ["--only-binary", ":all:", "--no-deps", "--require-hashes", "-r", str(partial / "requirements.txt")]
    completed = subprocess.run(command, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"}, check=False)
    if completed.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise BundleError(f"could not install the functions' libraries for {platform} (is PyPI reachable?)")
    try:
        partial.rename(target)
    except OSError:  # another build got there first: use its copy
        shutil.rmtree(partial, ignore_errors=True)
    return target / "site-packages"


def find_uv() -> str:
    """The project's pinned uv (make setup installs it under .tools/), else one on PATH."""
    for candidate in sorted(PROJECT_DIR.glob(".tools/uv-*/bin/uv"), reverse=True):
        return str(candidate)
    found = shutil.which("uv")
    if found is None:
        raise BundleError("uv not found: run `make setup`")
    return found


def keep_locales(locale_data: Path, languages: tuple[str, ...]) -> tuple[str, ...]:
    """Delete Babel's locale data except `root` and the city's languages; return what is kept.

    Babel loads `<locale>.dat` and its parents' (for a bare language such as `nl`: `root.dat`) when a locale is
    first used, and nothing else from the folder; `global.dat` (likely subtags, plural rules) sits beside it.
    """
    keep = ("root", *languages)
    missing = [lang for lang in languages if not (locale_data / f"{lang}.dat").is_file()]
    if missing:
        raise BundleError(f"Babel has no locale data for {', '.join(missing)}")
    for path in locale_data.glob("*.dat"):
        if path.stem not in keep:
            path.unlink()
    return tuple(sorted(keep))


def _check_locales(folder: Path, languages: tuple[str, ...], python: str) -> None:
    """Format a date and name each language with the pruned data, in a Python that sees only the bundle."""
    code = (
        "import sys, datetime; sys.path.insert(0, sys.argv[1])\n"
        "from babel import Locale; from babel.dates import format_date, format_time\n"
        "for lang in sys.argv[2:]:\n"
        "    Locale.parse(lang).get_display_name(lang); format_date(datetime.date(2020, 3, 16), 'long', locale=lang)\n"
        "    format_time(datetime.time(8), 'short', locale=lang)\n"
    )
    # -S: no site packages; -B: no timestamp .pyc left behind for compile_bytecode to mistake for its own.
    command = [python, "-S", "-B", "-c", code, str(folder), *languages]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BundleError(f"the bundle's Babel cannot format {languages}:\n{completed.stderr[-1500:]}")


def find_lambda_python(version: str = LAMBDA_PYTHON) -> str | None:
    """A Python of the Lambda runtime's version: HELPT_LAMBDA_PYTHON, `python3.13` on PATH, or a pyenv install."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [os.environ.get("HELPT_LAMBDA_PYTHON", ""), shutil.which(f"python{version}") or ""]
    candidates += [str(path) for path in sorted(pyenv.glob(f"{version}*/bin/python{version}"), reverse=True)]
    for candidate in filter(None, candidates):
        if _version_of(candidate).startswith(f"Python {version}."):
            return candidate
    return None


def _version_of(python: str) -> str:
    try:
        completed = subprocess.run([python, "--version"], capture_output=True, text=True, timeout=10)
    except OSError:
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def compile_bytecode(folder: Path, python: str) -> None:
    """Hash-based .pyc for every module, written by the runtime's Python, with Lambda's paths in tracebacks."""
    command = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
               "-s", str(folder), "-p", "/var/task", str(folder)]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BundleError(f"compileall failed:\n{completed.stdout[-1500:]}{completed.stderr[-1500:]}")


def zip_folder(folder: Path, zip_file: Path) -> Path:
    """A reproducible zip: sorted entries, fixed timestamps and permissions."""
    partial = zip_file.with_name(zip_file.name + ".next")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_ZIP_TIME)
            entry.external_attr = 0o100644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    partial.replace(zip_file)
    return zip_file
