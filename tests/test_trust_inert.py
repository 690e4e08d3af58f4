"""Client text is inert on a terminal (SPEC.md, principle 8): hostile subjects through the
real commands (click's CliRunner, the in-memory tracker of test_cli.py)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from sup_sla_sync.entrypoints import cli
from sup_sla_sync.inert import FOLD, inert
from sup_sla_sync.logs import _TextFormatter
from test_cli import NOW, Cli, InspectableTracker, write_config

from factories import at, issue

HOSTILE = (
    "\x1b]0;pwned\x07\x1b[2J\x1b[31mRED"  # set the window title, clear the screen, colour
    "\nERROR forged log line"  # a newline that forges a line
    "\rOVERWRITE"  # a carriage return that overwrites the row
    "\u202edesrever"  # right-to-left override
    "\x00nul\x7fdel\x9bcsi"  # NUL, DEL, a C1 control (CSI)
    "\u2066iso\u2069\u200f"  # an isolate and a mark
)
DANGEROUS = set("\x1b\x07\n\r\u202e\x00\x7f\x9b\u2066\u2069\u200f")


def test_inert_escapes_every_control_and_folds_lines() -> None:
    shown = inert(HOSTILE)
    assert not DANGEROUS & set(shown)
    assert shown.isprintable()
    assert "\\x1b]0;pwned\\x07" in shown and "\\u202edesrever" in shown
    assert f"RED{FOLD}ERROR forged" in shown and f"line{FOLD}OVERWRITE" in shown
    assert "\\x00nul\\x7fdel\\x9bcsi" in shown
    assert inert("Как подписать ЭЦП? «кавычки» — ok") == "Как подписать ЭЦП? «кавычки» — ok"
    assert inert("a\tb\r\nc") == f"a b{FOLD}c"


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.delenv("SUP_SLA_CONFIG", raising=False)
    tracker = InspectableTracker(
        issue("2025-01-13 09:30", level="VIP", issue_id=7, subject=HOSTILE),
        now=lambda: at(NOW),
    )
    monkeypatch.setattr(cli.App, "tracker", lambda self: tracker.configured(self.settings))
    monkeypatch.setattr(cli.App, "clock", lambda self: at(NOW))
    return Cli(tracker, write_config(tmp_path))


@pytest.mark.parametrize(
    "args",
    [
        ["queue"],
        ["explain", "7"],
        ["report", "--since", "2025-01-01", "--until", "2025-01-31"],
        ["sync", "--dry-run"],
    ],
)
def test_text_outputs_show_the_subject_inert(hostile: Cli, args: list[str]) -> None:
    result = hostile(*args)
    assert result.exit_code in (0, 1), result.output
    assert not DANGEROUS - {"\n"} & set(result.output)
    assert "ERROR forged" not in "".join(
        line for line in result.output.splitlines() if line.startswith("ERROR")
    )
    if args[0] in ("queue", "explain"):
        assert "\\x1b]0;pwned" in result.output


@pytest.mark.parametrize("args", [["queue"], ["explain", "7"]])
def test_json_keeps_the_subject_exact(hostile: Cli, args: list[str]) -> None:
    result = hostile(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    subjects = [row["subject"] for row in data] if isinstance(data, list) else [data["subject"]]
    assert subjects == [HOSTILE]


def test_a_text_log_line_cannot_forge_another() -> None:
    formatter = _TextFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "issue 7: %s", (HOSTILE,), None)
    line = formatter.format(record)
    assert "\n" not in line and "\x1b" not in line and "\r" not in line
    assert line.startswith("WARNING issue 7: \\x1b]0;pwned")


@pytest.mark.parametrize("at", ["0001-01-01", "9999-12-31T23:59+14:00"])
@pytest.mark.parametrize("command", [["queue"], ["explain", "7"]])
def test_an_at_out_of_range_is_exit_2_naming_the_option(
    hostile: Cli, command: list[str], at: str
) -> None:
    result = hostile(*command, "--at", at)
    assert result.exit_code == 2, result.output
    assert "--at" in result.output and "Traceback" not in result.output
