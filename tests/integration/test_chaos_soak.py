"""A chaos soak against the real Redmine: a long random storm of network faults changes
nothing the desk sees (SPEC principles: never close wrongly, idempotent, one bad issue never
stops a pass; issue 13, item 3).

The same scenario of 31 issues is built twice, in two fresh projects: CHAOS, whose `sync`
goes through :class:`chaos_proxy.ChaosProxy` (20 % of the requests answered with a 5xx, a
reset before or after forwarding, an answer held beyond the read timeout, a body cut short
or a body that is not JSON), and CALM, whose `sync` talks directly to a Redmine of its own
(`OwnRedmine`, a copy of the session's database: the two desks' passes run at once and
each server handles one request at a time). Both live
through the same timeline of `PASSES` steps, side by side: at each step the people's
scheduled actions are made (client replies, agents asking, resolving, putting on hold),
then one `sync` per project (the two at once), then the whole history of both projects is
moved `STEP` back in Redmine's database. After the last step the faults are switched off
and both projects get passes until one writes nothing.

The scenario (round-the-clock calendar; targets scaled so that every threshold of one
clock is at least ten steps from the next: a note that chaos delays by a few passes is
never skipped by a later level) covers every write of the tool: field stamps and due
dates, reminders, breaches and both escalation levels of both clocks, lead and escalation
watchers, the intake notes (identity, scope, language), a help-centre suggestion, a raised
priority, auto-close warnings and closes, reopens after client replies (one issue twice
waiting), and on-hold issues that a client note does not move.

Asserted on what Redmine holds (REST, as the admin): no tagged note twice on an issue (the
per-wait notes, `reopen`, `auto_close:warning` and `auto_close`, once per waiting period);
no issue closed after its client answered; every issue has the same notes as in CALM; the
final status, priority, SLA fields and due date equal CALM's. A reopen that chaos delayed
by some passes legitimately moves the resolution clock by that delay: for those issues the
resolution due time must differ from CALM's by exactly the reopens' difference in time.

`SOAK_SEED` replays a run (the seed is printed); `SOAK_PASSES` changes the length. `sync`
runs as a subprocess (the real CLI) with the transport's retry backoff scaled down 10x
(0.05 s instead of 0.5 s a first retry; the number and kind of retries are unchanged), so
that 100 passes at 20 % faults stay within minutes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chaos_proxy import ChaosProxy
from slaharness import EN_FIELDS, OwnRedmine, SlaHarness, now_minute

from localredmine import LocalRedmine

REPO = Path(__file__).resolve().parents[2]
# A fixed seed by default, so that CI replays the same storm every time; another seed
# (SOAK_SEED) is how the soak is rerun to look for what this one does not hit.
SEED = int(os.environ.get("SOAK_SEED") or 1)
PASSES = int(os.environ.get("SOAK_PASSES") or 100)
QUIET_PASSES = 8  # at most, after the storm, to reach a pass that writes nothing
FAULT_RATE = 0.2
STEP = timedelta(minutes=10)
MINUTE = timedelta(minutes=1)
TIMEOUT_SECONDS = 2  # the tool's read timeout; a held answer waits longer
HELD_SECONDS = 3
BACKOFF = 0.05  # the transport's first retry delay in the soak (product default 0.5 s)
TAG = re.compile(r"^\[sla:([a-z_]+(?::[a-z0-9_]+)?)\]")
PER_WAIT = frozenset({"reopen", "auto_close", "auto_close:warning"})
# Every kind of note the scenario must make the tool write (checked on CALM).
EXPECTED_TAGS = frozenset(
    {
        "first_response:50",
        "first_response:breach",
        "first_response:escalation_1",
        "first_response:escalation_2",
        "resolution:50",
        "resolution:breach",
        "resolution:escalation_1",
        "resolution:escalation_2",
        "intake:identity",
        "intake:scope",
        "intake:language",
        "faq",
        "priority",
        "reopen",
        "auto_close:warning",
        "auto_close",
    }
)

# `python -c RUNNER BACKOFF ARGS...`: the real CLI, its retry backoff scaled down.
RUNNER = """
import sys
from sup_sla_sync.adapters.redmine import adapter
defaults = adapter.RedmineAdapter.__init__.__kwdefaults__
backoff = float(sys.argv.pop(1))
if defaults and "backoff" in defaults:
    defaults["backoff"] = backoff
from sup_sla_sync.entrypoints.cli import main
main(prog_name="sup-sla-sync")
"""

CONFIG = {
    "calendar": {"mode": "24x7"},
    "classify": {"apply_priority": True},
    "targets": {
        "first_response": {
            "basic_online_assistant": 200,
            "basic_other": 400,
            "vip_online_assistant": 200,
            "vip_normal": 400,
            "vip_urgent": 400,
            "vip_immediate": 400,
        },
        "resolution": {"basic": 700, "vip": 600, "vip_official_letter": 700},
    },
    "reminders": {"at": [0.5]},
    "escalation": {"after_breach_working_minutes": [100, 200], "logins": ["agent1"]},
    "auto_close": {"after_working_hours": 5, "warn_before_working_hours": 2},
    "faq": {"file": str(REPO / "faq.example.toml")},
}


# --------------------------------------------------------------------------- scenario
@dataclass(frozen=True)
class Spec:
    """One issue of the scenario: created `age` minutes before step 0, with `history`
    (minutes after creation, login, add_note/update kwargs)."""

    key: str
    age: int
    subject: str
    description: str = ""
    author: str = "client1"
    fields: dict[str, str] = field(default_factory=dict)
    history: tuple[tuple[int, str, dict[str, Any]], ...] = ()


VIP = {"SLA level": "VIP"}
ANSWER = (10, "agent1", {"notes": "We are looking into it."})
ASK = (10, "agent1", {"notes": "Which document number?", "status": "Feedback"})
HOLD = (20, "agent1", {"notes": "Passed to the developers.", "status": "With development"})


def _scenario() -> list[Spec]:
    specs = [
        # VIP, never answered: both clocks go through reminder, breach, two escalations.
        *(
            Spec(f"vip_silent_{age}", age, f"Signing fails ({age})", fields=VIP)
            for age in (50, 100, 150, 200, 250, 300)
        ),
        Spec(
            "vip_letter",
            100,
            "Official letter about the archive",
            fields={**VIP, "Channel": "Official letter"},
        ),
        # Basic, never answered: intake notes, and both clocks' notes.
        Spec("basic_scope", 60, "Office installation", "Could you install Office for us remotely?"),
        Spec("basic_scope2", 100, "Printer driver", "How do I install the printer driver?"),
        Spec("basic_rude", 140, "Nothing works", "Your portal is useless, idiots."),
        Spec("basic_rude2", 180, "Again", "What a moronic system, it lost my document."),
        Spec("basic_faq", 220, "Counterparty", "How do I add a counterparty to my account?"),
        Spec(
            "basic_urgent",
            260,
            "Urgent: the contract does not sign",
            "Urgent, please: the signature fails.",
        ),
        Spec("basic_plain", 300, "Question about the archive", "Where is my archive?"),
        Spec(
            "basic_online", 100, "Chat question", "Hello?", fields={"Channel": "Online assistant"}
        ),
        # VIP, answered at once: the resolution clock's notes.
        *(
            Spec(f"vip_answered_{age}", age, f"Report ({age})", fields=VIP, history=(ANSWER,))
            for age in (100, 200, 300)
        ),
        Spec("vip_resolved", 100, "Quick one", fields=VIP, history=(ANSWER,)),
        # Waiting for the client: warned, then closed.
        Spec("wait_close_60", 70, "Which certificate?", history=(ASK,)),
        Spec("wait_close_30", 40, "Which browser?", history=(ASK,)),
        *(
            Spec(f"wait_close_at_{k}", 20, f"Login problem ({k})", history=((5, *ANSWER[1:]),))
            for k in (10, 30, 45)
        ),
        # Waiting, and the client answers: reopened (never closed).
        Spec("reply_early", 70, "Document 1", history=(ASK,)),
        Spec("reply_after_warning", 100, "Document 2", history=(ASK,)),
        Spec("reply_twice", 40, "Document 3", history=(ASK,)),
        Spec("two_waits", 70, "Document 4", history=(ASK,)),
        # On hold with development: paused, never closed, a client note moves nothing.
        Spec("hold_vip", 100, "Bug in the editor", fields=VIP, history=(HOLD,)),
        Spec("hold_basic", 100, "Bug in the archive", history=(HOLD,)),
        Spec("hold_resumed", 100, "Bug in the search", history=(HOLD,)),
    ]
    assert len({s.key for s in specs}) == len(specs) >= 30
    return specs


@dataclass(frozen=True)
class Event:
    """A person's action at a step, on one issue (in both projects); `before`: the
    status the issue must have then (else the timeline itself went wrong)."""

    key: str
    login: str
    change: dict[str, Any]
    before: str | None = None


def _say(text: str) -> dict[str, Any]:
    return {"notes": text}


def _events() -> dict[int, list[Event]]:
    feedback = {"notes": "Please send a screenshot.", "status": "Feedback"}
    resolved = {"notes": "Fixed on our side.", "status": "Resolved"}
    events = {
        3: [
            Event("reply_early", "client1", _say("The number is 42."), "Feedback"),
            Event("two_waits", "client1", _say("The number is 43."), "Feedback"),
        ],
        6: [Event("reply_twice", "client1", _say("The number is 44."), "Feedback")],
        7: [Event("reply_twice", "client1", _say("Sorry, it is 45."))],
        10: [
            Event("wait_close_at_10", "agent1", feedback, "New"),
            Event("vip_resolved", "agent1", resolved, "New"),
        ],
        19: [Event("reply_after_warning", "client1", _say("Here it is: 46."), "Feedback")],
        20: [Event("hold_vip", "client1", _say("Any news?"), "With development")],
        25: [Event("two_waits", "agent1", feedback, "In Progress")],
        30: [
            Event("wait_close_at_30", "agent1", feedback, "New"),
            Event("hold_basic", "client1", _say("Any news?"), "With development"),
            Event("reply_early", "agent1", resolved, "In Progress"),
            Event("reply_twice", "agent1", resolved, "In Progress"),
        ],
        40: [Event("reply_after_warning", "agent1", resolved, "In Progress")],
        45: [Event("wait_close_at_45", "agent1", feedback, "New")],
        75: [
            Event(
                "hold_resumed",
                "agent1",
                {"notes": "Back from development.", "status": "In Progress"},
                "With development",
            )
        ],
        80: [Event("vip_answered_300", "agent1", resolved, "New")],
    }
    return {step: evs for step, evs in events.items() if step < PASSES}


# --------------------------------------------------------------------------- one desk
@dataclass
class Desk:
    """One project of the scenario, its configuration, and what its passes did."""

    name: str
    sla: SlaHarness  # its own Redmine: the two desks' passes do not queue at one server
    project: str
    config: Path
    ids: dict[str, int]
    exits: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # tracebacks, odd exit codes
    errors: int = 0
    seconds: float = 0.0  # spent in `sync`

    @property
    def key_of(self) -> dict[int, str]:
        return {i: k for k, i in self.ids.items()}


def _build(sla: SlaHarness, name: str, base: datetime, url: str) -> Desk:
    project = sla.new_project()
    ids = {}
    for spec in _scenario():
        created = base - spec.age * MINUTE
        history = [(created + m * MINUTE, login, kw) for m, login, kw in spec.history]
        ids[spec.key] = sla.create(
            spec.author,
            spec.subject,
            created,
            description=spec.description,
            project=project,
            custom_fields=spec.fields or None,
            journals=history,
        )
    with sla.rm.db() as conn:  # no start date: a due date is never refused for being before it
        conn.execute(
            f"UPDATE issues SET start_date = NULL WHERE id IN ({','.join('?' * len(ids))})",
            list(ids.values()),
        )
    overrides = {**CONFIG, "redmine": {"url": url, "timeout_seconds": TIMEOUT_SECONDS}}
    config = sla.config([project], overrides=overrides, name=f"{name}.toml")
    return Desk(name, sla, project, config, ids)


def _sync(desk: Desk) -> dict[str, Any] | None:
    """One `sync --format json` of the desk; its summary (None when the pass failed as a
    whole). Exit 0, 1 (some issues failed) and 3 (tracker unreachable) are expected."""
    sla = desk.sla
    argv = [sys.executable, "-c", RUNNER, str(BACKOFF), *sla.argv(desk.config, "sync")]
    argv += ["--format", "json"]
    began = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=sla.env(),
            cwd=sla.tmp_path,
            timeout=180,
            check=False,
        )
    except subprocess.TimeoutExpired:
        desk.problems.append(f"{desk.name}: sync did not end within 180 s")
        return None
    finally:
        desk.seconds += time.monotonic() - began
    desk.exits[proc.returncode] += 1
    sla.assert_no_secret(proc.stdout + proc.stderr)
    if "Traceback" in proc.stderr or proc.returncode not in (0, 1, 3):
        desk.problems.append(f"{desk.name}: exit {proc.returncode}\n{proc.stderr[-4000:]}")
    if not proc.stdout.strip():
        return None
    try:
        summary = sla_json(proc.stdout)
    except ValueError:
        desk.problems.append(f"{desk.name}: stdout is not JSON: {proc.stdout[-2000:]}")
        return None
    desk.errors += len(summary.get("errors", []))
    return summary


def sla_json(text: str) -> dict[str, Any]:
    import json

    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def _shift(desk: Desk, delta: timedelta) -> None:
    """Move the desk's issues' creation, close and every journal `delta` into the past, in
    one transaction; updated_on becomes now (as a change would make it)."""
    rm = desk.sla.rm
    ids = list(desk.ids.values())
    marks = ",".join("?" * len(ids))
    now = rm.db_time(datetime.now(UTC))

    def back(value: str | None) -> str | None:
        return None if value is None else rm.db_time(rm.parse_db_time(value) - delta)

    with rm.db() as conn:
        issues = conn.execute(
            f"SELECT id, created_on, closed_on FROM issues WHERE id IN ({marks})", ids
        ).fetchall()
        journals = conn.execute(
            "SELECT id, created_on FROM journals WHERE journalized_type = 'Issue' "
            f"AND journalized_id IN ({marks})",
            ids,
        ).fetchall()
        conn.executemany(
            "UPDATE issues SET created_on = ?, closed_on = ?, updated_on = ? WHERE id = ?",
            [(back(c), back(cl), now, i) for i, c, cl in issues],
        )
        conn.executemany(
            "UPDATE journals SET created_on = ? WHERE id = ?",
            [(back(c), j) for j, c in journals],
        )


def _act(desk: Desk, events: list[Event], step: int) -> None:
    rm = desk.sla.rm
    for event in events:
        issue_id = desk.ids[event.key]
        status = rm.issue(issue_id)["status"]["name"]
        assert event.before is None or status == event.before, (
            f"seed {SEED}, step {step}, {desk.name} #{issue_id} ({event.key}): status "
            f"{status!r}, the timeline expects {event.before!r} before {event.change}"
        )
        rm.add_note(event.login, issue_id, **event.change)


# --------------------------------------------------------------------------- reading back
@dataclass
class Outcome:
    """What Redmine holds of one issue at the end."""

    fields: dict[str, Any]
    watchers: frozenset[int]
    tags: Counter[str]  # every tag on the issue
    waits: list[Counter[str]]  # per-wait tags, by waiting period (0: before any wait)
    reopens: list[datetime]  # the tool's reopen notes, in order
    closed_after_reply: bool
    journals: list[dict[str, Any]]


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _outcome(sla: SlaHarness, issue_id: int) -> Outcome:
    rm = sla.rm
    issue = rm.issue(issue_id)
    fields = {key: rm.custom_field_value(issue, name) for key, name in EN_FIELDS.items()}
    fields.update(
        status=issue["status"]["name"],
        priority=issue["priority"]["name"],
        due_date=issue.get("due_date"),
    )
    journals = issue.get("journals", [])
    feedback = str(rm.status_id("Feedback"))
    closed = {str(rm.status_id("Closed"))}
    bot = rm.user_id("sla-bot")
    staff = {rm.user_id("agent1"), rm.user_id("lead1"), bot}
    tags: Counter[str] = Counter()
    waits: list[Counter[str]] = [Counter()]
    reopens = []
    closed_after_reply = False
    replied = False  # a client note since the issue last entered Feedback
    for journal in journals:
        new_status = next(
            (d["new_value"] for d in journal.get("details", []) if d["name"] == "status_id"),
            None,
        )
        notes = journal.get("notes") or ""
        match = TAG.match(notes)
        if match and journal["user"]["id"] == bot:
            tag = match[1]
            tags[tag] += 1
            if tag in PER_WAIT:
                waits[-1][tag] += 1
            if tag == "reopen":
                reopens.append(_utc(journal["created_on"]))
        elif notes.strip() and journal["user"]["id"] not in staff:
            replied = True
        if new_status == feedback and not (match and journal["user"]["id"] == bot):
            waits.append(Counter())  # a person asked the client: a new waiting period
            replied = False
        if new_status in closed and replied:
            closed_after_reply = True
    watchers = frozenset(w["id"] for w in issue.get("watchers", []))
    return Outcome(fields, watchers, tags, waits, reopens, closed_after_reply, journals)


def _minutes(due: str | None) -> float | None:
    """A due field as minutes: a time (minutes since the epoch) or `paused, N min left`
    (minus N: pausing later leaves more minutes, as a later due time)."""
    if not due:
        return None
    paused = re.fullmatch(r"paused, (\d+) min left", due)
    if paused:
        return -float(paused[1])
    return datetime.fromisoformat(due).timestamp() / 60


# --------------------------------------------------------------------------- the soak
@pytest.fixture
def calm_server(local_redmine: LocalRedmine, tmp_path: Path) -> Iterator[SlaHarness]:
    """A Redmine of the calm desk's own (a copy of the session's database): each desk's
    passes have a server to themselves, as the calm desk's pace must not depend on the
    chaos desk's."""
    server = OwnRedmine(local_redmine, tmp_path / "calm-redmine")
    server.start()
    (tmp_path / "calm").mkdir()
    try:
        yield SlaHarness(server.rm, tmp_path / "calm")
    finally:
        server.stop()


def test_chaos_soak_changes_nothing_the_desk_sees(sla: SlaHarness, calm_server: SlaHarness) -> None:
    print(f"\nchaos soak: seed {SEED} (SOAK_SEED={SEED} replays it), {PASSES} passes")
    started = time.monotonic()
    base = now_minute()
    with ChaosProxy(
        sla.rm.url, seed=SEED, fault_rate=FAULT_RATE, delay_seconds=HELD_SECONDS
    ) as proxy:
        chaos = _build(sla, "chaos", base, proxy.url)
        calm = _build(calm_server, "calm", base, calm_server.rm.url)
        desks = (chaos, calm)
        shift = now_minute() - base  # the building took some minutes of real time
        if shift:
            for desk in desks:
                _shift(desk, -shift)  # (forward: step 0 starts as planned)
        built = time.monotonic()
        events = _events()
        with ThreadPoolExecutor(2) as pool:

            def both(run: Callable[[Desk], Any]) -> list[Any]:
                return list(pool.map(run, desks))

            for step in range(PASSES):
                for desk in desks:
                    _act(desk, events.get(step, []), step)
                both(_sync)
                proxy.wait_idle()
                for desk in desks:
                    _shift(desk, STEP)
                if step % 10 == 9:
                    print(
                        f"  step {step + 1}: {time.monotonic() - built:.0f} s, "
                        f"{proxy.requests} requests, {proxy.faults} faults, "
                        f"chaos exits {dict(chaos.exits)}, sync seconds: chaos "
                        f"{chaos.seconds:.0f}, calm {calm.seconds:.0f}"
                    )
            stormed = time.monotonic()
            storm_requests, storm_faults = proxy.requests, proxy.fault_counts()
            proxy.faulty(False)
            quiet = {desk.name: False for desk in desks}
            settled = 0
            while settled < QUIET_PASSES and not all(quiet.values()):
                settled += 1
                summaries = both(_sync)
                for desk, summary in zip(desks, summaries, strict=True):
                    quiet[desk.name] = bool(
                        summary and summary["updated"] == 0 and summary["errors"] == []
                    )
        problems = [p for desk in desks for p in desk.problems]
        print(
            f"chaos soak: seed {SEED}: {PASSES} passes in {stormed - built:.0f} s "
            f"(building {built - started:.0f} s), quiet after {settled} more; "
            f"{storm_requests} requests through the proxy, faults "
            f"{sum(storm_faults.values())} {storm_faults}; chaos exits {dict(chaos.exits)}, "
            f"{chaos.errors} issue errors; calm exits {dict(calm.exits)}"
        )
    assert not problems, f"seed {SEED}:\n" + "\n\n".join(problems[:5])
    assert all(quiet.values()), f"seed {SEED}: no quiet pass after the storm: {quiet}"
    assert sum(storm_faults.values()) >= 0.15 * storm_requests, storm_faults
    assert calm.errors == 0 and set(calm.exits) == {0}, (calm.exits, calm.errors)

    failures = _compare(chaos, calm)
    print(f"chaos soak: done in {time.monotonic() - started:.0f} s")
    assert not failures, f"seed {SEED} (SOAK_SEED={SEED} replays it):\n" + "\n".join(failures)


def _compare(chaos: Desk, calm: Desk) -> list[str]:
    failures: list[str] = []
    seen_tags: set[str] = set()
    for key, calm_id in calm.ids.items():
        chaos_id = chaos.ids[key]
        got, want = _outcome(chaos.sla, chaos_id), _outcome(calm.sla, calm_id)
        seen_tags |= set(want.tags)
        where = f"{key} (chaos #{chaos_id}, calm #{calm_id})"
        for desk, outcome, issue_id in (("chaos", got, chaos_id), ("calm", want, calm_id)):
            for tag in outcome.tags:
                if tag not in PER_WAIT and outcome.tags[tag] > 1:
                    failures.append(
                        f"{where}: {desk} #{issue_id} has [sla:{tag}] x{outcome.tags[tag]}"
                    )
            for n, wait in enumerate(outcome.waits):
                for tag, count in wait.items():
                    if count > 1:
                        failures.append(
                            f"{where}: {desk} #{issue_id} has [sla:{tag}] x{count} in wait {n}"
                        )
            if outcome.closed_after_reply:
                failures.append(f"{where}: {desk} #{issue_id} closed after the client answered")
        if got.tags != want.tags:
            failures.append(f"{where}: notes {dict(got.tags)} != calm {dict(want.tags)}")
        if [sorted(w.elements()) for w in got.waits] != [sorted(w.elements()) for w in want.waits]:
            failures.append(f"{where}: per wait {got.waits} != calm {want.waits}")
        if got.watchers != want.watchers:
            failures.append(f"{where}: watchers {set(got.watchers)} != calm {set(want.watchers)}")
        same = ("status", "priority", "sla_state", "category", "first_response_due")
        for name in (*same, "service_level", "channel"):
            if got.fields[name] != want.fields[name]:
                failures.append(
                    f"{where}: {name} {got.fields[name]!r} != calm {want.fields[name]!r}"
                )
        failures += _compare_resolution(where, got, want)
    missing = EXPECTED_TAGS - seen_tags
    if missing:
        failures.append(f"the scenario no longer makes the tool write {sorted(missing)}")
    return failures


def _compare_resolution(where: str, got: Outcome, want: Outcome) -> list[str]:
    """The resolution due time and due date equal CALM's; for a reopened issue, later by
    the delay of its reopen (the clock was paused that much longer), to the minute."""
    mine, theirs = got.fields["resolution_due"], want.fields["resolution_due"]
    if len(got.reopens) != len(want.reopens):
        return [f"{where}: {len(got.reopens)} reopens != calm {len(want.reopens)}"]
    delay = sum(
        ((a - b).total_seconds() / 60 for a, b in zip(got.reopens, want.reopens, strict=True)),
        0.0,
    )
    if not got.reopens:
        problems = []
        if mine != theirs:
            problems.append(f"{where}: resolution_due {mine!r} != calm {theirs!r}")
        if got.fields["due_date"] != want.fields["due_date"]:
            problems.append(
                f"{where}: due_date {got.fields['due_date']!r} != calm {want.fields['due_date']!r}"
            )
        return problems
    a, b = _minutes(mine), _minutes(theirs)
    if a is None or b is None or (a < 0) != (b < 0) or abs(a - b - delay) > 1.5:
        return [
            f"{where}: resolution_due {mine!r} vs calm {theirs!r}: the reopen came "
            f"{delay:.1f} min later, the due time moved {None if a is None or b is None else a - b}"
        ]
    if a >= 0 and got.fields["due_date"] != mine[:10]:
        return [f"{where}: due_date {got.fields['due_date']!r}, resolution due {mine!r}"]
    return []
