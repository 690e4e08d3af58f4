"""Fixtures for the integration tests against a real local Redmine: 5.0 (the host's
Debian package), or 6.0 / 6.1 with ``REDMINE_VERSION=6.0`` / ``6.1`` (Debian trixie's /
sid's package in a cached chroot; see scripts/redmine/chroot.sh).

``local_redmine`` (session scope) gives a :class:`LocalRedmine`:

* ``REDMINE_ENV=/path/to/env.json`` -> use that already running instance
  (e.g. ``scripts/redmine/start.sh`` then ``REDMINE_ENV=.redmine/env.json``);
* otherwise ``scripts/redmine/start.sh`` is run into a private state dir
  (``.redmine/pytest-<pid>``, removed afterwards unless
  ``SUP_SLA_KEEP_REDMINE=1``; or ``$REDMINE_STATE_DIR``, kept) and stopped
  when the session ends.  A failed start keeps its dir (server.log) until a
  later session cleans it up.

If Redmine cannot be started the fixture FAILS -- under CI always; locally
it skips only when ``SUP_SLA_SKIP_INTEGRATION=1``.

``sla`` (function scope) gives a :class:`slaharness.SlaHarness` on top of it:
TOML configurations in the test's ``tmp_path``, the real CLI as a subprocess,
throw-away projects for whole-pass tests.

Every test collected from this directory gets the ``integration`` marker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
import requests
from slaharness import SlaHarness

from localredmine import LocalRedmine

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCRIPTS = REPO / "scripts" / "redmine"
START_TIMEOUT = 900  # a fresh machine may first apt-get install Redmine


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


def _tail(path: Path, lines: int = 30) -> str:
    """The end of a server log, without Ruby backtrace frames."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no {path})"
    return "\n".join([ln for ln in text if not ln.lstrip().startswith("from /")][-lines:])


def _remove_stale_state_dirs() -> None:
    """Drop .redmine/pytest-<pid> dirs of finished sessions whose server is gone."""
    for d in (REPO / ".redmine").glob("pytest-*"):
        try:
            pid = int(d.name.removeprefix("pytest-"))
        except ValueError:
            continue
        if pid == os.getpid() or (d / "server.pid").exists() or Path(f"/proc/{pid}").exists():
            continue
        shutil.rmtree(d, ignore_errors=True)


def _unavailable(reason: str) -> NoReturn:
    """Fail (CI, default) or skip (opt-in, local only) the dependent tests."""
    if not _truthy(os.environ.get("CI")) and os.environ.get("SUP_SLA_SKIP_INTEGRATION") == "1":
        pytest.skip(f"local Redmine unavailable (SUP_SLA_SKIP_INTEGRATION=1): {reason}")
    pytest.fail(
        f"local Redmine unavailable: {reason}\n"
        "(locally, SUP_SLA_SKIP_INTEGRATION=1 turns this into a skip)",
        pytrace=False,
    )


def _healthy(rm: LocalRedmine) -> str | None:
    """None if the instance answers as the admin, else a reason."""
    try:
        me = rm.get("/users/current.json")["user"]
    except (requests.RequestException, AssertionError, ValueError, KeyError) as exc:
        return f"{rm.url} does not answer properly: {exc}"
    if me.get("login") != rm.admin_login:
        return f"{rm.url}: admin key belongs to {me.get('login')!r}, not {rm.admin_login!r}"
    if not Path(rm.db_path).is_file():
        return f"database {rm.db_path} does not exist"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: mark only ours.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def local_redmine() -> Iterator[LocalRedmine]:
    env_file = os.environ.get("REDMINE_ENV")
    if env_file:
        try:
            rm = LocalRedmine.from_env_file(env_file)
        except (OSError, ValueError, KeyError) as exc:
            _unavailable(f"REDMINE_ENV={env_file}: {exc}")
        problem = _healthy(rm)
        if problem:
            _unavailable(f"REDMINE_ENV={env_file}: {problem}")
        yield rm
        return

    own_state_dir = not os.environ.get("REDMINE_STATE_DIR")
    if own_state_dir:
        _remove_stale_state_dirs()
        state = REPO / ".redmine" / f"pytest-{os.getpid()}"
    else:
        state = Path(os.environ["REDMINE_STATE_DIR"])
    # A server already running from that dir (REDMINE_STATE_DIR) is reused by
    # start.sh -- and then left running, it is not ours to stop.
    reused = False
    if (state / "env.json").is_file():
        try:
            reused = _healthy(LocalRedmine.from_env_file(state / "env.json")) is None
        except (OSError, ValueError, KeyError):
            reused = False
    try:
        proc = subprocess.run(
            ["bash", str(SCRIPTS / "start.sh"), str(state)],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _stop(state)
        _unavailable(
            f"scripts/redmine/start.sh: {exc}\n--- server.log ---\n{_tail(state / 'server.log')}"
        )
    if proc.returncode != 0:
        _unavailable(
            f"scripts/redmine/start.sh {state} exited {proc.returncode}\n"
            f"--- stderr ---\n{proc.stderr[-4000:]}\n"
            f"--- server.log ---\n{_tail(state / 'server.log')}"
        )
    rm = LocalRedmine.from_env_file(state / "env.json")
    if reused:
        yield rm
        return
    try:
        yield rm
    finally:
        _stop(state)
        if own_state_dir and not _truthy(os.environ.get("SUP_SLA_KEEP_REDMINE")):
            shutil.rmtree(state, ignore_errors=True)


def _stop(state: Path) -> None:
    subprocess.run(
        ["bash", str(SCRIPTS / "stop.sh"), str(state)],
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def sla(local_redmine: LocalRedmine, tmp_path: Path) -> SlaHarness:
    """Configurations, CLI runs and fresh projects for one test (see slaharness.py)."""
    return SlaHarness(local_redmine, tmp_path)
