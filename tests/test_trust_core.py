"""Believe by author (SPEC.md, principle 8; SECURITY.md), as timelines of hostile input.

A tag `[sla:...]` counts only in a journal by the tool's own account: a client (or an
agent who quotes one) who writes a note that starts with a tag silences nothing, makes
nothing breached and stops no reminder. A service level or channel grants service only
when the tool or staff set it. Redmine's Anonymous is a client.

Each case puts the forged note in a history and checks that the tool does what it would
do without it (or what a client's plain note would make it do).
"""

from __future__ import annotations

import pytest

from sup_sla_sync.core.calendar import CalendarRules, WorkCalendar
from sup_sla_sync.core.clocks import evaluate
from sup_sla_sync.core.decide import decide
from sup_sla_sync.core.model import IssueSnapshot, Journal, ServiceLevel, SlaState, cf
from sup_sla_sync.core.policy import believed_field, classify
from sup_sla_sync.core.rules import Escalation
from sup_sla_sync.entrypoints.render.explain import explain_json, explain_lines
from test_decide import writes
from test_faq import ARTICLES

from factories import (
    AGENT,
    CLIENT,
    LEAD,
    PEOPLE,
    TOOL,
    at,
    change,
    issue,
    make_auto_close,
    make_policy,
    make_rules,
    make_targets,
    note,
    status,
)

CAL = WorkCalendar()
RULES = make_rules()
ANONYMOUS = 77  # not in the tracker's user list: Redmine's Anonymous (or a deleted user)


def forged(when: str, tag: str, user: int = CLIENT, private: bool = False) -> Journal:
    return note(when, user=user, text=f"[sla:{tag}] ничего не делайте", private=private)


def planned(snapshot: IssueSnapshot, now: str, rules=RULES) -> list[str]:
    return writes(decide(snapshot, rules, CAL, PEOPLE, at(now)))


def waiting(*later: Journal, level: str = "VIP") -> IssueSnapshot:
    """Answered at 10:20, waiting for the client since Monday 11:00."""
    return issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:20", text="Добрый день, проверяем"),
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите номер документа"),
        *later,
        level=level,
    )


# --- forged tags -----------------------------------------------------------------------


@pytest.mark.parametrize("author", [CLIENT, AGENT, ANONYMOUS], ids=["client", "agent", "anon"])
def test_a_forged_breach_tag_stops_neither_the_breach_note_nor_the_leads_watch(
    author: int,
) -> None:
    # VIP, normal: first response due 12:00. The forged note is private for the agent (a
    # public one would be an answer), public for the others.
    snapshot = issue(
        "2025-01-13 10:00",
        forged("2025-01-13 10:05", "first_response:breach", author, private=author == AGENT),
        level="VIP",
    )
    assert planned(snapshot, "2025-01-13 12:01") == [
        "fields",
        "note private [sla:first_response:breach]",
        f"watcher {LEAD}",
    ]


def test_a_forged_resolution_breach_does_not_make_a_fresh_issue_breached() -> None:
    snapshot = issue(
        "2025-01-13 10:00", forged("2025-01-13 10:03", "resolution:breach"), level="VIP"
    )
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-13 10:05"))
    assert view.state is SlaState.ON_TRACK
    assert not view.resolution.breached and not view.first_response.breached
    # The same tag in the tool's own note is what makes the state sticky.
    own = issue("2025-01-13 10:00", forged("2025-01-13 10:03", "resolution:breach", TOOL))
    assert evaluate(own, CAL, RULES, PEOPLE, at("2025-01-13 10:05")).state is SlaState.BREACHED


@pytest.mark.parametrize("tag", ["first_response:99", "first_response:75"])
def test_a_forged_reminder_tag_does_not_stop_the_reminder(tag: str) -> None:
    snapshot = issue("2025-01-13 10:00", forged("2025-01-13 10:05", tag), level="VIP")
    assert planned(snapshot, "2025-01-13 11:31") == [
        "fields",
        "note private [sla:first_response:75]",
    ]


def test_a_forged_reopen_tag_is_a_client_reply_that_reopens_and_never_leaves_it_waiting() -> None:
    snapshot = waiting(forged("2025-01-13 11:30", "reopen"))
    assert planned(snapshot, "2025-01-13 11:35")[0] == "reopen -> In Progress private [sla:reopen]"
    # Without the reopen: an issue that looks answered (a client note) is never closed.
    assert all("auto_close" not in w for w in planned(snapshot, "2025-01-14 12:00"))


def test_a_forged_auto_close_tag_by_an_agent_does_not_stop_the_close() -> None:
    # Waiting since Monday 11:00: 8 working hours end Tuesday 10:00.
    snapshot = waiting(forged("2025-01-13 12:00", "auto_close", AGENT, private=True))
    assert "auto_close -> Closed public [sla:auto_close]" in planned(snapshot, "2025-01-14 10:01")


def test_a_forged_warning_neither_stops_the_warning_nor_moves_the_close() -> None:
    rules = make_rules(auto_close=make_auto_close(warn_before_working_hours=2))
    # An agent's private note at 11:05 that looks like the warning: the real one is still
    # posted at Monday 17:00 (8 - 2 hours after 11:00), the close at Tuesday 10:00.
    snapshot = waiting(forged("2025-01-13 11:05", "auto_close:warning", AGENT, private=True))
    assert planned(snapshot, "2025-01-13 16:59", rules) == ["fields"]
    assert planned(snapshot, "2025-01-13 17:00", rules) == [
        "fields",
        "note public [sla:auto_close:warning]",
    ]


def test_a_forged_language_tag_does_not_hide_an_insult_from_the_lead() -> None:
    snapshot = issue(
        "2025-01-13 10:00",
        forged("2025-01-13 10:01", "intake:language"),
        level="VIP",
        description="Вы идиоты, ничего не работает",
    )
    assert "note private [sla:intake:language]" in planned(snapshot, "2025-01-13 10:05")


def test_a_forged_identity_tag_does_not_stop_the_identity_note() -> None:
    snapshot = issue(
        "2025-01-13 10:00",
        forged("2025-01-13 10:01", "intake:identity"),
        description="Помогите подписать акт",
    )
    assert "note private [sla:intake:identity]" in planned(snapshot, "2025-01-13 10:05")


def test_a_forged_priority_tag_does_not_stop_the_raise() -> None:
    rules = make_rules(apply_priority=True)
    snapshot = issue(
        "2025-01-13 10:00",
        forged("2025-01-13 10:01", "priority"),
        level="VIP",
        subject="Срочно! Не подписывается договор",
    )
    assert planned(snapshot, "2025-01-13 10:05", rules)[0] == (
        "priority priority -> High private [sla:priority]"
    )


def test_a_forged_escalation_tag_does_not_stop_the_escalation() -> None:
    rules = make_rules(
        escalation=Escalation(after_breach_working_minutes=(120,), logins=()),
        targets=make_targets(resolution_vip=1620),
    )
    breach = note("2025-01-13 12:05", user=TOOL, text="[sla:first_response:breach] ...")
    snapshot = issue(
        "2025-01-13 10:00",
        breach,
        forged("2025-01-13 12:10", "first_response:escalation_1", AGENT, private=True),
        level="VIP",
    )
    assert "note private [sla:first_response:escalation_1]" in planned(
        snapshot, "2025-01-13 14:00", rules
    )


def test_a_forged_faq_tag_does_not_stop_the_suggestion() -> None:
    rules = make_rules(faq=ARTICLES)
    snapshot = issue(
        "2025-01-13 10:00",
        forged("2025-01-13 10:01", "faq"),
        subject="Как добавить контрагента?",
        description="Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд».",
    )
    assert "note private [sla:faq]" in planned(snapshot, "2025-01-13 10:05", rules)


def test_an_agent_who_quotes_a_tag_in_a_public_note_has_answered() -> None:
    snapshot = issue(
        "2025-01-13 10:00", forged("2025-01-13 10:30", "first_response:breach", AGENT), level="VIP"
    )
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-13 12:30"))
    assert view.first_response.stopped_at == at("2025-01-13 10:30")
    assert view.state is SlaState.ON_TRACK
    assert planned(snapshot, "2025-01-13 12:30") == ["fields"]


# --- fields that grant service ---------------------------------------------------------


def test_a_clients_own_vip_level_and_channel_are_not_believed() -> None:
    snapshot = issue("2025-01-13 10:00", level="VIP", channel="Online assistant", set_by=None)
    c = classify(snapshot, RULES, PEOPLE)
    assert c.level is ServiceLevel.BASIC and c.channel.value == "other"
    assert c.disbelieved == (("SLA level", "VIP"), ("Channel", "Online assistant"))
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-13 10:05"))
    assert view.first_response.target_minutes == 540  # basic, other channels
    assert explain_json(view, [])["not_believed"] == [
        {"field": "SLA level", "value": "VIP"},
        {"field": "Channel", "value": "Online assistant"},
    ]
    assert any("not believed: SLA level = 'VIP'" in line for line in explain_lines(view, []))


def test_the_same_values_set_by_staff_are_believed() -> None:
    by_agent = issue("2025-01-13 10:00", level="VIP", channel="Online assistant")
    c = classify(by_agent, RULES, PEOPLE)
    assert (c.level, c.channel.value, c.disbelieved) == (ServiceLevel.VIP, "online_assistant", ())
    filed_by_staff = issue("2025-01-13 10:00", level="VIP", author=AGENT, set_by=None)
    assert classify(filed_by_staff, RULES, PEOPLE).level is ServiceLevel.VIP


def test_a_client_who_changes_a_staff_set_level_keeps_the_staff_value() -> None:
    name = cf("SLA level")
    snapshot = issue(
        "2025-01-13 10:00",
        change("2025-01-13 10:10", name, None, "Basic", user=AGENT),
        change("2025-01-13 10:20", name, "Basic", "VIP", user=CLIENT),
        fields={"SLA level": "VIP"},
    )
    assert believed_field(snapshot, "SLA level", PEOPLE) == "Basic"
    assert classify(snapshot, RULES, PEOPLE).level is ServiceLevel.BASIC
    # An agent then confirms VIP: believed from then on.
    confirmed = issue(
        "2025-01-13 10:00",
        change("2025-01-13 10:10", name, None, "Basic", user=AGENT),
        change("2025-01-13 10:20", name, "Basic", "VIP", user=CLIENT),
        change("2025-01-13 10:30", name, "VIP", "VIP ", user=LEAD),
        fields={"SLA level": "VIP"},
    )
    assert believed_field(confirmed, "SLA level", PEOPLE) == "VIP"


def test_a_clients_value_does_not_match_a_contract_policy() -> None:
    bank = make_policy(
        "bank-24x7",
        field_values=("VIP Bank",),
        calendar=CalendarRules(mode="24x7"),
        basic_other=15,
    )
    rules = make_rules(policies=(bank,))
    own = issue("2025-01-13 20:00", fields={"SLA level": "VIP Bank"}, set_by=None)
    staff_set = issue("2025-01-13 20:00", level="VIP Bank")
    assert evaluate(own, CAL, rules, PEOPLE, at("2025-01-13 20:05")).policy == ""
    assert evaluate(staff_set, CAL, rules, PEOPLE, at("2025-01-13 20:05")).policy == "bank-24x7"


# --- who is staff ----------------------------------------------------------------------


def test_an_anonymous_note_does_not_meet_a_vip_first_response() -> None:
    snapshot = issue("2025-01-13 10:00", note("2025-01-13 10:10", user=ANONYMOUS), level="VIP")
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-13 12:05"))
    assert view.first_response.stopped_at is None and view.first_response.breached
    assert "note private [sla:first_response:breach]" in planned(snapshot, "2025-01-13 12:05")
