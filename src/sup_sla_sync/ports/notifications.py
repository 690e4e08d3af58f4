"""The notifications port: telling people outside the tracker (`[notify]`).

The service is handed one; adapters/notify.py sends through Apprise. The note in the
tracker is the record: an event is told once, right after its note was written, never
retried.
"""

from __future__ import annotations

from typing import Protocol

from sup_sla_sync.core.model import IssueSnapshot
from sup_sla_sync.core.writes import Note


class Notifications(Protocol):
    @property
    def enabled(self) -> bool: ...

    def reset(self) -> None:
        """A pass begins: its counts start at zero."""
        ...

    def counts(self) -> dict[str, int]:
        """This pass's outcomes: {"sent", "failed"}."""
        ...

    def note_written(self, issue: IssueSnapshot, note: Note) -> None:
        """`note` is in the tracker (never called for a dry run)."""
        ...

    def pass_failed(self, reason: str) -> None: ...

    def pass_succeeded(self) -> None: ...


class NoNotifications:
    """`[notify]` off: nothing is sent, nothing counted."""

    enabled = False

    def reset(self) -> None:
        pass

    def counts(self) -> dict[str, int]:
        return {"sent": 0, "failed": 0}

    def note_written(self, issue: IssueSnapshot, note: Note) -> None:
        pass

    def pass_failed(self, reason: str) -> None:
        pass

    def pass_succeeded(self) -> None:
        pass
