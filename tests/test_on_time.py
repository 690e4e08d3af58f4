"""On time (SPEC.md, `run`): the daemon wakes at the next instant any known issue has and
at every poll, whichever comes first; a pass woken by an instant lists nothing and
evaluates from memory only the issues whose instant has come.

No test waits in real time: the daemon's clocks (wall and monotonic) and `schedule`'s are
one fake, and the daemon's waits on its stop event move it on instead of sleeping.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import threading
import time
import types
from datetime import UTC, datetime, timedelta

import pytest
import schedule

from sup_sla_sync.config import Settings
from sup_sla_sync.errors import LockBusy, TrackerError, TrackerUnavailable
from sup_sla_sync.service import daemon as daemon_module
from sup_sla_sync.service.daemon import Daemon
from sup_sla_sync.service.sync import PassResult, SyncService
from test_decide import IDENTIFIED

from factories import AGENT, at, issue, note
from fake_tracker import FakeTracker

SETTINGS = Settings(
    staff={"groups": ["Support"], "lead": "lead1"}, daemon={"full_scan_minutes": 600}
)
REMINDER = "[sla:first_response:75]"
BREACH = "[sla:first_response:breach]"


class FakeTime:
    """One fake time for the daemon's wall clock, its monotonic clock and `schedule`."""

    def __init__(self, when: str) -> None:
        self.wall = at(when)
        self.mono = 1000.0
        self.waits: list[float] = []
        self.on_wait = lambda: None  # a test's event at each wait (a clock jump, a reply)

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds

    def jump(self, seconds: float) -> None:
        """The machine's clock set (or a suspend): the wall clock moves, the elapsed not."""
        self.wall += timedelta(seconds=seconds)


class ClockedStop(threading.Event):
    """The daemon's stop event; waiting on it moves the fake time on, never sleeps."""

    def __init__(self, fake: FakeTime, until: datetime) -> None:
        super().__init__()
        self.fake = fake
        # Stop when this much time has elapsed (monotonic: whatever the wall clock does).
        self.until = fake.mono + (until - fake.wall).total_seconds()

    def wait(self, timeout: float | None = None) -> bool:
        if not self.is_set() and timeout is not None:
            self.fake.waits.append(timeout)
            self.fake.advance(timeout)
            self.fake.on_wait()
            if self.fake.mono >= self.until:
                self.set()
        return self.is_set()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """`schedule` reads `datetime.datetime.now()` (naive local): give it ours."""
    clock = FakeTime("2025-01-13 10:03")

    class FakeDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            local = clock.wall.astimezone()
            return local.replace(tzinfo=None) if tz is None else clock.wall.astimezone(tz)

    module = types.ModuleType("datetime")
    module.__dict__.update(vars(dt))
    module.datetime = FakeDatetime  # type: ignore[attr-defined]
    monkeypatch.setattr(schedule, "datetime", module)
    return clock


def daemon_for(service: object, fake: FakeTime, minutes: float, until: datetime) -> Daemon:
    daemon = Daemon(
        service,  # type: ignore[arg-type]
        minutes,
        contextlib.nullcontext,
        clock=fake.now,
        monotonic=fake.monotonic,
    )
    daemon.stop = ClockedStop(fake, until)
    return daemon


def first_planned(svc: SyncService, snapshot, tag: str, start: datetime) -> datetime:
    """The instant of a note: the first second at which `decide` on the issue as it was
    plans it (the core's answer: minute by minute, then second by second)."""
    people = svc.people()

    def plans(moment: datetime) -> bool:
        return any(n.text.startswith(tag) for n in svc.decide(snapshot, people, moment).plan.notes)

    moment = start.replace(second=0, microsecond=0)
    for _ in range(24 * 60):
        if plans(moment):
            second = moment - timedelta(seconds=59)
            while not plans(second):
                second += timedelta(seconds=1)
            return second
        moment += timedelta(minutes=1)
    raise AssertionError(f"{tag} is never planned")


# --- the service: a pass woken by an instant ---------------------------------------------


def online_issue(issue_id: int = 7, created: str = "2025-01-13 10:00"):
    # A 15-minute first answer; the client said who they are (no intake note).
    return issue(created, channel="Online assistant", issue_id=issue_id, description=IDENTIFIED)


def written_tags(tracker: FakeTracker, issue_id: int) -> list[str]:
    return [
        changes["notes"].split("]")[0] + "]"
        for i, changes in tracker.writes
        if i == issue_id and changes.get("notes", "").startswith("[sla:")
    ]


def test_an_instants_pass_lists_nothing_and_reads_only_the_issue_it_writes_to() -> None:
    clock = FakeTime("2025-01-13 10:03")
    tracker = FakeTracker(online_issue(7), issue("2025-01-13 10:00", issue_id=8), now=clock.now)
    svc = settled_two_passes(clock, tracker)  # the first pass's own writes, read once more
    listings, reads, writes = len(tracker.listings), len(tracker.reads), len(tracker.writes)
    instant = svc.next_instant(clock.wall)
    assert instant is not None and instant <= at("2025-01-13 10:12")
    clock.wall = instant
    result = svc.run_pass(poll=False)
    assert len(tracker.listings) == listings  # no listing
    assert tracker.reads[reads:] == [7]  # read again before writing to it, and nothing else
    assert REMINDER in written_tags(tracker, 7) and result.reminders == 1
    assert len(tracker.writes) > writes
    # Nothing else due now: another instant's pass costs nothing.
    reads, writes = len(tracker.reads), len(tracker.writes)
    result = svc.run_pass(poll=False)
    assert result.seen == 0 and len(tracker.reads) == reads and len(tracker.writes) == writes


def test_an_instants_pass_writes_nothing_on_what_the_tracker_no_longer_holds() -> None:
    """The agent answered after the last poll: the remembered issue would get a reminder
    and a breach note; the issue read again before writing gets neither."""
    clock = FakeTime("2025-01-13 10:03")
    tracker = FakeTracker(online_issue(7), now=clock.now)
    svc = settled_two_passes(clock, tracker)
    tracker.person_writes(7, note("2025-01-13 10:06", AGENT, "Здравствуйте, смотрим."))
    clock.wall = at("2025-01-13 10:20")
    svc.run_pass(poll=False)
    assert written_tags(tracker, 7) == []


def test_an_instants_pass_before_the_first_listing_is_a_poll() -> None:
    clock = FakeTime("2025-01-13 10:03")
    tracker = FakeTracker(online_issue(7), now=clock.now)
    svc = SyncService(SETTINGS, tracker, clock=clock.now)
    svc.run_pass(poll=False)
    assert [kind for kind, _ in tracker.listings] == ["full"]


def test_the_next_instant_is_the_earliest_later_one() -> None:
    clock = FakeTime("2025-01-13 10:03")
    tracker = FakeTracker(
        online_issue(7),
        issue("2025-01-13 10:00", issue_id=8),
        online_issue(9, "2025-01-13 10:02"),
        now=clock.now,
    )
    svc = SyncService(SETTINGS, tracker, clock=clock.now)
    svc.run_pass()
    wakes = sorted(k.wake_at for k in svc.memory.known.values() if k.wake_at is not None)
    assert svc.next_instant(clock.wall) == wakes[0]
    assert svc.next_instant(wakes[0]) == min(w for w in wakes if w > wakes[0])
    assert svc.next_instant(wakes[-1]) is None  # nothing later: no loop on the past


def settled_two_passes(
    clock: FakeTime, tracker: FakeTracker, settings: Settings = SETTINGS
) -> SyncService:
    """A service after its first pass and the next (its own writes read again), 10:04."""
    tracker.projects = list(settings.redmine.projects)  # the tracker's own settings
    svc = SyncService(settings, tracker, clock=clock.now)
    svc.run_pass()
    clock.wall = at("2025-01-13 10:04")
    svc.run_pass()
    return svc


def test_an_instants_pass_leaves_alone_an_issue_moved_out_of_the_projects() -> None:
    """Moved to another project after the last poll: the re-read before writing sees it,
    and nothing is written (the reminder would go to a project the desk does not run)."""
    settings = Settings(
        staff={"groups": ["Support"], "lead": "lead1"},
        redmine={"projects": ["edoc"]},
        daemon={"full_scan_minutes": 600},
    )
    clock = FakeTime("2025-01-13 10:03")
    tracker = FakeTracker(online_issue(7), now=clock.now)
    svc = settled_two_passes(clock, tracker, settings)
    writes = len(tracker.writes)
    tracker.issues[7] = dataclasses.replace(tracker.issues[7], project="dev")
    clock.wall = at("2025-01-13 10:20")
    svc.run_pass(poll=False)
    assert len(tracker.writes) == writes and 7 not in svc.memory.known
    assert svc.next_instant(clock.wall) is None


def test_an_issue_that_fails_is_the_next_polls_not_every_instants() -> None:
    clock = FakeTime("2025-01-13 10:03")
    tracker = FakeTracker(online_issue(7), online_issue(8, "2025-01-13 10:01"), now=clock.now)
    svc = settled_two_passes(clock, tracker)
    tracker.fail_on[7] = TrackerError("issue 7: not found or not visible")
    clock.wall = at("2025-01-13 10:12")  # 7's reminder is due, 8's not yet
    result = svc.run_pass(poll=False)
    assert [e["issue"] for e in result.errors] == [7]
    reads = len(tracker.reads)
    clock.wall = at("2025-01-13 10:14")  # 8's reminder: 7 is not tried again here
    result = svc.run_pass(poll=False)
    assert result.errors == [] and tracker.reads[reads:] == [8]
    del tracker.fail_on[7]
    clock.wall = at("2025-01-13 10:15")
    svc.run_pass()  # the poll: 7 is read again and gets its note
    assert REMINDER in written_tags(tracker, 7) or BREACH in written_tags(tracker, 7)


def test_a_restart_takes_the_journals_of_the_snapshots_settled_when_read(tmp_path) -> None:
    """Through the service: a snapshot the tracker said was settled is handed back at
    restart without the listing-time condition (settled_before None)."""
    clock = FakeTime("2025-01-13 10:03")
    tracker = FakeTracker(online_issue(7), online_issue(8), now=clock.now)
    tracker.settled = True
    svc = SyncService(SETTINGS, tracker, clock=clock.now, state_dir=tmp_path)
    svc.run_pass()
    again = SyncService(SETTINGS, tracker, clock=clock.now, state_dir=tmp_path)
    again.run_pass()
    assert ([7, 8], None) in tracker.remember_calls


# --- the daemon's schedule -----------------------------------------------------------


class Instants:
    """A service whose known issues have the given instants; records each pass."""

    def __init__(self, fake: FakeTime, *instants: str, fail_at: int | None = None) -> None:
        self.fake = fake
        self.instants = sorted(at(i) for i in instants)
        self.passes: list[tuple[str, datetime]] = []
        self.stop_requested = threading.Event()
        self.fail_at = fail_at  # the pass (0-based) that finds the tracker down

    def run_pass(self, poll: bool = True) -> PassResult:
        self.passes.append(("poll" if poll else "instant", self.fake.wall))
        if self.fail_at is not None and len(self.passes) - 1 == self.fail_at:
            raise TrackerUnavailable("cannot reach the tracker at http://x: refused")
        return PassResult(seen=1)

    def next_instant(self, after: datetime) -> datetime | None:
        return min((i for i in self.instants if i > after), default=None)


def offsets(passes: list[tuple[str, datetime]], start: str) -> list[tuple[str, float]]:
    return [(kind, (when - at(start)).total_seconds()) for kind, when in passes]


def test_the_earliest_instant_wins_and_the_polls_go_on(fake: FakeTime) -> None:
    service = Instants(fake, "2025-01-13 10:04:10", "2025-01-13 10:06", "2025-01-13 10:15")
    daemon_for(service, fake, 5, until=at("2025-01-13 10:16")).run()
    assert offsets(service.passes, "2025-01-13 10:03") == [
        ("poll", 0),
        ("instant", 70),
        ("instant", 180),
        ("poll", 300),
        ("poll", 600),
        ("instant", 720),
    ]


def test_fractions_of_a_minute_and_a_poll_with_an_instant_is_one_pass(fake: FakeTime) -> None:
    service = Instants(fake, "2025-01-13 10:03:30")
    daemon_for(service, fake, 0.5, until=at("2025-01-13 10:04:45")).run()
    # The instant at 10:03:30 is the poll's: one pass.
    assert offsets(service.passes, "2025-01-13 10:03") == [
        ("poll", 0),
        ("poll", 30),
        ("poll", 60),
        ("poll", 90),
    ]


def test_an_idle_daemon_sleeps(fake: FakeTime) -> None:
    """Nothing due, a poll an hour: an hour is two passes and a few hundred short sleeps
    (10 s slices, to notice a clock change), never a spin."""
    service = Instants(fake)
    daemon_for(service, fake, 60, until=at("2025-01-13 11:03:30")).run()
    assert [kind for kind, _ in service.passes] == ["poll", "poll"]
    assert len(fake.waits) <= 3600 / daemon_module.MAX_SLEEP_SECONDS + 5
    assert min(fake.waits) >= 0.01


def test_a_failed_pass_is_retried_and_loses_no_instant(fake: FakeTime, monkeypatch) -> None:
    """The instant's pass finds the tracker down: no retry loop on the instant; the
    retry, a poll, evaluates what came due meanwhile (the service's `due`), and the
    instants after it are kept."""
    monkeypatch.setattr(daemon_module, "FIRST_RETRY_SECONDS", 20)
    service = Instants(fake, "2025-01-13 10:04", "2025-01-13 10:06", fail_at=1)
    daemon_for(service, fake, 60, until=at("2025-01-13 10:07")).run()
    assert offsets(service.passes, "2025-01-13 10:03") == [
        ("poll", 0),
        ("instant", 60),  # fails
        ("poll", 80),  # the retry
        ("instant", 180),
    ]


def test_a_suspend_is_noticed_and_what_came_due_is_done_at_once(fake: FakeTime) -> None:
    """The machine sleeps an hour at 10:03:05: after it, a poll at once (its `due` holds
    every instant that came meanwhile), and the next instants as usual."""
    service = Instants(fake, "2025-01-13 10:30", "2025-01-13 11:10")
    jumped = []

    def suspend() -> None:
        if not jumped and fake.wall >= at("2025-01-13 10:03:05"):
            jumped.append(fake.wall)
            fake.jump(3600)

    fake.on_wait = suspend
    daemon_for(service, fake, 60, until=at("2025-01-13 11:11")).run()
    kinds = offsets(service.passes, "2025-01-13 10:03")
    assert kinds[0] == ("poll", 0)
    kind, when = kinds[1]
    assert kind == "poll" and 3600 < when <= 3600 + 10 + daemon_module.MAX_SLEEP_SECONDS
    assert kinds[2] == ("instant", 7 * 60 + 3600)


def test_a_clock_set_back_keeps_the_polls(fake: FakeTime) -> None:
    """Set back an hour: `schedule` alone would wait an hour for its next poll."""
    service = Instants(fake)
    jumped = []

    def set_back() -> None:
        if not jumped and fake.wall >= at("2025-01-13 10:03:30"):
            jumped.append(fake.wall)
            fake.jump(-3600)

    fake.on_wait = set_back
    daemon_for(service, fake, 1, until=at("2025-01-13 10:07")).run()  # 4 minutes elapsed
    polls = [when for kind, when in service.passes if kind == "poll"]
    assert len(polls) >= 5  # 10:03, at the jump (09:03:3x), then every minute to 09:07
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(polls[1:])]
    assert gaps and max(gaps) <= 61


def test_a_stop_while_sleeping_until_a_far_instant_exits_at_once(monkeypatch) -> None:
    """Real clocks: the next instant in an hour, no slice; the stop ends the wait."""
    monkeypatch.setattr(daemon_module, "MAX_SLEEP_SECONDS", 3600.0)
    in_an_hour = datetime.now(UTC) + timedelta(hours=1)

    class Far:
        stop_requested = threading.Event()
        ran = threading.Event()

        def run_pass(self, poll: bool = True) -> PassResult:
            self.ran.set()
            return PassResult()

        def next_instant(self, after: datetime) -> datetime | None:
            return in_an_hour

    service = Far()
    daemon = Daemon(service, 60, contextlib.nullcontext)  # type: ignore[arg-type]
    thread = threading.Thread(target=daemon.run)
    thread.start()
    assert service.ran.wait(10)
    assert daemon.sleep_seconds() > 3000  # it sleeps until the instant
    started = time.monotonic()
    daemon.request_stop()
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - started < 5


# --- the daemon and the service together ---------------------------------------------


@pytest.mark.parametrize("minutes", [1, 5])
def test_every_note_within_a_minute_of_its_instant_whatever_the_interval(
    fake: FakeTime, minutes: float
) -> None:
    """A 15-minute first answer: its 75% reminder and its breach are written within a
    minute of the instant decide gives them, with a poll every minute or every five."""
    original = online_issue(7)
    tracker = FakeTracker(original, now=fake.now)
    svc = SyncService(SETTINGS, tracker, clock=fake.now)
    written: dict[str, datetime] = {}

    def stamp(issue_id: int, changes: dict) -> None:
        text = changes.get("notes") or ""
        if text.startswith("[sla:"):
            written.setdefault(text.split("]")[0] + "]", fake.wall)

    tracker.before_write = stamp
    daemon = daemon_for(svc, fake, minutes, until=at("2025-01-13 10:30"))
    daemon.run()
    for tag in (REMINDER, BREACH):
        instant = first_planned(svc, original, tag, at("2025-01-13 10:00"))
        assert tag in written, tag
        late = (written[tag] - instant).total_seconds()
        assert 0 <= late <= 60, (tag, instant, written[tag])
    if minutes == 5:
        assert daemon.instant_passes >= 2  # neither note waited for a poll


def test_an_instants_pass_that_finds_the_lock_taken_is_tried_again_shortly(fake) -> None:
    """Another pass holds the lock at the instant: tried again 5 s later, not in a loop and
    not at the next poll (an hour away here)."""
    service = Instants(fake, "2025-01-13 10:04")
    attempts = []

    @contextlib.contextmanager
    def lock():
        attempts.append(fake.wall)
        if len(attempts) == 2:
            raise LockBusy("another sup-sla-sync pass holds the lock")
        yield

    daemon = Daemon(
        service,  # type: ignore[arg-type]
        60,
        lock,
        clock=fake.now,
        monotonic=fake.monotonic,
    )
    daemon.stop = ClockedStop(fake, at("2025-01-13 10:05"))
    daemon.run()
    assert offsets(service.passes, "2025-01-13 10:03") == [("poll", 0), ("instant", 65)]
    assert len(attempts) == 3
