"""What the daemon remembers between passes, so that a pass costs what changed (SPEC.md,
"The daemon's passes").

A pass lists only the issues updated since the previous listing (by the tracker's own
clock, with a margin), plus a full listing at start and every `daemon.full_scan_minutes`;
an unchanged issue is evaluated again only when its wake-up instant has come. With
`daemon.state_dir` set, the memory survives a restart in a SQLite file; without it, a
restart starts from nothing. Either way the tracker stays the source of truth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sup_sla_sync.adapters.state import Known, State, StateStore
from sup_sla_sync.core.model import IssueSnapshot

# The next listing starts this long before the previous one began (by the tracker's clock,
# its `Date` header): a change stamped in the same second (updated_on has whole seconds) or
# while the first page was being answered is listed again rather than missed.
LISTING_MARGIN = timedelta(seconds=30)
# A wake-up instant that has always come.
EVALUATE_NOW = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Listing:
    """What the next pass lists: everything, or what changed since `since`."""

    full: bool
    since: datetime | None = None


class PassMemory:
    """Known issues, their wake-up instants, and when the tracker was last listed."""

    def __init__(self, store: StateStore | None, full_scan: timedelta) -> None:
        self.store = store
        self.full_scan = full_scan
        self.state = store.load() if store is not None else State()
        # Issues remembered since the last save (None: save everything, as after a load
        # that found nothing or a bad file).
        self._changed: set[int] | None = None
        self._removed: set[int] = set()  # issues forgotten since the last save

    @property
    def known(self) -> dict[int, Known]:
        return self.state.issues

    def snapshots(self) -> Iterable[IssueSnapshot]:
        return (known.snapshot for known in self.state.issues.values())

    def settled_snapshots(self) -> Iterable[IssueSnapshot]:
        """The snapshots that had settled when read (see `Known.settled`)."""
        return (known.snapshot for known in self.state.issues.values() if known.settled)

    def next_listing(self, tracker_now: datetime) -> Listing:
        state = self.state
        if (
            state.listed_at is None
            or state.full_listed_at is None
            or tracker_now - state.full_listed_at >= self.full_scan
        ):
            return Listing(full=True)
        return Listing(full=False, since=state.listed_at - LISTING_MARGIN)

    def adopt(self, fingerprint: str) -> None:
        """Wake-up instants hold for the rules and people they were computed with: after a
        change of either, every known issue is evaluated again once."""
        if fingerprint != self.state.fingerprint:
            for known in self.state.issues.values():
                known.wake_at = EVALUATE_NOW
            self.state.fingerprint = fingerprint
            self._changed = None  # every wake-up instant changed

    def due(self, now: datetime, changed: set[int]) -> list[int]:
        """Known issues not listed as changed whose wake-up instant has come, by id."""
        return sorted(
            issue_id
            for issue_id, known in self.state.issues.items()
            if issue_id not in changed and known.wake_at is not None and known.wake_at <= now
        )

    def earliest(self, after: datetime) -> datetime | None:
        """The earliest wake-up instant later than `after` (None: none is known). An instant
        not later belongs to an issue whose evaluation failed: its retry is the next
        poll's (`due` there includes it), never a loop on the past."""
        later = [
            known.wake_at
            for known in self.state.issues.values()
            if known.wake_at is not None and known.wake_at > after
        ]
        return min(later, default=None)

    def remember(
        self, snapshot: IssueSnapshot, wake_at: datetime | None, settled: bool = False
    ) -> None:
        """`settled`: the tracker says no change can still come within the snapshot's
        updated_on second (a restart may then take its journals as they are)."""
        known = self.state.issues.get(snapshot.id)
        if (
            known is not None
            and known.snapshot == snapshot
            and known.wake_at == wake_at
            and known.settled == settled
        ):
            return
        self.state.issues[snapshot.id] = Known(snapshot, wake_at, settled)
        if self._changed is not None:
            self._changed.add(snapshot.id)

    def forget(self, issue_id: int) -> None:
        """An issue that left the projects (seen on a read between full listings)."""
        if self.state.issues.pop(issue_id, None) is not None:
            self._removed.add(issue_id)

    def forget_all_but(self, listed: set[int]) -> None:
        """After a full listing: drop issues deleted, moved out or no longer visible."""
        for issue_id in set(self.state.issues) - listed:
            del self.state.issues[issue_id]
            self._removed.add(issue_id)

    def listed(self, started_at: datetime, full: bool) -> None:
        self.state.listed_at = started_at
        if full:
            self.state.full_listed_at = started_at

    def save(self) -> None:
        """Write what changed since the last save (everything the first time)."""
        if self.store is not None:
            if self.store.save(self.state, self._changed, self._removed):
                self._changed = set()
                self._removed = set()
            else:  # not saved: the next save writes everything (and so drops what went)
                self._changed = None


def fingerprint(*parts: object) -> str:
    """A short digest of the values wake-up instants depend on (their reprs are stable)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8"))
    return digest.hexdigest()[:16]
