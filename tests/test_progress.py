"""`sync` and `report` show a progress bar on stderr when it is a terminal, and only then.

The CLI runs in a subprocess whose stderr is a pseudo-terminal (or a pipe), against an
in-memory tracker slowed to 20 ms an issue, with the bar's "a few seconds" shortened to
0.2 s so that 40 issues make a pass long enough to show it.
"""

from __future__ import annotations

import fcntl
import io
import os
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from sup_sla_sync.entrypoints.progress import ProgressBar, wanted

ROOT = Path(__file__).resolve().parents[1]
ISSUES = 40
DRIVER = f"""
import sys, time
from sup_sla_sync.entrypoints import cli, progress
from factories import at, issue
from fake_tracker import FakeTracker

progress.SHOW_AFTER_SECONDS = 0.2

class SlowTracker(FakeTracker):
    def snapshot(self, issue_id, fresh=True):
        time.sleep(0.02)
        return super().snapshot(issue_id, fresh)

NOW = at("2025-01-13 10:00")
tracker = SlowTracker(
    *[issue("2025-01-13 09:00", issue_id=i) for i in range(1, {ISSUES} + 1)], now=lambda: NOW
)
cli.App.tracker = lambda self: tracker.configured(self.settings)
cli.App.clock = lambda self: NOW
cli.main(sys.argv[1:], prog_name="sup-sla-sync")
"""
SYNC = ["sync"]
REPORT = ["report", "--since", "2025-01-01", "--until", "2025-01-31"]
BAR = re.compile(rf"\d+/{ISSUES} \[\d\d:\d\d<\d\d:\d\d")  # done of total [elapsed<left


def run_cli(tmp_path: Path, args: list[str], terminal: bool) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of the CLI; stderr a pseudo-terminal if `terminal`."""
    config = tmp_path / "sup-sla-sync.toml"
    config.write_text('[redmine]\nurl = "https://tracker.example"\n', encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]),
        "SUP_SLA_REDMINE__API_KEY": "0123456789abcdef-secret",
    }
    command = [sys.executable, "-c", DRIVER, "--config", str(config), *args]
    if not terminal:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout, done.stderr
    primary, secondary = os.openpty()
    # A terminal 100 columns wide (a new pty has none, and tqdm would draw an empty bar).
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=secondary
    )
    os.close(secondary)
    chunks: list[bytes] = []

    def drain() -> None:  # the terminal's side must be read, or the CLI blocks on a full pty
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the CLI closed its end
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    stdout = process.stdout.read().decode() if process.stdout else ""
    code = process.wait(timeout=60)
    reader.join(10)
    os.close(primary)
    return code, stdout, b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("args", [SYNC, REPORT], ids=["sync", "report"])
def test_a_long_pass_on_a_terminal_shows_issues_done_of_total_and_time_left(tmp_path, args) -> None:
    code, stdout, terminal = run_cli(tmp_path, args, terminal=True)
    assert code == 0, terminal
    assert BAR.search(terminal), terminal
    assert f"{ISSUES}/{ISSUES}" in terminal or f"{ISSUES - 1}/{ISSUES}" in terminal
    assert "issue/s" in terminal or "s/issue" in terminal  # the rate, in issues
    assert "\r" not in stdout and not BAR.search(stdout)  # the summary stays clean
    assert stdout.startswith(f"seen {ISSUES}, ") if args == SYNC else "SLA" in stdout


@pytest.mark.parametrize(
    ("args", "terminal"),
    [
        (SYNC, False),
        (REPORT, False),
        ([*SYNC, "--format", "json"], True),
        ([*REPORT, "--format", "json"], True),
    ],
    ids=["sync-piped", "report-piped", "sync-json-on-a-terminal", "report-json-on-a-terminal"],
)
def test_no_bar_when_stderr_is_not_a_terminal_or_with_json(tmp_path, args, terminal) -> None:
    code, stdout, stderr = run_cli(tmp_path, args, terminal=terminal)
    assert code == 0, stderr
    assert not BAR.search(stderr) and "\r" not in stderr.replace("\r\n", "\n"), stderr
    assert f"/{ISSUES}" not in stderr
    if "json" in args:
        assert stdout.lstrip().startswith("{")  # one JSON document, nothing around it
    elif args == SYNC:
        assert stdout.startswith(f"seen {ISSUES}, ")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_quick_pass_on_a_terminal_draws_nothing() -> None:
    stream = Terminal()
    bar = ProgressBar("sync", stream, show_after=3600)  # the pass ends long before
    for done in range(ISSUES + 1):
        bar(done, ISSUES)
    bar.close()
    assert stream.getvalue() == ""


def test_only_a_terminal_and_no_json_want_a_bar() -> None:
    assert wanted("table", Terminal())
    assert wanted("csv", Terminal())  # report's CSV goes to stdout or a file; stderr is free
    assert not wanted("json", Terminal())
    assert not wanted("table", io.StringIO())
