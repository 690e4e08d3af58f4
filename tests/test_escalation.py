"""Escalation levels (`[escalation]`) and several reminder fractions, as tables.

A VIP request of Monday 2025-01-13 10:00 (normal priority) has its first response due at
12:00; with levels at 120 and 480 working minutes, level 1 is due at 14:00 and level 2 on
Tuesday at 11:00 (18:00 ends Monday's 360 minutes, then 120 more from 09:00).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.decide import decide
from sup_sla_sync.core.model import IssueSnapshot, Journal
from sup_sla_sync.core.rules import Escalation
from sup_sla_sync.core.wakeup import wake_up
from sup_sla_sync.service.sync import SyncService
from test_decide import writes

from factories import (
    AGENT,
    CLIENT,
    LEAD,
    PEOPLE,
    TOOL,
    at,
    issue,
    make_rules,
    make_targets,
    note,
    status,
)
from fake_tracker import FakeTracker

CAL = WorkCalendar()
BOSS, DEPUTY = 40, 41
PEOPLE_ = replace(PEOPLE, logins={**PEOPLE.logins, BOSS: "boss", DEPUTY: "deputy"})
SETTINGS = Settings(
    staff={"groups": ["Support"], "lead": "lead1"},
    escalation={"after_breach_working_minutes": [120, 480], "logins": ["boss", "deputy"]},
    # Three working days to resolve (due Thursday 10:00): the first-response cases stay alone.
    targets={"resolution": {"vip": 1620}},
)
# SETTINGS as the core takes it (the passes below run SETTINGS through SyncService).
RULES = make_rules(
    escalation=Escalation(after_breach_working_minutes=(120, 480), logins=("boss", "deputy")),
    targets=make_targets(resolution_vip=1620),
)


def tool_note(when: str, tag: str) -> Journal:
    return note(when, user=TOOL, text=f"[sla:{tag}] ...", private=True)


BREACHED = tool_note("2025-01-13 12:05", "first_response:breach")
LEVEL_1 = tool_note("2025-01-13 14:00", "first_response:escalation_1")
ESCALATE = ["watcher 40", "watcher 41"]

CASES: list[tuple[str, IssueSnapshot, str, list[str]]] = [
    (
        "breached, before the first level: the breach note only",
        issue("2025-01-13 10:00", BREACHED, level="VIP"),
        "2025-01-13 13:59",
        ["fields"],
    ),
    (
        "the first level passed: one private note, the logins as watchers",
        issue("2025-01-13 10:00", BREACHED, level="VIP"),
        "2025-01-13 14:00",
        ["fields", "note private [sla:first_response:escalation_1]", *ESCALATE],
    ),
    (
        "the first level already posted: nothing more until the second",
        issue("2025-01-13 10:00", BREACHED, LEVEL_1, level="VIP"),
        "2025-01-14 10:59",
        ["fields"],
    ),
    (
        "the second level passed: its note",
        issue("2025-01-13 10:00", BREACHED, LEVEL_1, level="VIP"),
        "2025-01-14 11:00",
        ["fields", "note private [sla:first_response:escalation_2]", *ESCALATE],
    ),
    (
        "both levels passed at once (downtime): the highest only",
        issue("2025-01-13 10:00", BREACHED, level="VIP"),
        "2025-01-14 11:30",
        ["fields", "note private [sla:first_response:escalation_2]", *ESCALATE],
    ),
    (
        "downtime over the breach too: the breach note, then the highest level",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-14 11:30",
        [
            "fields",
            "note private [sla:first_response:breach]",
            "note private [sla:first_response:escalation_2]",
            f"watcher {LEAD}",
            *ESCALATE,
        ],
    ),
    (
        "a level passed at night: nothing until the working day starts",
        issue("2025-01-13 10:00", BREACHED, level="VIP"),
        "2025-01-13 20:00",
        ["fields"],
    ),
    (
        "... and at 09:00 it is posted",
        issue("2025-01-13 10:00", BREACHED, level="VIP"),
        "2025-01-14 09:00",
        ["fields", "note private [sla:first_response:escalation_1]", *ESCALATE],
    ),
    (
        "answered late: the clock stopped, no escalation ever",
        issue("2025-01-13 10:00", BREACHED, note("2025-01-13 13:00"), level="VIP"),
        "2025-01-14 11:30",
        ["fields"],
    ),
    (
        "the resolution clock paused for the client after its breach: no escalation",
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 10:10"),
            tool_note("2025-01-16 10:05", "resolution:breach"),
            status("2025-01-16 10:30", "New", "Feedback"),
            level="VIP",
        ),
        "2025-01-16 16:00",
        ["fields"],
    ),
    (
        "the resolution clock: its own tag (due Thursday 10:00, level 1 at 12:00)",
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 10:10"),
            tool_note("2025-01-16 10:05", "resolution:breach"),
            level="VIP",
        ),
        "2025-01-16 12:00",
        ["fields", "note private [sla:resolution:escalation_1]", *ESCALATE],
    ),
    (
        "the logins already watch: no watcher write",
        replace(issue("2025-01-13 10:00", BREACHED, level="VIP"), watcher_ids=frozenset({40, 41})),
        "2025-01-13 14:00",
        ["fields", "note private [sla:first_response:escalation_1]"],
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "now", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_escalation_levels(snapshot: IssueSnapshot, now: str, expected: list[str]) -> None:
    assert writes(decide(snapshot, RULES, CAL, PEOPLE_, at(now))) == expected


def test_the_note_mentions_the_assignee_and_the_logins_and_names_its_level() -> None:
    snapshot = issue("2025-01-13 10:00", BREACHED, level="VIP", assigned_to=AGENT)
    (note_,) = decide(snapshot, RULES, CAL, PEOPLE_, at("2025-01-13 14:00")).plan.notes
    assert note_.private
    assert re.fullmatch(r"\[sla:[a-z_]+(:[a-z0-9_]+)?\]", note_.text.split(" ", 1)[0])
    assert note_.text == (
        "[sla:first_response:escalation_1] Эскалация, уровень 1: срок первого ответа — "
        "2025-01-13T12:00+05:00, просрочено на 2 ч 0 мин рабочего времени. @agent1 @boss @deputy"
    )
    unassigned = replace(snapshot, assigned_to_id=None)
    (note_,) = decide(unassigned, RULES, CAL, PEOPLE_, at("2025-01-13 14:00")).plan.notes
    assert note_.text.endswith("@lead1 @boss @deputy")


def test_english_text_and_an_unknown_login_is_mentioned_but_never_a_watcher() -> None:
    rules = make_rules(
        language="en",
        escalation=Escalation(after_breach_working_minutes=(120,), logins=("boss", "ghost")),
    )
    snapshot = issue("2025-01-13 10:00", BREACHED, level="VIP")
    decision = decide(snapshot, rules, CAL, PEOPLE_, at("2025-01-13 14:00"))
    (note_,) = decision.plan.notes
    assert note_.text.startswith("[sla:first_response:escalation_1] Escalation, level 1: ")
    assert note_.text.endswith("@agent1 @boss @ghost")
    assert decision.plan.watchers == (BOSS,)


def test_without_levels_nothing_escalates() -> None:
    rules = make_rules()
    snapshot = issue("2025-01-13 10:00", BREACHED, level="VIP")
    assert writes(decide(snapshot, rules, CAL, PEOPLE_, at("2025-01-13 16:00"))) == ["fields"]


# --- passes against the in-memory tracker --------------------------------------------------


class Clock:
    def __init__(self, when: str) -> None:
        self.now = at(when)

    def __call__(self):
        return self.now


def tags_posted(tracker: FakeTracker) -> list[str]:
    return [j.notes.split("]", 1)[0] + "]" for j in tracker.issues[7].journals if j.notes]


def test_each_level_is_posted_once_over_many_passes() -> None:
    clock = Clock("2025-01-13 10:30")
    tracker = FakeTracker(issue("2025-01-13 10:00", level="VIP"), now=clock)
    tracker.people = PEOPLE_
    service = SyncService(SETTINGS, tracker, clock=clock)
    for when in [
        "2025-01-13 12:05",
        "2025-01-13 13:00",
        "2025-01-13 14:01",
        "2025-01-13 14:30",
        "2025-01-13 20:00",
        "2025-01-14 11:01",
        "2025-01-14 16:00",
    ]:
        clock.now = at(when)
        assert service.run_pass().errors == []
    assert tags_posted(tracker) == [
        "[sla:first_response:breach]",
        "[sla:first_response:escalation_1]",
        "[sla:first_response:escalation_2]",
    ]
    assert sorted(set(tracker.watchers_added)) == [(7, LEAD), (7, BOSS), (7, DEPUTY)]


def test_several_reminder_fractions_each_post_their_own_note_in_different_passes() -> None:
    settings = Settings(
        staff={"groups": ["Support"], "lead": "lead1"}, reminders={"at": [0.5, 0.75, 0.9]}
    )
    clock = Clock("2025-01-13 10:30")
    tracker = FakeTracker(issue("2025-01-13 10:00", level="VIP", author=CLIENT), now=clock)
    service = SyncService(settings, tracker, clock=clock)
    # Target 120 min: 50% at 11:00, 75% at 11:30, 90% at 11:48.
    posted = []
    for when in [
        "2025-01-13 10:59",
        "2025-01-13 11:00",
        "2025-01-13 11:10",
        "2025-01-13 11:30",
        "2025-01-13 11:47",
        "2025-01-13 11:48",
        "2025-01-13 11:55",
    ]:
        clock.now = at(when)
        result = service.run_pass()
        posted.append(result.reminders)
    assert posted == [0, 1, 0, 1, 0, 1, 0]
    assert tags_posted(tracker) == [
        "[sla:first_response:50]",
        "[sla:first_response:75]",
        "[sla:first_response:90]",
    ]


def test_an_unchanged_issue_wakes_up_at_its_next_level() -> None:
    snapshot = issue("2025-01-13 10:00", BREACHED, level="VIP")
    view = decide(snapshot, RULES, CAL, PEOPLE_, at("2025-01-13 12:10")).view
    assert wake_up(view, RULES, CAL, at("2025-01-13 12:10")) == at("2025-01-13 14:00")
    later = decide(snapshot, RULES, CAL, PEOPLE_, at("2025-01-13 14:30")).view
    assert wake_up(later, RULES, CAL, at("2025-01-13 14:30")) == at("2025-01-14 11:00")
