"""`bin/rails runner -e production SCRIPT` against a local Redmine's database, as an admin
runs a script the tool prints (`setup-script`); and any command in Redmine's directory.

The Redmine is the one REDMINE_VERSION selects (scripts/redmine/run.sh): 5.0, the
default, is the host's Debian package in /usr/share/redmine; 6.0 and 6.1 run in their
chroot, the database file and the script at the same paths as on the host."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

RUN = Path(__file__).resolve().parents[2] / "scripts" / "redmine" / "run.sh"


def redmine_version(env: Mapping[str, Any] | None = None) -> str:
    """The version of an instance's env.json if it says, else $REDMINE_VERSION, else 5.0."""
    return str((env or {}).get("redmine_version") or os.environ.get("REDMINE_VERSION") or "5.0")


def redmine_command(
    argv: list[str], db_path: str, version: str | None = None, **extra: str
) -> tuple[list[str], dict[str, str]]:
    """argv (e.g. ["bin/rake", "db:migrate"]) and the environment that run it in Redmine's
    directory on the SQLite database at `db_path`, in the process time zone UTC as the
    test server's (scripts/redmine/start.sh)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAILS_", "SUP_SLA_"))}
    env.update(
        TZ="UTC",
        DATABASE_URL=f"sqlite3:{db_path}",
        RAILS_ENV="production",
        REDMINE_VERSION=version or redmine_version(),
        **extra,
    )
    return [str(RUN), *argv], env


def rails_runner(
    db_path: str, script: Path, timeout: float = 300, version: str | None = None
) -> subprocess.CompletedProcess:
    """Run `script` with Redmine's rails runner on the SQLite database at `db_path`."""
    argv, env = redmine_command(
        ["bin/rails", "runner", "-e", "production", str(script)], db_path, version
    )
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
