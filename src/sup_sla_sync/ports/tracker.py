"""The tracker port: the contract of any tracker the service can run on.

Neutral words only: an *issue* (`IssueSnapshot`: its fields, its journal of notes and
changes, by whom and when), a *note* (public or private text, tagged `[sla:...]`), a
*move* (a change of status and/or priority with its note), *people* (staff, VIP clients,
logins; `People`) and *projects* (the part of the tracker the tool is configured to see:
the port's own settings hold them, so a caller never names them).

What an implementation promises:

- Reads are of the tracker as it is: `read_issue` reads one issue with its whole journal;
  the listings yield the issues of the configured projects, each with its journal
  (an implementation may reuse a journal it has read while the issue's `updated_on` is
  unchanged: `remember`, `is_settled`). A listing calls `on_error(issue_id, exc)` for an
  issue it cannot read and goes on.
- Writes are never retried by the implementation (a repeated write could post a note
  twice). `write` carries out a `Plan` (watchers, fields, due date, notes) and `move` a
  `Transition`, each calling `on_written(kind, note)` right after every write the tracker
  confirmed (kind: "watcher", "fields", "due_date", "note", "transition"; `note` the note
  that write carried, or None), so that a caller counts and tells exactly what is in,
  even when a later write of the same plan fails. How the writes are grouped, what is
  checked before and after (a workflow that silently keeps the old status, a due date
  refused with the fields) is the implementation's: its errors are `errors.py`'s
  (`TrackerError` naming the issue: nothing more was written of that step).
- `move` returns the issue as the tracker holds it after the move (read again), and
  raises `TrackerError` if the tracker did not make it (its note may be in: it was told).
- Errors: `TrackerUnavailable` when the tracker cannot be reached (the caller backs off),
  `AuthError` when it refuses the tool's credentials, `TrackerError` for one issue's
  trouble.

A second tracker: one package `adapters/<name>/` with a class implementing `Tracker` and
a `TrackerKind` registered in `adapters/trackers.py`, plus one config section for its
own settings (`config.py`); nothing in `service/` or `entrypoints/` changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from typing import Protocol

from sup_sla_sync.core.model import IssueSnapshot, People
from sup_sla_sync.core.writes import Note, Plan, Transition

# Told right after each write the tracker confirmed: its kind, and the note it carried.
OnWritten = Callable[[str, Note | None], None]
# Told of an issue a listing could not read (the listing goes on).
OnError = Callable[[int, Exception], None]
# Told how many issues a listing holds, once it knows.
OnListed = Callable[[int], None]

WRITE_KINDS = ("watcher", "fields", "due_date", "note", "transition")


class Tracker(Protocol):
    """Issues, notes, moves, people and projects, as the service needs them."""

    # --- people -----------------------------------------------------------------------

    def load_people(
        self,
        staff_groups: list[str],
        vip_groups: list[str],
        lead: str,
        policy_groups: Sequence[str] = (),
    ) -> People:
        """Staff (members of `staff_groups`), VIP clients, the lead, the members of the
        policies' groups, and every login (for mentions)."""
        ...

    # --- issues of the configured projects ---------------------------------------------

    def list_issues(
        self,
        closed_since: datetime | None,
        *,
        on_error: OnError | None = None,
        on_listed: OnListed | None = None,
    ) -> Iterator[IssueSnapshot]:
        """Every open issue, and the closed ones updated since `closed_since` (None: no
        closed issue)."""
        ...

    def list_changed(
        self, since: datetime, *, on_error: OnError | None = None
    ) -> Iterator[IssueSnapshot]:
        """Every issue (open or closed) updated at or after `since` (the tracker's time)."""
        ...

    def list_created(
        self,
        since: date,
        until: date,
        zone: tzinfo,
        *,
        on_listed: OnListed | None = None,
    ) -> Iterator[IssueSnapshot]:
        """The issues created from `since` to `until` (local dates in `zone`, both
        included), of any status; may hold a few outside them (the caller filters)."""
        ...

    def read_issue(self, issue_id: int) -> IssueSnapshot:
        """One issue as the tracker holds it now (`TrackerError` if not visible)."""
        ...

    def in_scope(self, issue: IssueSnapshot) -> bool:
        """Whether `issue` belongs to the configured projects (an issue may move out)."""
        ...

    @property
    def scope_setting(self) -> str:
        """The configuration key that names the projects (for messages: "redmine.projects")."""
        ...

    def as_viewer(self) -> tuple[int | None, str | None]:
        """From now on, read as the key's own user sees the tracker (`queue --mine` with
        an agent's key): that user's id, and a note for them when the tracker shows them
        less than the tool's account sees (None: nothing to say)."""
        ...

    # --- the listing's clock and the memory of journals --------------------------------

    @property
    def listing_started_at(self) -> datetime | None:
        """When (the tracker's clock) the last listing began: the next one starts there."""
        ...

    def server_now(self) -> datetime:
        """The tracker's clock, now."""
        ...

    def remember(self, snapshots: Iterable[IssueSnapshot], settled_before: datetime | None) -> None:
        """Snapshots saved by an earlier run: their journals need not be read again while
        their `updated_on` is unchanged (None: each is settled; else those updated before
        `settled_before`)."""
        ...

    def is_settled(self, snapshot: IssueSnapshot) -> bool:
        """Whether no change can still come within `snapshot`'s `updated_on` (then a saved
        copy may stand for it after a restart)."""
        ...

    def is_reachable(self) -> bool: ...

    # --- writes -------------------------------------------------------------------------

    def write(self, plan: Plan, on_written: OnWritten) -> int:
        """Carry out `plan` (watchers, then fields, due date and notes); the number of
        write requests made."""
        ...

    def move(self, issue_id: int, transition: Transition, on_written: OnWritten) -> IssueSnapshot:
        """Make the move with its note; the issue as the tracker holds it afterwards."""
        ...

    # --- where --------------------------------------------------------------------------

    def issue_url(self, issue_id: int) -> str:
        """Where a person opens the issue (shown in notifications and reports)."""
        ...

    @property
    def shown_url(self) -> str:
        """The tracker's address as it may be shown (no credentials)."""
        ...

    @property
    def state_key(self) -> str:
        """A secret of the tool's account at the tracker: seals the saved state, so that
        a file written by anyone else is not believed (adapters/state.py)."""
        ...
