"""An issue's history as the clocks see it: status periods, and who said what when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .model import ATTACHMENT, STATUS, IssueSnapshot, Journal, People
from .tags import parse


@dataclass(frozen=True)
class StatusPeriod:
    status: str
    start: datetime
    end: datetime | None  # None: the issue is still in this status
    entered_by: int | None  # journal index that entered it; None at creation


@dataclass(frozen=True)
class Timeline:
    issue: IssueSnapshot
    periods: tuple[StatusPeriod, ...]
    journals: tuple[Journal, ...]  # sorted by time
    # The tool's own account (the key's user): only its notes carry tags. A tag in anybody
    # else's journal, a client's or an agent's, is plain text (SPEC.md, principle 8).
    tool_user_id: int | None = None

    @property
    def current(self) -> StatusPeriod:
        return self.periods[-1]

    def first_staff_public_note(self, people: People) -> Journal | None:
        for journal in self.journals:
            if is_staff_public_note(journal, people):
                return journal
        return None

    def staff_public_notes(self, people: People) -> tuple[int, ...]:
        """The indices of the journals with a public note by staff (never the tool's)."""
        return tuple(i for i, j in enumerate(self.journals) if is_staff_public_note(j, people))

    def client_replies_since(self, index: int | None, people: People) -> list[Journal]:
        """Client notes or attachments in journals after journal `index` (None: creation)."""
        start = 0 if index is None else index + 1
        return [
            journal
            for journal in self.journals[start:]
            if people.is_client(journal.user_id) and is_reply(journal)
        ]

    def tag_of(self, journal: Journal) -> str | None:
        """The tag of `journal`'s note when the tool wrote it; None for anybody else's."""
        if self.tool_user_id is None or journal.user_id != self.tool_user_id:
            return None
        return note_tag(journal.notes)

    def tags(self, since_index: int | None = None) -> set[str]:
        """The tags of the tool's own notes after journal `since_index` (None: all)."""
        start = 0 if since_index is None else since_index + 1
        return {tag for journal in self.journals[start:] if (tag := self.tag_of(journal))}

    def index_of(self, journal_id: int) -> int:
        for index, journal in enumerate(self.journals):
            if journal.id == journal_id:
                return index
        raise KeyError(journal_id)


def is_staff_public_note(journal: Journal, people: People) -> bool:
    """What a client reads from support: a public note by a staff member."""
    return bool(journal.notes.strip()) and not journal.private and people.is_staff(journal.user_id)


def is_reply(journal: Journal) -> bool:
    return bool(journal.notes.strip()) or journal.change_of(ATTACHMENT) is not None


def note_tag(notes: str) -> str | None:
    """`first_response:75` for a note starting with `[sla:first_response:75]`."""
    return parse(notes)


def build_timeline(issue: IssueSnapshot, tool_user_id: int | None) -> Timeline:
    """`tool_user_id`: the tool's own account, whose notes alone carry tags (None: nobody's,
    as for a key that cannot tell which account is the tool's)."""
    # Every journal counts, even one stamped a little after `now` by a tracker whose clock
    # runs ahead: hiding the tool's own fresh note would make it post the note again.
    journals = tuple(sorted(issue.journals, key=lambda j: (j.created_on, j.id)))
    changes = [(i, j, c) for i, j in enumerate(journals) if (c := j.change_of(STATUS))]
    if changes:
        first_old = changes[0][2].old
        initial = first_old if first_old is not None else issue.status
    else:
        initial = issue.status
    periods: list[StatusPeriod] = []
    status, start, entered_by = initial, issue.created_on, None
    for index, journal, change in changes:
        new = change.new if change.new is not None else status
        if new == status:
            continue
        periods.append(StatusPeriod(status, start, journal.created_on, entered_by))
        status, start, entered_by = new, journal.created_on, index
    periods.append(StatusPeriod(status, start, None, entered_by))
    return Timeline(issue, tuple(periods), journals, tool_user_id)
