"""The tracker port as a design rule: the in-memory tracker implements all of it, and
`service/` and `entrypoints/` reach Redmine only through it (issue 18)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from sup_sla_sync.adapters.redmine import RedmineAdapter
from sup_sla_sync.adapters.trackers import tracker_kind
from sup_sla_sync.config import Settings
from sup_sla_sync.ports.notifications import NoNotifications, Notifications
from sup_sla_sync.ports.tracker import Tracker

from factories import at
from fake_tracker import FakeTracker

SRC = Path(__file__).resolve().parents[1] / "src" / "sup_sla_sync"


def members(protocol: type) -> set[str]:
    return (
        {
            name
            for name, _ in inspect.getmembers(protocol)
            if not name.startswith("_") or name == "__enter__"
        }
        - set(dir(object))
        - {"__enter__"}
    )


@pytest.mark.parametrize("implementation", [FakeTracker, RedmineAdapter])
def test_every_tracker_implements_the_whole_port(implementation: type) -> None:
    port = members(Tracker)
    assert {"list_issues", "read_issue", "write", "move", "load_people"} <= port
    if implementation is FakeTracker:
        tracker = FakeTracker(now=lambda: at("2025-01-13 10:00"))
    else:
        tracker = RedmineAdapter(
            Settings(redmine={"url": "https://sup.example.kz", "api_key": "k" * 40})
        )
    missing = sorted(name for name in port if not hasattr(tracker, name))
    assert missing == []


def test_the_no_notifications_implement_the_port() -> None:
    assert sorted(n for n in members(Notifications) if not hasattr(NoNotifications(), n)) == []


def test_the_registry_opens_the_configured_tracker() -> None:
    kind = tracker_kind(Settings())
    assert kind.name == "redmine" and kind.key_variable == "SUP_SLA_REDMINE__API_KEY"
    assert isinstance(
        kind.open(Settings(redmine={"url": "https://x.example", "api_key": "k" * 40})),
        RedmineAdapter,
    )


def _sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (SRC / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _sources("service", "entrypoints"), ids=lambda p: p.name)
def test_service_and_entrypoints_name_no_redmine_module_or_setting(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert [m for m in imported if "redmine" in m] == []
    reads = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "redmine"
    ]
    assert reads == []  # no settings.redmine: the tracker's own settings are the port's
