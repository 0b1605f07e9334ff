"""The Lambda bundle: what its two zips hold, and that each runs by itself.

The bundle is built from a publish build, unzipped into a fresh virtual environment that sees nothing of the
project (no site packages, PYTHONPATH = the unzipped bundle), and fed payload 2.0 events: a valid submission
lands in DynamoDB (moto's server) and answers 303. boto3 comes from the project, as on Lambda it comes from the
runtime: only boto3 and its own dependencies are put beside the bundle, nothing else of the project's packages.
The venv uses a Python of the Lambda runtime's version when there is one, so the shipped .pyc are the ones used.

The back office's zip is unzipped the same way: its handler imports and serves the sign-in page without the
sign-in's libraries. Their compiled parts are built for Lambda's arm64, which this machine may not run, so a
copy of that zip built for this machine signs someone in with a real OpenID provider (tests/oidc_support.py),
its settings in Secrets Manager and its account in DynamoDB (both moto), as on AWS.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import socket
import subprocess
import sys
import time
import tomllib
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from conftest import BuiltSite
from forms_support import VALID, event, form_body
from oidc_support import OURS, REDIRECT_URI, STATE_SECRET, Provider, provider_callback_url

from helpt.stores import Account
from helpt.stores.dynamodb import DynamoDBStore
from helpt_site.build import PROJECT_DIR
from helpt_site.lambda_bundle import (
    BACK_OFFICE,
    LAMBDA_PYTHON,
    STAFF_THIRD_PARTY,
    THIRD_PARTY,
    Bundle,
    BundleError,
    build_bundle,
    build_function_code,
    find_lambda_python,
    keep_locales,
    zip_folder,
)

pytest_plugins = ["oidc_support"]

REGION = "eu-west-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
RUNTIME_PACKAGES = ("boto3",)  # what the Lambda Python runtime provides, with their dependencies
# Runs inside the clean venv: import the handler as Lambda does, time it, handle each event read from stdin.
RUNNER = r"""
import json, sys, time
started = time.perf_counter()
import helpt.handler
imported = time.perf_counter() - started
events = json.load(sys.stdin)
started = time.perf_counter()
answers = [helpt.handler.lambda_handler(events[0], None)]
first = time.perf_counter() - started
answers += [helpt.handler.lambda_handler(event, None) for event in events[1:]]
try:
    import weasyprint  # noqa
    weasyprint_found = True
except ImportError:
    weasyprint_found = False
print(json.dumps({
    "answers": answers, "import_seconds": imported, "first_seconds": first, "modules": sorted(sys.modules),
    "files": {name: sys.modules[name].__file__ for name in ("helpt", "jinja2", "babel", "markupsafe", "boto3")},
    "cached": helpt.handler.__spec__.cached, "path": sys.path, "prefix": sys.prefix,
    "base_prefix": sys.base_prefix, "weasyprint_found": weasyprint_found,
}))
"""
# The back office's runner: import its handler (timed), then answer one event per line of stdin with one answer per
# line of stdout, so a test can go to the provider and back in between. "report": what is imported, from where.
STAFF_RUNNER = r"""
import json, sys, time
started = time.perf_counter()
import helpt.staff.web.handler
imported = time.perf_counter() - started
def report():
    return {"import_seconds": imported, "modules": sorted(sys.modules), "prefix": sys.prefix,
            "files": {name: module.__file__ for name, module in sys.modules.items() if "." not in name
                      and getattr(module, "__file__", None)}}
print(json.dumps(report()), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    answer = report() if request == "report" else helpt.staff.web.handler.lambda_handler(request, None)
    print(json.dumps(answer), flush=True)
"""
# Import names of the back office's libraries, and what must never be in its zip.
STAFF_IMPORTS = ("authlib", "joserfc", "cryptography", "cffi", "requests", "idna", "certifi", "charset_normalizer",
                 "xlsxwriter")  # fmt: skip
SIGN_IN_LIBRARIES = {"authlib", "joserfc", "cryptography", "requests"}
NEVER_IN_THE_ZIP = ("weasyprint", "pelican", "helpt_site", "pycparser", "urllib3", "boto3", "botocore")
AARCH64 = 183  # ELF e_machine of arm64


@pytest.fixture(scope="module")
def bundle(leuven_published: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    try:
        return build_bundle(
            leuven_published.root / ".helpt" / "site.json", destination=tmp_path_factory.mktemp("lambda")
        )
    except BundleError as error:
        unavailable(f"the bundle could not be built: {error}")
        raise


def unavailable(message: str) -> None:
    """Skip on a developer's machine; in CI a tool that should be there and is not is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the deploy checks must run)", pytrace=False)
    pytest.skip(message)


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, **DUMMY_CREDENTIALS)


def moto_server(log_dir: Path) -> Iterator[str]:
    """moto in server mode on a free port (real HTTP, as the handler's botocore speaks it); stopped afterwards."""
    program = Path(sys.executable).parent / "moto_server"
    if not program.exists():
        unavailable(f"moto_server not found next to {sys.executable}: run `make setup`")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    with (log_dir / "moto.log").open("wb") as log:
        process = subprocess.Popen([str(program), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    unavailable(
                        f"moto server did not start: {(log_dir / 'moto.log').read_text(errors='replace')[-500:]}"
                    )
                time.sleep(0.05)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from moto_server(tmp_path_factory.mktemp("moto"))


def test_the_bundle_holds_the_handler_its_data_and_three_libraries_only(bundle: Bundle) -> None:
    top = {path.name for path in bundle.folder.iterdir()}
    assert {name for name in top if not name.endswith(".dist-info")} == {"helpt", *THIRD_PARTY}
    package = bundle.folder / "helpt"
    assert not (package / "staff" / "web").exists() and not (package / "printing.py").exists()
    assert (package / "handler.py").is_file() and (package / "stores" / "dynamodb.py").is_file()
    data = package / "bundle"
    assert (data / "city.toml").is_file() and (data / "templates" / "form.html").is_file()
    assert (data / "translations" / "nl" / "LC_MESSAGES" / "messages.mo").is_file()
    assert not list(data.rglob("*.po")), "compiled catalogs only"
    assert json.loads((data / "site.json").read_text("utf-8"))["siteurl"] == "https://www.leuvenhelpt.be"
    assert [path.name for path in (data / "content").rglob("*") if path.is_file()] == ["logo.svg"]
    assert not list(bundle.folder.rglob(".helpt")) and not (bundle.folder / "bin").exists()
    locales = sorted(path.name for path in (bundle.folder / "babel" / "locale-data").glob("*.dat"))
    assert locales == ["en.dat", "nl.dat", "root.dat"]
    assert list((bundle.folder / "markupsafe").glob(f"_speedups.cpython-{LAMBDA_PYTHON.replace('.', '')}-aarch64-*.so"))


def test_the_libraries_are_the_versions_uv_lock_pins(bundle: Bundle) -> None:
    lock = {p["name"]: p["version"] for p in tomllib.loads((PROJECT_DIR / "uv.lock").read_text("utf-8"))["package"]}
    for name in THIRD_PARTY:
        (info,) = bundle.folder.glob(f"{name}-*.dist-info")
        assert info.name == f"{name}-{lock[name]}.dist-info"


def test_every_module_has_hash_based_bytecode_for_the_runtime(bundle: Bundle) -> None:
    if bundle.compiled_with is None:
        unavailable(f"no Python {LAMBDA_PYTHON} on this machine: the bundle has no .pyc (set HELPT_LAMBDA_PYTHON)")
    tag = f"cpython-{LAMBDA_PYTHON.replace('.', '')}"
    sources = list(bundle.folder.rglob("*.py"))
    assert len(sources) > 50
    for source in sources:
        pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
        assert flags == 0b01, f"{pyc}: hash-based and unchecked (PEP 552), not {flags:#b}"


def test_the_zip_is_reproducible_and_its_sizes_are_reported(bundle: Bundle, tmp_path: Path) -> None:
    again = zip_folder(bundle.folder, tmp_path / "again.zip")
    assert again.read_bytes() == bundle.zip_file.read_bytes(), "an unchanged bundle must not look changed to sam"
    with zipfile.ZipFile(bundle.zip_file) as archive:
        assert len(archive.namelist()) == bundle.files
        assert sum(info.file_size for info in archive.infolist()) == bundle.unzipped_bytes
    assert bundle.zipped_bytes < 5_000_000 and bundle.unzipped_bytes < 15_000_000
    assert "MB zipped" in bundle.summary()


def runtime_packages(destination: Path) -> Path:
    """boto3 and its dependencies from the project's environment, linked into a folder of their own."""
    destination.mkdir()
    pending, seen = list(RUNTIME_PACKAGES), set()
    while pending:
        distribution = importlib.metadata.distribution(pending.pop())
        if distribution.metadata["Name"].lower() in seen:
            continue
        seen.add(distribution.metadata["Name"].lower())
        pending += [r.split(";")[0].split()[0].split("<")[0].split(">")[0].split("=")[0].split("[")[0]
                    for r in distribution.requires or [] if "extra ==" not in r]  # fmt: skip
        for top in {file.parts[0] for file in distribution.files or []}:
            if not top.endswith((".dist-info", ".pth")) and top not in ("..", "bin", "__pycache__"):
                target = Path(distribution.locate_file(top))
                if not (destination / top).exists():
                    (destination / top).symlink_to(target)
    return destination


def new_table(moto: str) -> str:
    table = f"helpt-{uuid.uuid4().hex[:12]}"
    DynamoDBStore(table, region=REGION, client=client("dynamodb", moto)).create_table()
    return table


def unzipped(zip_file: Path, tmp_path: Path, python: str) -> tuple[Path, Path, Path]:
    """The zip unzipped as Lambda's /var/task, a venv with nothing installed, and the runtime's boto3."""
    task = tmp_path / "task"
    with zipfile.ZipFile(zip_file) as archive:
        archive.extractall(task)
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)
    return task, venv, runtime_packages(tmp_path / "runtime")


def lambda_environment(task: Path, runtime: Path, tmp_path: Path, moto: str, **variables: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{task}:{runtime}",  # Lambda: /var/task first, then the runtime's boto3
        "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only on Lambda
        "PYTHONNOUSERSITE": "1",
        "HOME": str(tmp_path),
        "HELPT_STORE": "dynamodb",
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "AWS_ENDPOINT_URL_DYNAMODB": moto,  # botocore reads it: the handler's code is unchanged
        **variables,
    }


def test_the_unzipped_bundle_alone_receives_a_submission_into_dynamodb(
    bundle: Bundle, moto: str, tmp_path: Path
) -> None:
    table = new_table(moto)
    python = find_lambda_python() or sys.executable
    task, venv, runtime = unzipped(bundle.zip_file, tmp_path, python)
    env = lambda_environment(task, runtime, tmp_path, moto, HELPT_TABLE=table)
    events = [
        event("help-request", form_body(VALID["help-request"])),
        event("help-request", form_body({**VALID["help-request"], "postcode": ""})),
    ]
    completed = subprocess.run(
        [str(venv / "bin" / "python"), "-P", "-c", RUNNER], input=json.dumps(events), capture_output=True, text=True,
        env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout)

    stored, invalid = report["answers"]
    assert stored["statusCode"] == 303, stored
    location = urlsplit(stored["headers"]["location"])
    assert location.path == "/api/help-request/confirmation"
    reference = dict(pair.split("=") for pair in location.query.split("&"))["ref"]
    item = client("dynamodb", moto).get_item(
        TableName=table, Key={"pk": {"S": f"SUB#{reference}"}}, ConsistentRead=True
    )
    assert item["Item"]["answers"]["M"]["name"] == {"S": "Maria Peeters"}
    assert invalid["statusCode"] == 422 and 'lang="nl"' in invalid["body"] and "aria-invalid" in invalid["body"]

    # Nothing came from outside the bundle but the standard library and the runtime's boto3.
    assert report["prefix"] == str(venv) and report["prefix"] != report["base_prefix"]
    for name in ("helpt", *THIRD_PARTY):
        assert report["files"][name].startswith(str(task)), report["files"]
    assert report["files"]["boto3"].startswith(str(runtime))
    # The staff package's plain modules word the messages it queues; the back office itself never loads here.
    assert not {"pelican", "weasyprint", "helpt.printing", "helpt.staff.web", "helpt.staff.cli", "helpt_site"} & set(
        report["modules"])  # fmt: skip
    assert not SIGN_IN_LIBRARIES & set(report["modules"])
    assert not report["weasyprint_found"]
    outside = [
        p for p in report["path"] if not p.startswith((str(task), str(runtime), str(venv), report["base_prefix"]))
    ]
    assert outside == [], "only the bundle, the runtime's boto3, the venv and the standard library"
    if python != sys.executable:
        assert Path(report["cached"]).is_file(), "the runtime's Python uses the shipped .pyc"
    print(f"\nclean venv ({python}): import helpt.handler {report['import_seconds'] * 1000:.0f} ms, first request "
          f"(builds the Intake, imports boto3, one PutItem) {report['first_seconds'] * 1000:.0f} ms")  # fmt: skip


def test_babel_keeps_root_and_the_city_languages_and_refuses_one_it_does_not_know(tmp_path: Path) -> None:
    data = tmp_path / "locale-data"
    data.mkdir()
    for name in ("root", "nl", "nl_BE", "fr"):
        (data / f"{name}.dat").write_bytes(b"")
    assert keep_locales(data, ("nl",)) == ("nl", "root")
    assert sorted(path.name for path in data.iterdir()) == ["nl.dat", "root.dat"]
    with pytest.raises(BundleError, match="xx"):
        keep_locales(data, ("nl", "xx"))


def test_site_data_of_a_preview_build_is_refused(leuven_published: BuiltSite, tmp_path: Path) -> None:
    """A preview build's pages post to /api on any host and link relative: not what the stack serves."""
    preview = json.loads((leuven_published.root / ".helpt" / "site.json").read_text("utf-8")) | {"siteurl": ""}
    site_data = tmp_path / "site.json"
    site_data.write_text(json.dumps(preview), encoding="utf-8")
    with pytest.raises(BundleError, match="publish build"):
        build_bundle(site_data, destination=tmp_path / "lambda")


# The back office's zip -----------------------------------------------------------------------------------------


def test_the_back_office_zip_holds_the_staff_package_and_the_sign_in_libraries_for_lambda(bundle: Bundle) -> None:
    staff = bundle.staff
    assert staff is not None and staff.zip_file.name == "staff.zip" and staff.zip_file.parent == bundle.zip_file.parent
    top = {path.name for path in staff.folder.iterdir()}
    packages = {name for name in top if not name.endswith(".dist-info") and not name.startswith("_cffi_backend.")}
    assert packages == {"helpt", *THIRD_PARTY, *STAFF_IMPORTS}
    (backend,) = [name for name in top if name.startswith("_cffi_backend.")]  # what cryptography's bindings load
    assert backend.startswith(f"_cffi_backend.cpython-{LAMBDA_PYTHON.replace('.', '')}-aarch64-linux-gnu")
    assert not {name.split("-")[0].lower() for name in top} & set(NEVER_IN_THE_ZIP)
    web = staff.folder / "helpt" / "staff" / "web"
    assert (web / "handler.py").is_file() and (web / "oidc.py").is_file() and (web / "app.py").is_file()
    assert (web / "templates" / "signin.html").is_file()
    assert (staff.folder / "helpt" / "staff" / "translations" / "nl" / "LC_MESSAGES" / "helpt_staff.po").is_file()
    assert not (staff.folder / "helpt" / "printing.py").exists(), "no WeasyPrint on Lambda: slips are HTML there"
    data = staff.folder / "helpt" / "bundle"
    assert (data / "city.toml").is_file() and [path.name for path in (data / "content").rglob("*.svg")] == ["logo.svg"]
    lock = {p["name"]: p["version"] for p in tomllib.loads((PROJECT_DIR / "uv.lock").read_text("utf-8"))["package"]}
    for name in (*THIRD_PARTY, *STAFF_THIRD_PARTY):
        (info,) = staff.folder.glob(f"{name.replace('-', '_')}-*.dist-info")
        assert info.name == f"{name.replace('-', '_')}-{lock[name]}.dist-info"
    # cryptography's Rust bindings, the one large compiled part, are built for Lambda's arm64.
    rust = staff.folder / "cryptography" / "hazmat" / "bindings" / "_rust.abi3.so"
    assert int.from_bytes(rust.read_bytes()[18:20], "little") == AARCH64
    assert staff.zipped_bytes < 50_000_000, "Lambda takes a zip of up to 50 MB directly"
    assert staff.unzipped_bytes < 250_000_000, "and up to 250 MB unzipped"
    assert bundle.zipped_bytes < staff.zipped_bytes / 3, "the form handler does not carry the sign-in's libraries"
    assert "staff.zip" in bundle.summary()


class StaffFunction:
    """The back office's handler in the clean venv, one event in and one answer out at a time."""

    def __init__(self, venv: Path, env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [str(venv / "bin" / "python"), "-P", "-c", STAFF_RUNNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env, cwd=cwd,
        )  # fmt: skip
        self.report = json.loads(self._line())

    def handle(self, staff_event: dict[str, Any] | str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(staff_event) + "\n")
        self.process.stdin.flush()
        return json.loads(self._line())

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=10)
            raise AssertionError(f"the back office stopped: {self.process.stderr.read()[-3000:]}")
        return line

    def logs(self) -> str:
        """What the function logged so far (it stops to tell)."""
        self.close()
        return self.process.stderr.read()[-3000:]

    def close(self) -> None:
        if self.process.stdin.closed:
            return
        self.process.stdin.close()
        self.process.wait(timeout=10)


def staff_event(path: str, query: str = "", cookies: tuple[str, ...] = ()) -> dict[str, Any]:
    """A GET through CloudFront as the HTTP API hands it over (payload 2.0 moves cookies into `cookies`)."""
    return {
        "version": "2.0", "rawPath": path, "rawQueryString": query, "cookies": list(cookies),
        "headers": {"host": "abc123.execute-api.eu-west-1.amazonaws.com", "accept": "text/html"},
        "requestContext": {"http": {"method": "GET", "path": path}, "domainName": "www.leuvenhelpt.be"},
        "isBase64Encoded": False,
    }  # fmt: skip


def cookie_pair(answer: dict[str, Any], name: str) -> str:
    """`name=value` of a cookie an answer sets, as the browser sends it back."""
    (pair,) = [cookie.split(";")[0] for cookie in answer.get("cookies", []) if cookie.startswith(f"{name}=")]
    return pair


def test_the_unzipped_back_office_alone_imports_its_handler_and_serves_the_sign_in_page(
    bundle: Bundle, moto: str, tmp_path: Path
) -> None:
    """As deployed: the sign-in's settings named in Secrets Manager, which nobody reads before a sign-in."""
    assert bundle.staff is not None
    python = find_lambda_python() or sys.executable
    task, venv, runtime = unzipped(bundle.staff.zip_file, tmp_path, python)
    env = lambda_environment(
        task, runtime, tmp_path, moto, HELPT_TABLE=new_table(moto),
        HELPT_OIDC_ISSUER="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE",
        HELPT_OIDC_SECRET_ID="leuven-helpt/staff-sign-in",  # not in moto: reading it would fail the page
    )  # fmt: skip
    office = StaffFunction(venv, env, tmp_path)
    try:
        imported = office.report
        home = office.handle(staff_event("/staff/"))
        signin = office.handle(staff_event("/staff/signin"))
        report = office.handle("report")
    finally:
        office.close()
    assert home["statusCode"] == 303 and home["headers"]["location"].startswith("/staff/signin")
    assert signin["statusCode"] == 200 and signin["headers"]["cache-control"] == "no-store"
    assert 'lang="nl"' in signin["body"] and "Aanmelden met je account van de stad" in signin["body"]
    assert "/staff/auth/start" in signin["body"]
    assert signin["headers"]["strict-transport-security"].startswith("max-age="), "secure=True on AWS"
    assert report["prefix"] == str(venv)
    assert all(report["files"][name].startswith(str(task)) for name in ("helpt", "jinja2", "babel"))
    assert report["files"]["boto3"].startswith(str(runtime))
    assert "helpt.staff.web.oidc" in report["modules"]
    assert not SIGN_IN_LIBRARIES & set(report["modules"]), "imported at the first sign-in, not at a cold start"
    assert not {"weasyprint", "pelican", "helpt.printing", "helpt_site"} & set(report["modules"])
    print(f"\nclean venv ({python}): import helpt.staff.web.handler {imported['import_seconds'] * 1000:.0f} ms")


def test_the_back_office_zip_built_for_this_machine_signs_someone_in_with_the_provider(
    leuven_published: BuiltSite, oidc_provider: Provider, moto: str, tmp_path: Path
) -> None:
    """Start, the provider's login, the callback, a session: the sign-in's libraries as the zip carries them."""
    python = find_lambda_python()
    if python is None or sys.platform != "linux":
        unavailable(f"needs Linux and a Python {LAMBDA_PYTHON} (HELPT_LAMBDA_PYTHON) to run the compiled libraries")
    try:
        here = build_function_code(
            BACK_OFFICE, leuven_published.root / ".helpt" / "site.json", destination=tmp_path / "lambda",
            city_file=PROJECT_DIR / "city.toml", project_dir=PROJECT_DIR, python=python,
            platform=f"{platform.machine()}-manylinux_2_28",
        )  # fmt: skip
    except BundleError as error:
        unavailable(f"the back office's zip could not be built for this machine: {error}")
    table = new_table(moto)
    store = DynamoDBStore(table, region=REGION, client=client("dynamodb", moto))
    store.put_account(Account(name="maria.peeters@leuven.example", role="coordinator"))
    secret = f"helpt-tests/staff-sign-in-{uuid.uuid4().hex[:8]}"
    settings = {"client_id": OURS["client_id"], "client_secret": OURS["client_secret"], "redirect_uri": REDIRECT_URI,
                "state_secret": STATE_SECRET}  # fmt: skip
    client("secretsmanager", moto).create_secret(Name=secret, SecretString=json.dumps(settings))
    task, venv, runtime = unzipped(here.zip_file, tmp_path, python)
    env = lambda_environment(
        task, runtime, tmp_path, moto, HELPT_TABLE=table, HELPT_OIDC_ISSUER=oidc_provider.issuer,
        HELPT_OIDC_SECRET_ID=secret, AWS_ENDPOINT_URL_SECRETS_MANAGER=moto,
    )  # fmt: skip
    office = StaffFunction(venv, env, tmp_path)
    try:
        start = office.handle(staff_event("/staff/auth/start", "next=/staff/"))
        assert start["statusCode"] == 303, office.logs()
        assert start["headers"]["location"].startswith(f"{oidc_provider.issuer}/auth?")
        state_cookie = cookie_pair(start, "__Host-helpt-oidc")
        back = urlsplit(provider_callback_url(start["headers"]["location"], "maria"))
        signed_in = office.handle(staff_event(back.path, back.query, (state_cookie,)))
        assert signed_in["statusCode"] == 200, signed_in["body"][-500:]
        session = cookie_pair(signed_in, "__Host-helpt-staff")
        home = office.handle(staff_event("/staff/", cookies=(session,)))
        replayed = office.handle(staff_event(back.path, back.query, (state_cookie,)))
        report = office.handle("report")
    finally:
        logs = office.logs()
    assert home["statusCode"] == 200, f"signed in: the back office's start page, not the sign-in page\n{logs}"
    assert replayed["statusCode"] == 403 and not any(c.startswith("__Host-helpt-staff=") for c in replayed["cookies"])
    assert all(report["files"][name].startswith(str(task)) for name in SIGN_IN_LIBRARIES), "the zip's own copies"
