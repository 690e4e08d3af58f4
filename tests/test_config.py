"""Configuration: the file, the environment, and errors that name the key (exit 2)."""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sup_sla_sync.config import Settings, load_settings
from sup_sla_sync.config_rules import rules_from
from sup_sla_sync.core.calendar import CalendarRules
from sup_sla_sync.entrypoints.cli import main
from sup_sla_sync.errors import ConfigError

from factories import (
    make_auto_close,
    make_intake,
    make_policy,
    make_rules,
    make_statuses,
    make_targets,
)

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_regulation() -> None:
    settings = Settings()
    first, resolution = settings.targets.first_response, settings.targets.resolution
    assert (first.basic_online_assistant, first.basic_other) == (15, 540)
    assert (first.vip_normal, first.vip_urgent, first.vip_immediate) == (120, 60, 30)
    assert (resolution.basic, resolution.vip, resolution.vip_official_letter) == (1080, 540, 1080)
    assert settings.auto_close.after_working_hours == 8
    assert settings.calendar.work_start == time(9) and settings.calendar.work_end == time(18)


def test_the_example_documents_every_key() -> None:
    example = tomllib.loads((REPO / "config.example.toml").read_text(encoding="utf-8"))
    defaults = Settings().model_dump(mode="json")
    defaults["redmine"]["api_key"] = ""

    def keys(data: dict, prefix: str = "") -> set[str]:
        out = set()
        for key, value in data.items():
            out |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
        return out

    assert keys(example) == keys(defaults)
    loaded = Settings(**example).model_dump(mode="json")
    loaded["redmine"]["api_key"] = ""
    assert loaded == defaults  # the example shows the defaults


def test_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path,
        '[redmine]\nurl = "https://tracker.example/"\nprojects = ["a"]\n'
        '[calendar]\nextra_holidays = ["2026-12-31"]\n',
    )
    monkeypatch.setenv("SUP_SLA_REDMINE__API_KEY", "s3cret-key")
    monkeypatch.setenv("SUP_SLA_REDMINE__PROJECTS", '["b", "c"]')
    monkeypatch.setenv("SUP_SLA_NOTES__LANGUAGE", "kk")
    settings = load_settings(path)
    assert settings.redmine.url == "https://tracker.example"
    assert settings.redmine.projects == ["b", "c"]  # the environment wins
    assert settings.redmine.api_key.get_secret_value() == "s3cret-key"
    assert settings.notes.language == "kk"
    assert settings.calendar.extra_holidays == [date(2026, 12, 31)]
    assert "s3cret-key" not in str(settings.redacted()) and "s3cret-key" not in repr(settings)


def test_calendar_mode_reaches_the_calendar_rules(tmp_path: Path) -> None:
    assert Settings().calendar_rules().mode == "hours"
    rules = load_settings(write(tmp_path, '[calendar]\nmode = "24x7"\n')).calendar_rules()
    assert rules.mode == "24x7"


def test_the_core_tests_rules_are_the_translation_of_the_settings() -> None:
    """tests/factories.py builds the core's tests' Rules without pydantic: its defaults and
    builders are what config_rules makes of the same settings."""
    assert make_rules() == Settings().rules() == rules_from(Settings())
    assert (
        make_intake(request_identity=True)
        == Settings(intake={"request_identity": True}).rules().intake
    )
    assert (
        make_intake(identity_check=False)
        == Settings(intake={"identity_check": False}).rules().intake
    )
    assert (
        make_auto_close(warn_before_working_hours=2)
        == Settings(auto_close={"warn_before_working_hours": 2}).rules().auto_close
    )
    assert (
        make_statuses(on_hold=("With development",))
        == Settings(statuses={"on_hold": ["With development"]}).rules().statuses
    )
    night = CalendarRules(
        work_start=time(0), work_end=time(23, 59), extra_holidays=frozenset({date(2025, 1, 14)})
    )
    settings = Settings(
        policies=[
            {
                "name": "gold",
                "projects": ["gold"],
                "groups": ["Gold"],
                "field_values": ["Gold"],
                "targets": {"first_response": {"basic_other": 60}, "resolution": {"vip": 100}},
                "calendar": {
                    "work_start": "00:00",
                    "work_end": "23:59",
                    "extra_holidays": ["2025-01-14"],
                },
            },
            {"name": "same hours", "projects": ["x"], "calendar": {"timezone": "Asia/Almaty"}},
        ]
    )
    gold = make_policy(
        "gold",
        calendar=night,
        projects=("gold",),
        groups=("Gold",),
        field_values=("Gold",),
        basic_other=60,
        resolution_vip=100,
    )
    same = make_policy("same hours", projects=("x",))
    translated = settings.rules()
    built = make_rules(policies=(gold, same))
    assert translated.policies == built.policies
    assert translated.calendars.keys() == built.calendars.keys() == {night}
    assert make_rules(targets=make_targets(vip_urgent=1)).targets.vip_urgent == 1


def test_config_path_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path, '[notes]\nlanguage = "en"\n')
    monkeypatch.setenv("SUP_SLA_CONFIG", str(path))
    assert load_settings().notes.language == "en"
    monkeypatch.setenv("SUP_SLA_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="not found"):
        load_settings()


def test_no_file_at_the_default_path_means_defaults(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUP_SLA_CONFIG", raising=False)
    assert load_settings().calendar.timezone == "Asia/Almaty"


@pytest.mark.parametrize(
    ("toml", "names"),
    [
        ("[redmine]\napikey = 'x'\n", "redmine.apikey: unknown key"),
        ("[redmin]\nurl = 'https://x'\n", "redmin: unknown key"),
        ("[calendar]\nwork_start = '25:00'\n", "calendar.work_start: '25:00' is not a time"),
        ("[calendar]\nwork_end = '9am'\n", "calendar.work_end"),
        ("[calendar]\nwork_start = '18:00'\nwork_end = '09:00'\n", "work_start must be before"),
        ("[calendar]\ntimezone = 'Asia/Astana_City'\n", "calendar.timezone"),
        ("[calendar]\ncountry = 'XX'\n", "calendar.country"),
        ("[calendar]\nextra_holidays = ['2026-02-30']\n", "calendar.extra_holidays[0]"),
        ("[calendar]\nmode = '24/7'\n", "calendar.mode"),
        ("[redmine]\ntimeout_seconds = 'slow'\n", "redmine.timeout_seconds"),
        ("[redmine]\nurl = 'sup.mitwork.kz'\n", "redmine.url"),
        ("[statuses]\nin_progress = ['Feedback']\n", "statuses.awaiting_client: 'Feedback'"),
        ("[priorities]\nurgent = ['Normal']\n", "priorities.urgent: 'Normal' is also in"),
        ("[trackers]\ndefect = ['Support']\n", "trackers.defect: 'Support' is also in"),
        ("[statuses]\nreopen_to = 'Closed'\n", "statuses.reopen_to"),
        ("[statuses]\nauto_close_to = 'New'\n", "statuses.auto_close_to"),
        ("[reminders]\nat = [1.5]\n", "reminders.at"),
        ("[targets.first_response]\nvip_normal = 0\n", "targets.first_response.vip_normal"),
        ("[notes]\nlanguage = 'de'\n", "notes.language"),
        ("[lock]\nbackend = 'redis'\n", "lock: backend 'redis' needs lock.url"),
        ("[daemon]\ninterval_minutes = -1\n", "daemon.interval_minutes"),
        ("[redmine\n", "not valid TOML"),
    ],
)
def test_bad_configuration_exits_2_naming_the_key(tmp_path: Path, toml: str, names: str) -> None:
    path = write(tmp_path, toml)
    result = CliRunner().invoke(main, ["--config", str(path), "config"])
    assert result.exit_code == 2, result.output
    assert names in result.stderr
    assert "Traceback" not in result.output


def test_missing_named_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "config"])
    assert result.exit_code == 2
    assert "configuration file not found" in result.stderr


def test_bad_environment_value_names_the_key(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path, "")
    monkeypatch.setenv("SUP_SLA_CALENDAR__WORK_END", "24:30")
    result = CliRunner().invoke(main, ["--config", str(path), "config"])
    assert result.exit_code == 2
    assert "calendar.work_end" in result.stderr


def test_config_output_masks_the_key(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path, "")
    monkeypatch.setenv("SUP_SLA_REDMINE__API_KEY", "0123456789abcdef")
    result = CliRunner().invoke(main, ["--config", str(path), "config"])
    assert result.exit_code == 0
    assert "0123456789abcdef" not in result.output
    assert '"api_key": "***"' in result.output
