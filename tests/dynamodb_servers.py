"""Local DynamoDB-compatible servers for the tests: moto (server mode, over HTTP) and dynalite.

A pytest plugin (test modules name it in `pytest_plugins`), so that each server starts once per session
however many test modules use it: the store contract tests and the staff tool's tests. When a server cannot
start, its tests are skipped with the reason on a developer's machine, and fail in CI (CI=true).

Test modules also import its helpers, before pytest loads it as a plugin; it holds no test assertions, so
pytest need not rewrite it: PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from helpt.stores.dynamodb import CLIENT_CONFIG, DynamoDBStore

PROJECT_DIR = Path(__file__).resolve().parents[1]
REGION = "eu-west-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
SERVER_START_SECONDS = 20.0


def unavailable(message: str) -> None:
    """Skip on a developer's machine; in CI a server that should be there and is not is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the store tests must run)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client(endpoint_url: str, config: Config = CLIENT_CONFIG) -> Any:
    return boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint_url, config=config, **DUMMY_CREDENTIALS)


@pytest.fixture(scope="session")
def tmp_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store-servers")


def serve(name: str, command: list[str], port: int, log: Path) -> Iterator[str]:
    """Start a local DynamoDB server, wait until it answers ListTables, yield its URL, stop it."""
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        try:
            process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=output, stderr=subprocess.STDOUT)
        except OSError as error:
            unavailable(f"{name} did not start: {error}")
    try:
        probe = client(endpoint, Config(connect_timeout=0.5, read_timeout=2, retries={"total_max_attempts": 1}))
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                unavailable(f"{name} exited with {process.returncode}: {log.read_text(errors='replace')[-500:]}")
            try:
                probe.list_tables()
                break
            except Exception:
                if time.monotonic() > deadline:
                    unavailable(f"{name} did not answer on {endpoint} within {SERVER_START_SECONDS:.0f} s")
                time.sleep(0.05)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def moto_endpoint(tmp_logs: Path) -> Iterator[str]:
    moto_server = Path(sys.executable).parent / "moto_server"
    if not moto_server.exists():
        unavailable(f"moto_server not found next to {sys.executable}: run `make setup`")
    port = free_port()
    command = [str(moto_server), "-H", "127.0.0.1", "-p", str(port)]
    yield from serve("moto server", command, port, tmp_logs / "moto.log")


@pytest.fixture(scope="session")
def dynalite_endpoint(tmp_logs: Path) -> Iterator[str]:
    node = shutil.which("node")
    cli = PROJECT_DIR / "node_modules" / "dynalite" / "cli.js"
    if node is None or not cli.exists():
        unavailable("dynalite needs Node.js and `npm ci --ignore-scripts` (make setup): not found")
    port = free_port()
    # In memory (no --path); tables become ACTIVE at once instead of after dynalite's default 500 ms.
    command = [str(node), str(cli), "--host", "127.0.0.1", "--port", str(port), "--createTableMs", "0"]
    command += ["--deleteTableMs", "0", "--updateTableMs", "0"]
    yield from serve("dynalite", command, port, tmp_logs / "dynalite.log")


def dynamodb_store(request: pytest.FixtureRequest, backend: str) -> DynamoDBStore:
    endpoint = request.getfixturevalue("moto_endpoint" if backend == "dynamodb-moto" else "dynalite_endpoint")
    # A table per test: no test sees another's items, and nothing needs cleaning up in a throw-away server.
    store = DynamoDBStore(f"helpt-{uuid.uuid4().hex[:12]}", region=REGION, client=client(endpoint))
    store.page_size = 2  # every Scan and Query crosses page boundaries, as a real table's would
    store.create_table()
    return store
