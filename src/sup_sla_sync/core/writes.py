"""The writes a decision asks for: notes, status or priority transitions, and the plan of
field stamps, notes and watchers. Plain values; the adapter carries them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .tags import render


@dataclass(frozen=True)
class Note:
    tag: str
    body: str
    private: bool

    @property
    def text(self) -> str:
        return render(self.tag, self.body)


@dataclass(frozen=True)
class Transition:
    kind: str  # REOPEN, AUTO_CLOSE, RAISE_PRIORITY or an intake check's public request tag
    note: Note
    status: str | None = None
    priority: str | None = None


@dataclass(frozen=True)
class Plan:
    issue_id: int
    fields: dict[str, str] = field(default_factory=dict)
    due_date: date | None = None  # None: leave the due date as it is
    notes: tuple[Note, ...] = ()
    watchers: tuple[int, ...] = ()
    # Configured fields this issue does not have (not enabled for its project or tracker):
    # Redmine would silently drop a value for them.
    unavailable: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.fields or self.due_date or self.notes or self.watchers)
