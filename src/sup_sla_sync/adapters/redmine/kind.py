"""Redmine as a `TrackerKind` (adapters/trackers.py): the port, `check`, `init` and
`setup-script` for a `[redmine]` configuration."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sup_sla_sync.adapters.trackers import TrackerKind
from sup_sla_sync.config import Settings
from sup_sla_sync.ports.tracker import Tracker


def _open(settings: Settings) -> Tracker:
    from sup_sla_sync.adapters.redmine import RedmineAdapter

    return RedmineAdapter(settings)  # mypy checks here that it implements the whole port


def _secrets(settings: Settings) -> list[str]:
    return [settings.redmine.api_key.get_secret_value()]


def _check(settings: Settings, tracker: Any, doubts: list[str]) -> list[str]:
    from sup_sla_sync.adapters.redmine.check import check_tracker

    return check_tracker(settings, tracker, doubts)


def _warnings(settings: Settings, tracker: Any, now: datetime) -> list[str]:
    from sup_sla_sync.adapters.redmine.check import check_warnings
    from sup_sla_sync.adapters.redmine.queries import query_warnings

    return check_warnings(settings, tracker, now) + query_warnings(settings, tracker)


def _init(url: str, key: str, projects: Sequence[str], today: date) -> str:
    from sup_sla_sync.adapters.redmine.init import guess_config, read_tracker

    directory = read_tracker(url, key, projects)
    return guess_config(directory, url, projects, today)


def _setup_script(settings: Settings, roles: Sequence[str]) -> str:
    from sup_sla_sync.adapters.redmine.setup_script import setup_script

    return setup_script(settings, roles)


KIND = TrackerKind(
    name="redmine",
    key_variable="SUP_SLA_REDMINE__API_KEY",
    open=_open,
    secrets=_secrets,
    check=_check,
    warnings=_warnings,
    init=_init,
    setup_script=_setup_script,
)
