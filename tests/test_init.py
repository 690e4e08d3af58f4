"""Putting the tool on an existing tracker: `init`, `setup-script`, and no configuration
meaning no request (SPEC.md, "CLI"). The tracker is Redmine 5 with its Russian default
data, answered by `responses`: nothing leaves the machine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner, Result

from sup_sla_sync.adapters.redmine.queries import level_descending
from sup_sla_sync.config import load_settings
from sup_sla_sync.entrypoints import cli

URL = "https://tracker.example/redmine"
KEY = "0123456789abcdef-init-secret"
# Redmine's Russian default data (bin/rake redmine:load_default_data REDMINE_LANG=ru).
STATUSES = [
    ("Новая", False),
    ("В работе", False),
    ("Решена", False),
    ("Нужен отклик", False),
    ("Закрыта", True),
    ("Отклонена", True),
]
TRACKERS = ["Ошибка", "Улучшение", "Поддержка"]
PRIORITIES = ["Низкий", "Нормальный", "Высокий", "Срочный", "Немедленный"]


def _tracker(rsps: responses.RequestsMock, groups: list[str] = ()) -> None:
    def add(path: str, body: dict) -> None:
        rsps.add(responses.GET, URL + path, json=body)

    add("/users/current.json", {"user": {"id": 1, "login": "sla-bot", "admin": True}})
    add(
        "/issue_statuses.json",
        {
            "issue_statuses": [
                {"id": i, "name": n, "is_closed": c} for i, (n, c) in enumerate(STATUSES, 1)
            ]
        },
    )
    add("/trackers.json", {"trackers": [{"id": i, "name": n} for i, n in enumerate(TRACKERS, 1)]})
    add(
        "/enumerations/issue_priorities.json",
        {
            "issue_priorities": [
                {"id": i, "name": n, "is_default": n == "Нормальный"}
                for i, n in enumerate(PRIORITIES, 1)
            ]
        },
    )
    add("/custom_fields.json", {"custom_fields": []})
    add("/projects.json", {"projects": [{"id": 1, "identifier": "edoc"}], "total_count": 1})
    add("/groups.json", {"groups": [{"id": 10 + i, "name": g} for i, g in enumerate(groups)]})


def _init(tmp_path: Path, *args: str, key: str = KEY) -> Result:
    return CliRunner().invoke(
        cli.main,
        ["init", "--url", URL, "--output", str(tmp_path / "sup-sla-sync.toml"), *args],
        env={"SUP_SLA_REDMINE__API_KEY": key, "SUP_SLA_CONFIG": None},
    )


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2026-11-30 02:00 UTC is 07:00 in Astana: "today" is 2026-11-30 there.
    monkeypatch.setattr(cli.App, "clock", lambda self: datetime(2026, 11, 30, 2, tzinfo=UTC))


@responses.activate
def test_init_maps_the_russian_default_data_and_the_file_loads(tmp_path: Path) -> None:
    _tracker(responses.mock, groups=["Служба поддержки", "VIP клиенты", "Бухгалтерия"])
    result = _init(tmp_path, "--project", "edoc")
    assert result.exit_code == 0, result.output
    path = tmp_path / "sup-sla-sync.toml"
    text = path.read_text(encoding="utf-8")
    settings = load_settings(path)
    statuses = settings.statuses
    assert (statuses.new, statuses.in_progress) == (["Новая"], ["В работе"])
    assert statuses.awaiting_client == ["Нужен отклик"]
    assert (statuses.resolved, statuses.closed) == (["Решена"], ["Закрыта", "Отклонена"])
    assert (statuses.reopen_to, statuses.auto_close_to) == ("В работе", "Закрыта")
    assert settings.trackers.defect == ["Ошибка"]
    assert settings.trackers.consultation == ["Поддержка"]
    assert "Улучшение" in text.split("[trackers]")[1].split("[priorities]")[0]  # left to choose
    assert settings.priorities.normal == ["Низкий", "Нормальный"]
    assert settings.priorities.urgent == ["Высокий", "Срочный"]
    assert settings.priorities.immediate == ["Немедленный"]
    assert settings.staff.groups == ["Служба поддержки"]
    assert settings.service_level.vip_groups == ["VIP клиенты"]
    assert settings.redmine.url == URL and settings.redmine.projects == ["edoc"]
    assert str(settings.sync.since) == "2026-11-30"
    assert settings.notes.language == "ru"
    assert KEY not in text and KEY not in result.output
    assert "# review:" in text.split("[statuses]")[1].split("\n")[1]  # the guess is marked


@responses.activate
def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    _tracker(responses.mock)
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text("# mine\n", encoding="utf-8")
    result = _init(tmp_path)
    assert result.exit_code == 2
    assert "--output" in result.stderr and "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert _init(tmp_path, "--force").exit_code == 0
    assert "[statuses]" in path.read_text(encoding="utf-8")


@responses.activate
def test_init_exits_3_when_the_key_is_refused(tmp_path: Path) -> None:
    responses.add(responses.GET, URL + "/users/current.json", status=401)
    result = _init(tmp_path)
    assert result.exit_code == 3, result.output
    assert "refused the API key" in result.stderr and KEY not in result.output
    assert not (tmp_path / "sup-sla-sync.toml").exists()


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--url", "tracker.example"], "--url"),
        (["--url", URL, "--project", "nope"], "--project: no project 'nope'"),
    ],
)
@responses.activate
def test_init_bad_options_exit_2(tmp_path: Path, args: list[str], names: str) -> None:
    _tracker(responses.mock)
    result = CliRunner().invoke(
        cli.main,
        ["init", *args, "--output", str(tmp_path / "x.toml")],
        env={"SUP_SLA_REDMINE__API_KEY": KEY},
    )
    assert result.exit_code == 2, result.output
    assert names in result.stderr


@pytest.mark.parametrize(
    "command",
    [["check"], ["sync", "--dry-run"], ["queue"], ["explain", "1"], ["config"], ["setup-script"]],
)
def test_without_a_configuration_file_nothing_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        result = CliRunner().invoke(
            cli.main, command, env={"SUP_SLA_REDMINE__API_KEY": KEY, "SUP_SLA_CONFIG": None}
        )
        assert len(rsps.calls) == 0  # not one request, to any host
    assert result.exit_code == 2, result.output
    assert "no --config, no $SUP_SLA_CONFIG, and no sup-sla-sync.toml in" in result.stderr
    assert str(tmp_path) in result.stderr


def test_calendar_needs_no_configuration_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUP_SLA_CONFIG", raising=False)
    result = CliRunner().invoke(
        cli.main, ["calendar", "--since", "2025-01-05", "--until", "2025-01-05"]
    )
    assert result.exit_code == 0 and "working" in result.output


def test_a_configuration_without_a_url_sends_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text('[redmine]\nprojects = ["edoc"]\n', encoding="utf-8")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        result = CliRunner().invoke(
            cli.main, ["--config", str(path), "check"], env={"SUP_SLA_REDMINE__API_KEY": KEY}
        )
        assert len(rsps.calls) == 0
    assert result.exit_code == 2
    assert "redmine.url: empty" in result.stderr


def test_setup_script_names_every_field_value_and_group(tmp_path: Path) -> None:
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text(
        '[redmine]\nurl = "https://tracker.example"\nprojects = ["edoc"]\n'
        '[staff]\ngroups = ["Поддержка"]\n[service_level]\nvip_groups = ["VIP O\'Brien"]\n'
        '[notes]\nlanguage = "ru"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli.main, ["--config", str(path), "setup-script", "--staff-only-role", "Менеджер"]
    )
    assert result.exit_code == 0, result.output
    script = result.stdout
    assert "PROJECTS = ['edoc']" in script
    assert "TRACKERS = ['Support', 'Bug']" in script
    assert "GROUPS = ['Поддержка', 'VIP O\\'Brien']" in script  # quoted for Ruby
    assert "STAFF_ONLY_ROLES = ['Менеджер']" in script
    assert "['SLA level', 'list', ['VIP', 'Базовый'], false]," in script
    assert "['Channel', 'list', ['Online assistant', 'Official letter'], false]," in script
    assert "['Category', 'list', ['Consultation', 'Defect'], false]," in script
    assert "['SLA state', 'string', [], true]," in script
    assert "#{" not in script.split("FIELDS = [")[1].split("]\n")[0]  # no interpolation
    # The agents' saved queries, named in notes.language (issue 19).
    assert "QUERIES = [  # key, name (notes.language)" in script
    for key, name in (("queue", "Очередь SLA"), ("mine", "Моя очередь SLA")):
        assert f"  ['{key}', '{name}']," in script
    assert "  ['breached', 'Нарушен SLA']," in script
    assert "STAFF_GROUPS = ['Поддержка']" in script and "VIP_VALUES = ['VIP']" in script
    assert "query.visibility = Query::VISIBILITY_ROLES" in script


def test_the_level_sorts_first_only_where_its_text_puts_vip_first() -> None:
    """Redmine compares the level field's text: descending puts VIP first over `Basic`,
    and no direction does over a Cyrillic value (which sorts after `VIP`)."""
    assert level_descending(["VIP"], ["VIP", "Basic"])
    assert not level_descending(["VIP"], ["VIP", "Базовый"])
    assert not level_descending(["VIP"], ["VIP", "Базалық"])
    assert not level_descending([], ["Basic"])
    assert level_descending(["VIP", "VIP+"], ["VIP", "VIP+", "Standard"])


@responses.activate
def test_check_says_to_look_at_the_url_when_the_first_request_is_404(tmp_path: Path) -> None:
    responses.add(responses.GET, URL + "/users/current.json", status=404)
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text(f'[redmine]\nurl = "{URL}"\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli.main, ["--config", str(path), "check"], env={"SUP_SLA_REDMINE__API_KEY": KEY}
    )
    assert result.exit_code == 3, result.output
    assert "check redmine.url (a base path such as /redmine missing or extra?)" in result.stderr
    assert KEY not in result.output
