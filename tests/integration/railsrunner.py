"""`bin/rails runner -e production SCRIPT` against a local Redmine's database, as an admin
runs a script the tool prints (`setup-script`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REDMINE_ROOT = Path("/usr/share/redmine")


def rails_runner(db_path: str, script: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `script` with Redmine's rails runner on the SQLite database at `db_path`; the
    process' time zone is UTC, as the test server's (scripts/redmine/start.sh)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAILS_", "SUP_SLA_"))}
    env.update(TZ="UTC", DATABASE_URL=f"sqlite3:{db_path}", RAILS_ENV="production")
    return subprocess.run(
        ["bin/rails", "runner", "-e", "production", str(script)],
        cwd=REDMINE_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
