"""Session fixtures for the lock services: a private Redis and a private PostgreSQL.

Register with ``pytest_plugins = ["services"]`` in a test module (not conftest.py).

* ``redis_url`` -> ``redis://127.0.0.1:PORT/0`` from ``scripts/services/redis.sh``;
* ``postgres_url`` -> ``postgresql://postgres@127.0.0.1:PORT/postgres`` from
  ``scripts/services/postgres.sh``.

Each script installs its server from Debian's packages when missing and starts it on a
free loopback port in a folder of its own; the fixture stops it and removes the folder
when the session ends. ``TEST_REDIS_URL`` / ``TEST_POSTGRES_URL`` use an instance that
is already running instead (left running).

A service that cannot be started FAILS the tests that need it -- under CI always; locally
they skip only when ``SUP_SLA_SKIP_INTEGRATION=1`` (the policy of conftest.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "services"
START_TIMEOUT = 900  # a fresh machine first runs apt-get


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


def _unavailable(what: str, reason: str) -> NoReturn:
    if not _truthy(os.environ.get("CI")) and os.environ.get("SUP_SLA_SKIP_INTEGRATION") == "1":
        pytest.skip(f"{what} unavailable (SUP_SLA_SKIP_INTEGRATION=1): {reason}")
    pytest.fail(
        f"{what} unavailable: {reason}\n"
        "(locally, SUP_SLA_SKIP_INTEGRATION=1 turns this into a skip)",
        pytrace=False,
    )


def _run(script: str, action: str, folder: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPTS / script), action, str(folder)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _service(what: str, script: str, folder: Path) -> Iterator[str]:
    try:
        started = _run(script, "start", folder, START_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _stop(script, folder)
        _unavailable(what, f"scripts/services/{script}: {exc}")
    url = started.stdout.strip().splitlines()[-1] if started.stdout.strip() else ""
    if started.returncode != 0 or "://" not in url:
        _stop(script, folder)
        _unavailable(
            what,
            f"scripts/services/{script} start {folder} exited {started.returncode}\n"
            f"--- stdout ---\n{started.stdout[-2000:]}\n--- stderr ---\n{started.stderr[-4000:]}",
        )
    try:
        yield url
    finally:
        _stop(script, folder)


def _stop(script: str, folder: Path) -> None:
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        _run(script, "stop", folder, 120)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private Redis server for the session (or $TEST_REDIS_URL)."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    yield from _service("Redis", "redis.sh", Path(tempfile.mkdtemp(prefix="sup-sla-redis-")))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server for the session (or $TEST_POSTGRES_URL)."""
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    # Not under pytest's tmp folders: as root the server runs as the `postgres` user,
    # who cannot enter /tmp/pytest-of-root. mkdtemp's folder in /tmp is reachable.
    folder = Path(tempfile.mkdtemp(prefix="sup-sla-postgres-"))
    folder.chmod(0o755)
    yield from _service("PostgreSQL", "postgres.sh", folder)
