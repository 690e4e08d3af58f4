"""Passes that cost what changed (SPEC.md, "The daemon's passes"): after a full listing, a
pass lists only the issues updated since the previous listing (by the tracker's clock),
and evaluates an unchanged issue only when its wake-up instant has come. With
`daemon.state_dir` the memory survives a restart; a lost or bad file changes no outcome."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sup_sla_sync.adapters.state import StateStore
from sup_sla_sync.config import Settings
from sup_sla_sync.core.model import IssueSnapshot
from sup_sla_sync.errors import UpdateRefused
from sup_sla_sync.service.memory import LISTING_MARGIN
from sup_sla_sync.service.sync import SyncService

from factories import CLIENT, at, issue, note, status
from fake_tracker import FakeTracker

# A full listing every 10 hours: these passes are incremental unless a test says otherwise.
SETTINGS = Settings(
    staff={"groups": ["Support"], "lead": "lead1"}, daemon={"full_scan_minutes": 600}
)


class Clock:
    def __init__(self, when: str, skew: timedelta = timedelta()) -> None:
        self.now = at(when)
        self.skew = skew

    def set(self, when: str) -> None:
        self.now = at(when)

    def __call__(self) -> datetime:
        return self.now

    def tool(self) -> datetime:
        """The tool's own clock: the tracker's plus a skew."""
        return self.now + self.skew


def setup(
    *issues: IssueSnapshot,
    when: str = "2025-01-13 10:30",
    state_dir: Path | None = None,
    skew: timedelta = timedelta(),
    settings: Settings = SETTINGS,
) -> tuple[SyncService, FakeTracker, Clock]:
    clock = Clock(when, skew)
    tracker = FakeTracker(*issues, now=clock)
    return (
        SyncService(settings, tracker, clock=clock.tool, state_dir=state_dir),
        tracker,
        clock,
    )


def notes_tagged(tracker: FakeTracker, issue_id: int, prefix: str) -> int:
    return sum(1 for j in tracker.notes(issue_id) if j.notes.startswith(prefix))


def two_issues() -> tuple[IssueSnapshot, IssueSnapshot]:
    return (
        issue("2025-01-13 10:00", level="VIP", issue_id=7),
        issue("2025-01-13 10:10", issue_id=8),
    )


def test_after_a_full_listing_a_pass_lists_only_what_changed() -> None:
    svc, tracker, clock = setup(*two_issues())
    svc.run_pass()
    assert tracker.listings == [("full", at("2025-01-13 10:30") - timedelta(days=30))]
    clock.set("2025-01-13 10:35")
    result = svc.run_pass()
    assert tracker.listings[1] == ("changed", at("2025-01-13 10:30") - LISTING_MARGIN)
    # The first pass's own writes changed both issues: they are looked at once more.
    assert result.seen == 2 and result.updated == 0
    clock.set("2025-01-13 10:45")
    result = svc.run_pass()
    assert tracker.listings[2] == ("changed", at("2025-01-13 10:35") - LISTING_MARGIN)
    assert result.seen == 0  # nothing changed, nothing due: no issue evaluated


def test_an_unchanged_issue_is_evaluated_when_its_reminder_falls_due() -> None:
    svc, tracker, clock = setup(*two_issues())
    svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass()
    reads = len(tracker.reads)
    clock.set("2025-01-13 11:30")  # VIP #7: 75% of 120 min is 11:30
    result = svc.run_pass()
    assert result.seen == 1 and result.reminders == 1
    assert notes_tagged(tracker, 7, "[sla:first_response:75]") == 1
    assert len(tracker.reads) == reads  # evaluated from memory: no issue read


def test_a_note_in_the_same_second_as_the_listing_is_not_missed() -> None:
    svc, tracker, clock = setup(*two_issues())
    svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass()  # listing starts at 10:35:00
    tracker.person_writes(8, note("2025-01-13 10:35", user=CLIENT, text="Уточнение"))
    clock.set("2025-01-13 10:40")
    result = svc.run_pass()
    assert result.seen >= 1 and 8 in tracker.reads[-result.seen :]


def test_a_change_during_a_pass_is_listed_by_the_next_one() -> None:
    """The client answers #6 while the pass, having read #6 already, writes #7."""
    waiting = issue(
        "2025-01-13 09:00",
        status("2025-01-13 09:10", "New", "Feedback", text="Пришлите номер"),
        level="VIP",
        issue_id=6,
    )
    svc, tracker, clock = setup(waiting, *two_issues())

    def client_answers_meanwhile(issue_id: int, changes: dict) -> None:
        if issue_id == 7:
            tracker.before_write = None
            tracker.person_writes(6, note("2025-01-13 10:30", user=CLIENT, text="Номер 42"))

    tracker.before_write = client_answers_meanwhile
    svc.run_pass()
    assert tracker.issues[6].status == "Feedback"  # read before the answer came
    clock.set("2025-01-13 10:35")
    svc.run_pass()
    assert tracker.listings[-1][0] == "changed"
    assert tracker.issues[6].status == "In Progress"
    assert notes_tagged(tracker, 6, "[sla:reopen]") == 1


@pytest.mark.parametrize("skew", [timedelta(minutes=-7), timedelta(minutes=9)])
def test_a_skewed_local_clock_misses_nothing(skew: timedelta) -> None:
    """The listing's `since` comes from the tracker's clock, never the tool's."""
    waiting = issue(
        "2025-01-13 09:00",
        status("2025-01-13 09:10", "New", "Feedback", text="Пришлите номер"),
        level="VIP",
        issue_id=9,
    )
    svc, tracker, clock = setup(waiting, *two_issues(), skew=skew)
    svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass()
    tracker.person_writes(9, note("2025-01-13 10:36", user=CLIENT, text="Номер 42"))
    clock.set("2025-01-13 10:40")
    svc.run_pass()
    assert tracker.listings[-1] == ("changed", at("2025-01-13 10:35") - LISTING_MARGIN)
    assert tracker.issues[9].status == "In Progress"


def test_a_full_listing_every_full_scan_drops_issues_that_left() -> None:
    settings = Settings(staff={"groups": ["Support"], "lead": "lead1"})  # every 60 min
    svc, tracker, clock = setup(*two_issues(), settings=settings)
    svc.run_pass()
    del tracker.issues[8]  # deleted, or moved out of the projects
    clock.set("2025-01-13 11:00")
    svc.run_pass()
    assert tracker.listings[-1][0] == "changed" and 8 in svc.memory.known
    clock.set("2025-01-13 11:30")
    svc.run_pass()
    assert tracker.listings[-1][0] == "full"
    assert 8 not in svc.memory.known and 7 in svc.memory.known


def test_an_issue_that_failed_is_evaluated_again_next_pass() -> None:
    svc, tracker, clock = setup(*two_issues())
    svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass()
    clock.set("2025-01-13 11:30")  # #7's reminder is due

    def refuse(issue_id: int, changes: dict) -> None:
        raise UpdateRefused(f"issue {issue_id}: update refused: try later")

    tracker.before_write = refuse
    result = svc.run_pass()
    assert [e["issue"] for e in result.errors] == [7]
    assert notes_tagged(tracker, 7, "[sla:first_response:75]") == 0
    tracker.before_write = None
    clock.set("2025-01-13 11:35")
    svc.run_pass()
    assert tracker.listings[-1][0] == "changed"
    assert notes_tagged(tracker, 7, "[sla:first_response:75]") == 1


# --- the persistent memory ----------------------------------------------------------------


def scenario(state_dir: Path | None, between) -> FakeTracker:
    """Pass, pass, restart (a new service on the same tracker), then passes through a
    reminder, a breach and a client's answer; `between(state_dir)` runs at the restart."""
    waiting = issue(
        "2025-01-13 09:00",
        status("2025-01-13 09:10", "New", "Feedback", text="Пришлите номер"),
        level="VIP",
        issue_id=9,
    )
    svc, tracker, clock = setup(waiting, *two_issues(), state_dir=state_dir)
    svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass()
    between(state_dir)
    svc = SyncService(SETTINGS, tracker, clock=clock.tool, state_dir=state_dir)
    for when in ("2025-01-13 11:30", "2025-01-13 12:05", "2025-01-13 12:10"):
        clock.set(when)
        svc.run_pass()
    tracker.person_writes(9, note("2025-01-13 12:11", user=CLIENT, text="Номер 42"))
    for when in ("2025-01-13 12:15", "2025-01-13 12:20"):
        clock.set(when)
        svc.run_pass()
    return tracker


def outcome(tracker: FakeTracker) -> dict[int, tuple]:
    return {
        i: (
            s.status,
            s.field("SLA state"),
            s.field("SLA first response due"),
            s.due_date,
            sorted(j.notes.split("]")[0] for j in tracker.notes(i)),
        )
        for i, s in tracker.issues.items()
    }


def nothing(_: Path | None) -> None:
    pass


def test_a_restart_with_the_saved_memory_reads_no_unchanged_journal(tmp_path: Path) -> None:
    tracker = scenario(tmp_path, nothing)
    assert StateStore(tmp_path).size() > 0
    assert set(tracker.remembered) >= {7, 8, 9}  # journals handed to the adapter at restart
    expected = outcome(scenario(None, nothing))
    assert outcome(tracker) == expected
    assert all(len(notes) == len(set(notes)) for *_, notes in expected.values())
    assert expected[7][4] == ["[sla:first_response:75", "[sla:first_response:breach"]
    assert expected[9][0] == "In Progress"


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: StateStore(d).path.unlink(),
        lambda d: StateStore(d).path.write_bytes(b"not sqlite" * 50),
        lambda d: StateStore(d).path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200),
    ],
    ids=["deleted", "garbage", "truncated"],
)
def test_a_lost_or_bad_state_file_changes_no_outcome(tmp_path: Path, damage) -> None:
    expected = outcome(scenario(None, nothing))
    assert outcome(scenario(tmp_path, damage)) == expected


def test_a_dry_run_neither_lists_incrementally_nor_saves(tmp_path: Path) -> None:
    svc, tracker, clock = setup(*two_issues(), state_dir=tmp_path)
    svc.run_pass(dry_run=True)
    assert StateStore(tmp_path).size() == 0 and svc.memory.known == {}
    svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass(dry_run=True)
    assert tracker.listings[-1][0] == "full"


def test_issues_by_state_count_every_known_issue_not_only_the_evaluated() -> None:
    """What the metrics' gauges show after a pass that evaluated nothing."""
    svc, _, clock = setup(*two_issues())
    first = svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass()
    clock.set("2025-01-13 10:45")
    quiet = svc.run_pass()
    assert quiet.seen == 0
    assert quiet.states == first.states
    assert sum(quiet.states.values()) == 2


def test_a_clients_own_level_is_warned_once_a_run_naming_the_issue(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`check` cannot see workflow field permissions over REST: the pass says which issue
    shows that a client could set a field that grants service, once, not every pass."""
    own = issue("2025-01-13 10:00", level="VIP", issue_id=7, set_by=None)
    svc, tracker, clock = setup(own, issue("2025-01-13 10:10", level="VIP", issue_id=8))
    svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass()
    warned = [r for r in caplog.records if "not believed" in r.getMessage()]
    assert [r.getMessage() for r in warned] == [
        "issue 7: 'SLA level' = 'VIP' was set by a client: not believed; make the field "
        "read-only for client roles (setup-script --staff-only-role)"
    ]
    assert tracker.issues[7].field("SLA first response due") != tracker.issues[8].field(
        "SLA first response due"
    )  # 7 is served as basic, 8 (level set by an agent) as VIP


def test_a_full_listing_decides_again_only_what_changed_or_came_due() -> None:
    """An hourly full listing of unchanged issues whose instants have not come costs the
    listing, not a decision each: their decisions cannot have changed. A changed one, and
    one whose instant came, are decided again; the state tally stays a true count."""
    third = issue("2025-01-13 10:05", issue_id=9)
    svc, tracker, clock = setup(*two_issues(), third)
    svc.run_pass()
    clock.set("2025-01-13 10:35")
    svc.run_pass()  # the first pass's own writes
    decided: list[int] = []
    decide = svc.decide

    def counting(issue, *args, **kwargs):
        decided.append(issue.id)
        return decide(issue, *args, **kwargs)

    svc.decide = counting  # type: ignore[method-assign]
    tracker.person_writes(8, note("2025-01-13 10:50", user=CLIENT, text="Уточнение"))
    svc.memory.state.full_listed_at = None  # the hourly full listing is due
    clock.set("2025-01-13 11:30")  # VIP #7: 75% of 120 min is 11:30
    result = svc.run_pass()
    assert tracker.listings[-1][0] == "full" and result.seen == 3
    assert set(decided) == {7, 8}  # 9: unchanged, nothing due
    assert notes_tagged(tracker, 7, "[sla:first_response:75]") == 1
    # The tally, kept pass by pass, is what a count from scratch gives.
    fresh = Counter(
        (str(d.view.state), str(d.view.classification.level))
        for d in (decide(tracker.issues[i], svc.people(), clock.tool()) for i in (7, 8, 9))
    )
    assert sum(result.states.values()) == 3
    assert result.states == fresh
