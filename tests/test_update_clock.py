"""The update clock (`[targets.update]`, SPEC.md "Update"): while the resolution clock runs,
a public staff note is due within the target after the previous one (the first response
is the first). Off by default.

VIP normal requests with `vip = 240`, reminders at 0.75: created Monday 2025-01-13 09:00,
answered publicly at 10:00 (the first response; the issue goes In Progress with it), so
the first interval's reminder is at 13:00 (180 min) and its due time 14:00 (240 min).
Resolution: 540 min from 09:00, due Monday 18:00; its reminder at 15:45.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from sup_sla_sync.config import Settings
from sup_sla_sync.config_rules import rules_from
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import evaluate
from sup_sla_sync.core.decide import decide
from sup_sla_sync.core.model import Channel, IssueSnapshot, Journal, Priority, ServiceLevel
from sup_sla_sync.core.notekinds import counter_of, event_of, is_clock_tag
from sup_sla_sync.core.report import report_figures
from sup_sla_sync.core.wakeup import wake_up
from sup_sla_sync.entrypoints.render.explain import explain_json, explain_lines
from sup_sla_sync.entrypoints.render.report import report_csv, report_html, report_table

from factories import (
    AGENT,
    CLIENT,
    PEOPLE,
    TOOL,
    at,
    issue,
    make_policy,
    make_rules,
    make_targets,
    note,
    status,
)

CAL = WorkCalendar()
RULES = make_rules(targets=make_targets(update_vip=240))
OFF = make_rules()
IDENTIFIED = "Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд»."


def answer(when: str, text: str = "We are on it") -> Journal:
    """A public staff note that also moves New to In Progress (the first answer)."""
    return status(when, "New", "In Progress", text=text)


def tool(when: str, tag: str) -> Journal:
    return note(when, TOOL, f"[sla:{tag}] ...", private=True)


def vip(*journals: Journal, created: str = "2025-01-13 09:00") -> IssueSnapshot:
    return issue(created, *journals, level="VIP", description=IDENTIFIED)


def update_tags(snapshot: IssueSnapshot, now: str, rules=RULES) -> list[str]:
    decision = decide(snapshot, rules, CAL, PEOPLE, at(now))
    return [n.tag for n in decision.plan.notes if n.tag.startswith("update:")]


ANSWERED = (answer("2025-01-13 10:00"),)

# (name, journals after creation, now, the update notes a pass writes)
CASES: list[tuple[str, tuple[Journal, ...], str, list[str]]] = [
    ("before its reminder: nothing", ANSWERED, "2025-01-13 12:59", []),
    ("reminder at 75% of the interval", ANSWERED, "2025-01-13 13:00", ["update:75"]),
    (
        "the reminder once",
        (*ANSWERED, tool("2025-01-13 13:00", "update:75")),
        "2025-01-13 13:30",
        [],
    ),
    (
        "due 14:00: not breached within the minute it shows",
        (*ANSWERED, tool("2025-01-13 13:00", "update:75")),
        "2025-01-13 14:00:59",
        [],
    ),
    (
        "breach at 100%, in the next minute",
        (*ANSWERED, tool("2025-01-13 13:00", "update:75")),
        "2025-01-13 14:01",
        ["update:breach"],
    ),
    (
        "breach once per interval",
        (
            *ANSWERED,
            tool("2025-01-13 13:00", "update:75"),
            tool("2025-01-13 14:01", "update:breach"),
        ),
        "2025-01-13 16:00",
        [],
    ),
    (
        "a public staff note restarts the interval (13:30 + 240 = 17:30)",
        (*ANSWERED, note("2025-01-13 13:30")),
        "2025-01-13 14:01",
        [],
    ),
    (
        "an earlier interval's tags do not stand for the next one's",
        (
            *ANSWERED,
            tool("2025-01-13 13:00", "update:75"),
            tool("2025-01-13 14:01", "update:breach"),
            note("2025-01-13 15:00"),  # next interval: 180 min at Tuesday 09:00
        ),
        "2025-01-14 09:00",
        ["update:75"],
    ),
    (
        "a private staff note does not restart it",
        (*ANSWERED, note("2025-01-13 11:00", private=True)),
        "2025-01-13 14:01",
        ["update:breach"],
    ),
    (
        "a client note does not restart it",
        (*ANSWERED, note("2025-01-13 11:00", CLIENT, "Any news?")),
        "2025-01-13 14:01",
        ["update:breach"],
    ),
    (
        "the tool's public notes do not restart it",
        (*ANSWERED, note("2025-01-13 11:00", TOOL, "[sla:faq] articles")),
        "2025-01-13 14:01",
        ["update:breach"],
    ),
    (
        "a tag in an agent's note is plain text (principle 8)",
        (*ANSWERED, note("2025-01-13 14:00:30", AGENT, "[sla:update:breach]", private=True)),
        "2025-01-13 14:01",
        ["update:breach"],
    ),
    (
        "before the first response it does not run (the first response covers it)",
        (),
        "2025-01-13 17:00",
        [],
    ),
    (
        "paused while awaiting the client: no note, however long",
        (*ANSWERED, status("2025-01-13 11:00", "In Progress", "Feedback")),
        "2025-01-14 17:00",
        [],
    ),
    (
        "paused keeps the time used: 60 min before, back at Tue 10:00, 75% at Tue 12:00",
        (
            *ANSWERED,
            status("2025-01-13 11:00", "In Progress", "Feedback"),
            note("2025-01-14 10:00", CLIENT, "Here it is"),
            status("2025-01-14 10:00", "Feedback", "In Progress", user=AGENT),
        ),
        "2025-01-14 12:00",
        ["update:75"],
    ),
    (
        "... and not a minute before",
        (
            *ANSWERED,
            status("2025-01-13 11:00", "In Progress", "Feedback"),
            note("2025-01-14 10:00", CLIENT, "Here it is"),
            status("2025-01-14 10:00", "Feedback", "In Progress", user=AGENT),
        ),
        "2025-01-14 11:59",
        [],
    ),
    (
        "stopped when resolved",
        (*ANSWERED, status("2025-01-13 12:00", "In Progress", "Resolved")),
        "2025-01-13 16:00",
        [],
    ),
    (
        "found at night: nothing (it waits for 09:00)",
        (*ANSWERED, tool("2025-01-13 13:00", "update:75")),
        "2025-01-13 21:00",
        [],
    ),
    (
        "... announced at 09:00",
        (*ANSWERED, tool("2025-01-13 13:00", "update:75")),
        "2025-01-14 09:00",
        ["update:breach"],
    ),
]


@pytest.mark.parametrize(
    ("journals", "now", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_update_notes(journals: tuple[Journal, ...], now: str, expected: list[str]) -> None:
    assert update_tags(vip(*journals), now) == expected


def test_off_by_default_nothing() -> None:
    late = vip(*ANSWERED)
    view = evaluate(late, CAL, OFF, PEOPLE, at("2025-01-13 17:00"))
    assert view.update is None and view.update_intervals == ()
    assert update_tags(late, "2025-01-13 17:00", OFF) == []
    assert explain_json(view, [])["update"] is None
    assert not any("update" in line for line in explain_lines(view, []))
    # A level left out (basic here) has no update clock either.
    basic = issue("2025-01-13 09:00", answer("2025-01-13 10:00"), description=IDENTIFIED)
    assert evaluate(basic, CAL, RULES, PEOPLE, at("2025-01-13 17:00")).update is None


def test_the_notes_mention_like_the_other_clocks() -> None:
    decision = decide(vip(*ANSWERED), RULES, CAL, PEOPLE, at("2025-01-13 13:00"))
    (reminder,) = decision.plan.notes
    assert reminder.private
    assert reminder.text.startswith("[sla:update:75] ")
    assert "срок очередного ответа клиенту — 2025-01-13T14:00+05:00" in reminder.text
    assert "@agent1" in reminder.text and "@lead1" not in reminder.text
    decision = decide(vip(*ANSWERED), RULES, CAL, PEOPLE, at("2025-01-13 14:01"))
    (breach,) = decision.plan.notes
    assert breach.private and breach.text.startswith("[sla:update:breach] ")
    assert "@agent1" in breach.text and "@lead1" in breach.text
    assert decision.plan.watchers == (PEOPLE.lead_id,)


def test_a_breach_found_at_night_waits_and_the_daemon_wakes_at_nine() -> None:
    snapshot = vip(*ANSWERED, tool("2025-01-13 13:00", "update:75"))
    decision = decide(snapshot, RULES, CAL, PEOPLE, at("2025-01-13 21:00"))
    assert "waits for working hours: update breach at 2025-01-14T09:00+05:00" in decision.waits
    assert decision.wake_at == at("2025-01-14 09:00")


@pytest.mark.parametrize(
    ("journals", "now", "wake"),
    [
        # The update reminder (13:00) comes before the resolution's (15:45).
        (ANSWERED, "2025-01-13 10:30", "2025-01-13 13:00"),
        # After its reminder: the breach, in the minute after the due time.
        (
            (*ANSWERED, tool("2025-01-13 13:00", "update:75")),
            "2025-01-13 13:10",
            "2025-01-13 14:01",
        ),
    ],
)
def test_wake_up_includes_the_update_instants(
    journals: tuple[Journal, ...], now: str, wake: str
) -> None:
    view = evaluate(vip(*journals), CAL, RULES, PEOPLE, at(now))
    assert wake_up(view, RULES, CAL, at(now)) == at(wake)
    # Off: the resolution's reminder (15:45) is the next instant.
    off = evaluate(vip(*journals), CAL, OFF, PEOPLE, at(now))
    assert wake_up(off, OFF, CAL, at(now)) == at("2025-01-13 15:45")


def test_it_never_makes_sla_state_breached() -> None:
    snapshot = vip(*ANSWERED, tool("2025-01-13 14:01", "update:breach"))
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-13 14:30"))
    assert view.update is not None and view.update.breached
    assert view.state.value == "on_track"  # resolution 330 of 540, first response met
    assert [c.name.value for c in view.clocks if c.breached] == []
    fields = decide(snapshot, RULES, CAL, PEOPLE, at("2025-01-13 14:30")).plan.fields
    assert fields.get("SLA state") in (None, "on_track")


def test_explain_shows_the_update_clock() -> None:
    snapshot = vip(*ANSWERED, tool("2025-01-13 13:00", "update:75"))
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-13 13:30"))
    lines = explain_lines(view, [])
    assert (
        "  update: due 2025-01-13T14:00+05:00; 210 of 240 working min used since the public "
        "note of 2025-01-13T10:00+05:00; at_risk"
    ) in lines
    assert explain_json(view, [])["update"] == {
        "target_minutes": 240,
        "since": "2025-01-13T10:00+05:00",
        "due": "2025-01-13T14:00+05:00",
        "used_minutes": 210,
        "paused": False,
        "state": "at_risk",
        "intervals": 1,
    }
    # Paused: the minutes left; not started: says why.
    waiting = vip(*ANSWERED, status("2025-01-13 11:00", "In Progress", "Feedback"))
    view = evaluate(waiting, CAL, RULES, PEOPLE, at("2025-01-13 15:00"))
    assert any(
        line.startswith("  update: due paused, 180 min left; 60 of 240") and "; paused" in line
        for line in explain_lines(view, [])
    )
    view = evaluate(vip(), CAL, RULES, PEOPLE, at("2025-01-13 09:30"))
    assert explain_json(view, [])["update"]["state"] == "not_started"
    assert any("not started (the first response covers it)" in x for x in explain_lines(view, []))


def test_report_counts_updates_on_time() -> None:
    # #1: 10:00 -> 13:00 on time (180), 13:00 -> 17:30 late (270), 17:30 -> open (210 min
    # at Tuesday 12:00: undecided). #2: 10:00 -> Tue 11:00 (600 working min): late; its
    # open interval since then is undecided. 1 on time of 3 decided: 33.3%.
    one = vip(
        answer("2025-01-13 10:00"),
        note("2025-01-13 13:00"),
        note("2025-01-13 17:30"),
    )
    two = replace(vip(answer("2025-01-13 10:00"), note("2025-01-14 11:00")), id=8)
    now = at("2025-01-14 12:00")
    views = [evaluate(i, CAL, RULES, PEOPLE, now) for i in (one, two)]
    assert [[i.on_time for i in v.update_intervals if i.decided] for v in views] == [
        [True, False],
        [False],
    ]
    assert RULES.update_clock and not OFF.update_clock
    report = report_figures(views, one.created_on.date(), now.date(), CAL.zone, now, updates=True)
    assert report.all["update_on_time_pct"] == 33.3
    assert [g["update_on_time_pct"] for g in report.document()["groups"]] == [33.3]
    assert report_csv(report).splitlines()[1].endswith(",33.3")
    assert any(line.rstrip().endswith("33.3%") for line in report_table(report, "en"))
    html = report_html(report, lambda n: f"https://sup.example/issues/{n}", "kk")
    assert "жұмыс барысындағы жауаптар мерзімінде" in html and "33,3\u00a0%" in html
    # Off: an empty figure, shown as "n/a".
    off = [evaluate(i, CAL, OFF, PEOPLE, now) for i in (one, two)]
    report = report_figures(off, one.created_on.date(), now.date(), CAL.zone, now, updates=True)
    assert report.all["update_on_time_pct"] is None
    assert any(line.rstrip().endswith("н/д") for line in report_table(report, "ru"))
    # A desk without the update clock sees the report as before: no such figure anywhere.
    report = report_figures(off, one.created_on.date(), now.date(), CAL.zone, now)
    assert "update_on_time_pct" not in report.all
    assert all("update_on_time_pct" not in g for g in report.document()["groups"])
    assert "update_on_time_pct" not in report_csv(report).splitlines()[0]
    html = report_html(report, lambda n: f"https://sup.example/issues/{n}", "kk")
    assert "жұмыс барысындағы жауаптар мерзімінде" not in html


def test_config_translates_update_targets_and_policies_override_them() -> None:
    assert rules_from(Settings()).targets == make_targets()  # off: None for both levels
    settings = Settings(
        targets={"update": {"vip": 240}},
        policies=[{"name": "bank", "projects": ["bank"], "targets": {"update": {"vip": 60}}}],
    )
    rules = rules_from(settings)
    assert (rules.targets.update_vip, rules.targets.update_basic) == (240, None)
    assert rules.policies[0].targets.update_vip == 60
    assert rules.policies[0].targets == make_policy("x", update_vip=60).targets
    vip_normal = (ServiceLevel.VIP, Channel.OTHER, Priority.NORMAL)
    assert make_targets(update_vip=240).targets(*vip_normal).update == 240
    assert make_targets().targets(*vip_normal).update is None


def test_the_update_notes_are_registered_note_kinds() -> None:
    assert counter_of("update:75") == "reminders" and is_clock_tag("update:75")
    assert counter_of("update:breach") == "breaches" and event_of("update:breach") == "breach"
