"""`calendar` through click's CliRunner, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sup_sla_sync.entrypoints.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_calendar_json_marks_transferred_days(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no configuration file: defaults
    result = run("calendar", "--since", "2025-01-01", "--until", "2025-01-10", "--format", "json")
    assert result.exit_code == 0, result.output
    days = {d["date"]: d for d in json.loads(result.stdout)}
    assert len(days) == 10
    assert days["2025-01-05"]["working"] is True
    assert days["2025-01-05"]["reason"] == "transferred working day"
    assert days["2025-01-03"]["working"] is False
    assert days["2025-01-07"]["working"] is False
    assert days["2025-01-06"] == {"date": "2025-01-06", "working": True, "reason": "working day"}


def test_calendar_table_and_extra_days(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[calendar]\nextra_holidays = ["2025-01-06"]\n', encoding="utf-8")
    result = run(
        "--config", str(config), "calendar", "--since", "2025-01-04", "--until", "2025-01-06"
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "2025-01-04  Sat  off      weekend",
        "2025-01-05  Sun  working  transferred working day",
        "2025-01-06  Mon  off      extra holiday (configuration)",
    ]


def test_calendar_usage_errors_exit_2() -> None:
    assert run("calendar", "--since", "2025-02-01", "--until", "2025-01-01").exit_code == 2
    assert run("calendar", "--since", "tomorrow", "--until", "2025-01-01").exit_code == 2
