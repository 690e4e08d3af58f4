"""The trackers the tool runs on: one entry per `adapters/<name>/` package.

`entrypoints/` asks this registry for the configured tracker's kind and reaches the
tracker only through what a `TrackerKind` gives: `open` (the tracker port,
`ports.tracker.Tracker`) and the admin commands that are the tracker's own business:
`check` and its warnings, `init` (a first configuration guessed from the tracker) and
`setup-script` (what the tracker must be given by hand, e.g. custom fields).

A second tracker: its package `adapters/<name>/` with a module defining `KIND`, one
line in `_KINDS` below, and its config section in `config.py`; nothing in `service/` or
`entrypoints/` changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sup_sla_sync.config import Settings
    from sup_sla_sync.ports.tracker import Tracker


@dataclass(frozen=True)
class TrackerKind:
    name: str
    # The environment variable holding the key `init` reads the tracker with.
    key_variable: str
    # The tracker port for the configuration (no request is made yet).
    open: Callable[[Settings], Tracker]
    # The secrets of the configuration that no output may show (the API key).
    secrets: Callable[[Settings], list[str]]
    # `check`: (settings, tracker, doubts) -> problems; doubts collect what it could
    # not tell; then (settings, tracker, now) -> warnings.
    check: Callable[[Settings, Any, list[str]], list[str]]
    warnings: Callable[[Settings, Any, datetime], list[str]]
    # `init`: (url, key, projects, today) -> the text of a first configuration file.
    init: Callable[[str, str, Sequence[str], date], str]
    # `setup-script`: (settings, staff-only roles) -> what to run on the tracker's side.
    setup_script: Callable[[Settings, Sequence[str]], str]


# name -> the module whose `KIND` it is (imported when asked for: the CLI starts fast).
_KINDS = {"redmine": "sup_sla_sync.adapters.redmine.kind"}


def tracker_kind(settings: Settings | None = None) -> TrackerKind:
    """The kind of tracker `settings` configure: today always `[redmine]`. (With a second
    entry in `_KINDS`, config.py gains its section and a top-level `tracker` key naming
    the entry; this reads it.)"""
    name = getattr(settings, "tracker", None) or "redmine"
    if name not in _KINDS:
        from sup_sla_sync.errors import ConfigError

        raise ConfigError(
            f"tracker: {name!r} is not a tracker this tool knows ({', '.join(_KINDS)})"
        )
    module = importlib.import_module(_KINDS[name])
    kind: TrackerKind = module.KIND
    return kind
