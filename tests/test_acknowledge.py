"""The acknowledgement (issue 19; SPEC.md, "Acknowledgement"): the client's receipt, as
tables. Times are Astana wall times (Monday 2025-01-13 and Monday 2025-01-20 are working
days; Friday 2025-01-17 22:00 is a night before a weekend)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.classify import request_language
from sup_sla_sync.core.decide import Decision, count_writes, decide, simulate, simulate_note
from sup_sla_sync.core.model import IssueSnapshot
from sup_sla_sync.core.rules import Rules
from sup_sla_sync.entrypoints.render.explain import explain_json, explain_lines
from sup_sla_sync.errors import TrackerUnavailable
from sup_sla_sync.service.sync import SyncService

from factories import AGENT, CLIENT, PEOPLE, TOOL, at, issue, make_intake, make_rules, note
from fake_tracker import FakeTracker

REPO = Path(__file__).resolve().parents[1]
CAL = WorkCalendar()
ON = make_rules(acknowledge=True)
TAG = "[sla:acknowledge]"
IDENTIFIED = "Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд»."


def receipts(decision: Decision) -> list[dict[str, Any]]:
    return [w for w in decision.writes() if w.get("note", "").startswith(TAG)]


def receipt(snapshot: IssueSnapshot, now: str, rules: Rules = ON) -> str | None:
    """The text of the receipt `decide` plans at `now` (None: none); at most one."""
    found = receipts(decide(snapshot, rules, CAL, PEOPLE, at(now)))
    assert len(found) <= 1
    if not found:
        return None
    assert found[0]["private"] is False  # the client reads it
    text: str = found[0]["note"]
    return text


# --- the language of a request -------------------------------------------------------------

LANGUAGES = [
    ("Контрагентті қалай қосуға болады?", "", "kk"),
    ("ЭСФ жіберілмейді", "Қате шығады: 500, кеше бәрі жұмыс істеді", "kk"),
    ("Кужат жуктелмейди", "", "kk"),  # Kazakh typed without Kazakh letters
    ("ЭЦП арқылы қол қойылмайды, ошибка шығады", "", "kk"),  # a Russian word in Kazakh
    ("Не подписывается ЭСФ: ошибка 500 в NCALayer", "", "ru"),
    ("ТОО «Қазақ Сауда»: не подписывается документ", "Выдаёт ошибку", "ru"),  # a Kazakh name
    ("Exception в API", 'Ответ API: {"error": "Internal Server Error"}', "ru"),  # quoted English
    ("Cannot sign the invoice", "The portal shows error 500", "en"),
    ("Help: cannot sign", "Our company ТОО «Дала Трейд», ЭЦП expired", "en"),
    ("ЭЦП", "", None),  # no evidence: the caller's `notes.language`
    ("", "", None),
    ("12345", "!!!", None),
]


@pytest.mark.parametrize(("subject", "description", "expected"), LANGUAGES)
def test_the_language_of_a_request(subject: str, description: str, expected: str | None) -> None:
    assert request_language(subject, description) == expected


def test_the_language_of_the_evaluation_sets() -> None:
    """eval/requests.jsonl and eval/faq.jsonl, labelled by language: 307 of 309 right, one
    unsure ("Спасибо": then `notes.language`), one wrong (a Kazakh request that is mostly an
    English stack trace)."""
    rows = [
        json.loads(line)
        for name in ("requests.jsonl", "faq.jsonl")
        for line in (REPO / "eval" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    found = [request_language(r["subject"], r["description"]) for r in rows]
    right = sum(1 for r, f in zip(rows, found, strict=True) if f == r["lang"])
    unsure = found.count(None)
    assert len(rows) == 309 and right >= 307 and unsure <= 1


# --- what the receipt says -----------------------------------------------------------------

SAYS = [
    (
        "a Kazakh request: a Kazakh receipt",
        issue("2025-01-13 10:00", level="VIP", subject="Контрагентті қалай қосуға болады?"),
        "2025-01-13 10:01",
        ON,
        [
            "Өтінішіңіз № 7 нөмірімен тіркелді",
            "Санаты: кеңес; басымдығы: қалыпты.",
            "алғашқы жауабының мерзімі: дүйсенбі, 13.01.2025, 12:00.",
        ],
    ),
    (
        "a Russian request: a Russian receipt",
        issue("2025-01-13 10:00", level="VIP", subject="Не подписывается ЭСФ", tracker="Bug"),
        "2025-01-13 10:01",
        ON,
        [
            "Ваше обращение зарегистрировано под № 7 (п. 13 регламента).",
            "Категория: ошибка (неисправность); приоритет: обычный.",
            "Срок первого ответа специалиста: понедельник, 13.01.2025, 12:00.",
        ],
    ),
    (
        "an English request: an English receipt",
        issue("2025-01-13 10:00", level="VIP", subject="Cannot sign the invoice", prio="High"),
        "2025-01-13 10:01",
        ON,
        [
            "Your request is registered as #7",
            "Category: consultation; priority: urgent.",
            "First answer due by: Monday, 13.01.2025, 11:00.",
        ],
    ),
    (
        "unsure of the language: notes.language",
        issue("2025-01-13 10:00", level="VIP", subject="ЭЦП"),
        "2025-01-13 10:01",
        make_rules(acknowledge=True, language="kk"),
        ["Өтінішіңіз № 7 нөмірімен тіркелді"],
    ),
    (
        "a basic request: one working day",
        issue("2025-01-13 10:00", subject="Как подписать документ?", description=IDENTIFIED),
        "2025-01-13 10:01",
        ON,
        ["Срок первого ответа специалиста: вторник, 14.01.2025, 10:00."],
    ),
    (
        "at night before a weekend: when work starts, and the due time",
        issue("2025-01-17 22:00", level="VIP", subject="Не подписывается ЭСФ"),
        "2025-01-17 22:01",
        ON,
        [
            "Сейчас нерабочее время; работа по обращению начнётся: понедельник, 20.01.2025, 09:00.",
            "Срок первого ответа специалиста: понедельник, 20.01.2025, 11:00.",
        ],
    ),
    (
        "at night, in Kazakh",
        issue("2025-01-17 22:00", level="VIP", subject="Контрагентті қалай қосуға болады?"),
        "2025-01-18 03:00",
        ON,
        [
            "Қазір жұмыс уақыты емес; өтініш бойынша жұмыс басталады: дүйсенбі, 20.01.2025, 09:00.",
            "мерзімі: дүйсенбі, 20.01.2025, 11:00.",
        ],
    ),
    (
        "the online assistant: within 15 minutes",
        issue("2025-01-13 10:00", level="VIP", channel="Online assistant", subject="Как войти?"),
        "2025-01-13 10:01",
        ON,
        ["Первый ответ специалиста — в течение 15 минут."],
    ),
    (
        "the online assistant at night: from the start of work, and the due time",
        issue("2025-01-17 22:00", channel="Online assistant", subject="How do I log in?"),
        "2025-01-17 22:01",
        ON,
        [
            "work on the request starts: Monday, 20.01.2025, 09:00.",
            "First answer from a specialist: within 15 minutes.",
            "due by: Monday, 20.01.2025, 09:15.",
        ],
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "now", "rules", "expected"),
    [case[1:] for case in SAYS],
    ids=[case[0] for case in SAYS],
)
def test_what_the_receipt_says(
    snapshot: IssueSnapshot, now: str, rules: Rules, expected: list[str]
) -> None:
    text = receipt(snapshot, now, rules)
    assert text is not None and text.startswith(f"{TAG} ")
    for part in expected:
        assert part in text


def test_the_online_assistant_in_working_hours_names_no_time() -> None:
    online = issue("2025-01-13 10:00", level="VIP", channel="Online assistant")
    text = receipt(online, "2025-01-13 10:01")
    assert text is not None and "Срок первого ответа" not in text and "нерабочее" not in text


def test_the_online_assistant_near_the_close_of_the_day_names_the_due_time() -> None:
    """15 working minutes from 17:55 end on Tuesday at 09:10: said as well."""
    late = issue("2025-01-13 17:55", level="VIP", channel="Online assistant")
    text = receipt(late, "2025-01-13 17:56")
    assert text is not None
    assert "в течение 15 минут" in text and "вторник, 14.01.2025, 09:10" in text


# --- when there is none ----------------------------------------------------------------------

NONE = [
    ("disabled by default", issue("2025-01-13 10:00", level="VIP"), "2025-01-13 10:01", None),
    (
        "created before the go-live date",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-13 10:01",
        make_rules(acknowledge=True, since=date(2025, 1, 14)),
    ),
    (
        "a public staff note already",
        issue("2025-01-13 10:00", note("2025-01-13 10:05"), level="VIP"),
        "2025-01-13 10:06",
        ON,
    ),
    (
        "resolved already",
        issue("2025-01-13 10:00", level="VIP", status_now="Resolved"),
        "2025-01-13 10:06",
        ON,
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "now", "rules"),
    [case[1:] for case in NONE],
    ids=[case[0] for case in NONE],
)
def test_no_receipt(snapshot: IssueSnapshot, now: str, rules: Rules | None) -> None:
    assert receipt(snapshot, now, rules or make_rules()) is None


def test_a_request_first_seen_late_still_gets_its_number_and_due_time() -> None:
    """The tool was down: the receipt still registers the request (rule 13)."""
    late = receipt(issue("2025-01-13 10:00", level="VIP"), "2025-01-13 12:05")
    assert late is not None and "№ 7" in late
    assert "понедельник, 13.01.2025, 12:00" in late  # the first answer's due, as registered


def test_from_the_go_live_date_on_there_is_one() -> None:
    rules = make_rules(acknowledge=True, since=date(2025, 1, 13))
    assert receipt(issue("2025-01-13 10:00", level="VIP"), "2025-01-13 10:01", rules)


def test_a_private_staff_note_is_no_answer_to_the_client() -> None:
    privately = issue("2025-01-13 10:00", note("2025-01-13 10:05", private=True), level="VIP")
    assert receipt(privately, "2025-01-13 10:06")


def test_a_clients_own_tag_does_not_suppress_it() -> None:
    """Principle 8: a tag counts only in the tool's own journal."""
    forged = issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:01", user=CLIENT, text=f"{TAG} Ваше обращение зарегистрировано"),
        note("2025-01-13 10:02", user=AGENT, text=f"{TAG} черновик", private=True),
        level="VIP",
    )
    assert receipt(forged, "2025-01-13 10:03")


def test_posted_once() -> None:
    new = issue("2025-01-13 10:00", level="VIP")
    decision = decide(new, ON, CAL, PEOPLE, at("2025-01-13 10:01"))
    (ack,) = [n for n in decision.plan.notes if n.tag == "acknowledge"]
    posted = simulate_note(new, ack, TOOL, at("2025-01-13 10:01"))
    for later in ("2025-01-13 10:02", "2025-01-13 19:00", "2025-01-14 10:00"):
        assert receipt(posted, later) is None


# --- its place in the decision -------------------------------------------------------------


def test_at_night_it_is_not_held_for_working_hours() -> None:
    """The receipt goes at night; the identity request (a client-facing move) waits."""
    rules = make_rules(acknowledge=True, intake=make_intake(request_identity=True))
    basic = issue("2025-01-17 22:00", subject="Помогите подписать акт")
    decision = decide(basic, rules, CAL, PEOPLE, at("2025-01-17 22:01"))
    assert decision.transitions == ()
    assert decision.plan.notes[0].tag == "acknowledge"
    assert decision.waits and all("acknowledge" not in w for w in decision.waits)


def test_with_a_move_in_the_same_pass_the_receipt_comes_first() -> None:
    rules = make_rules(acknowledge=True, intake=make_intake(request_identity=True))
    basic = issue("2025-01-13 10:00", subject="Помогите подписать акт")
    decision = decide(basic, rules, CAL, PEOPLE, at("2025-01-13 10:01"))
    order = [w.get("note", w["write"]).split("]")[0] + "]" for w in decision.writes()]
    assert order[:2] == [TAG, "[sla:intake:identity_request]"]
    assert decision.before is not None and [n.tag for n in decision.before.notes] == ["acknowledge"]
    assert all(n.tag != "acknowledge" for n in decision.plan.notes)
    # Once the tracker holds both, nothing more.
    now = at("2025-01-13 10:01")
    after = simulate_note(basic, decision.before.notes[0], TOOL, now)
    after = simulate(after, decision.transitions[0], TOOL, now)
    assert receipt(after, "2025-01-13 10:02", rules) is None


def test_a_raised_priority_is_the_one_it_names() -> None:
    rules = make_rules(acknowledge=True, apply_priority=True)
    urgent = issue("2025-01-13 10:00", level="VIP", subject="Срочно! Не подписывается договор")
    decision = decide(urgent, rules, CAL, PEOPLE, at("2025-01-13 10:01"))
    assert [t.kind for t in decision.transitions] == ["priority"]
    (text,) = [w["note"] for w in receipts(decision)]
    assert "приоритет: срочный" in text and "13.01.2025, 11:00" in text


def test_the_receipt_comes_before_the_intake_notes_and_the_faq() -> None:
    insulting = issue("2025-01-13 10:00", level="VIP", description="Вы идиоты, ничего не работает")
    decision = decide(insulting, ON, CAL, PEOPLE, at("2025-01-13 10:01"))
    assert [n.tag for n in decision.plan.notes] == ["acknowledge", "intake:language"]


def test_dry_run_counts_and_explain_show_it() -> None:
    new = issue("2025-01-13 10:00", level="VIP")
    decision = decide(new, ON, CAL, PEOPLE, at("2025-01-13 10:01"))
    assert count_writes(decision.writes())["notes [sla:acknowledge]"] == 1
    lines = explain_lines(decision.view, decision.writes())
    assert any(line.startswith(f"    note: {TAG} Здравствуйте!") for line in lines)
    planned = explain_json(decision.view, decision.writes())["planned"]
    assert [p["private"] for p in planned if p["write"] == "note"] == [False]


# --- through a pass --------------------------------------------------------------------------


class Clock:
    def __init__(self, when: str) -> None:
        self.now = at(when)

    def __call__(self) -> datetime:
        return self.now


ACK_SETTINGS = Settings(
    staff={"groups": ["Support"], "lead": "lead1"}, acknowledge={"enabled": True}
)


def _service(tracker: FakeTracker, clock: Clock, state_dir: Path | None = None) -> SyncService:
    return SyncService(ACK_SETTINGS, tracker, clock=clock, state_dir=state_dir)


def _receipts(tracker: FakeTracker, issue_id: int = 7) -> list[str]:
    return [j.notes for j in tracker.notes(issue_id) if j.notes.startswith(TAG)]


def test_a_pass_posts_it_once_across_restarts_and_a_wiped_state(tmp_path: Path) -> None:
    clock = Clock("2025-01-17 22:01")
    tracker = FakeTracker(issue("2025-01-17 22:00", level="VIP"), now=clock)
    dry = _service(tracker, clock).run_pass(dry_run=True).as_json(dry_run=True)
    assert dry["counts"]["notes [sla:acknowledge]"] == 1 and tracker.writes == []
    assert [p for p in dry["planned"] if p.get("note", "").startswith(TAG)]
    state = tmp_path / "state"
    _service(tracker, clock, state).run_pass()
    assert len(_receipts(tracker)) == 1
    clock.now = at("2025-01-17 22:05")
    _service(tracker, clock, state).run_pass()  # a restart
    for child in state.iterdir():
        child.unlink()  # a wiped cache
    clock.now = at("2025-01-20 09:00")
    _service(tracker, clock, state).run_pass()
    assert len(_receipts(tracker)) == 1


def test_an_answer_lost_after_the_write_went_in_posts_nothing_twice() -> None:
    clock = Clock("2025-01-13 10:01")

    class LosesTheAnswer(FakeTracker):
        lost = False

        def update_issue(self, issue_id: int, **changes: Any) -> None:
            super().update_issue(issue_id, **changes)
            if not self.lost and (changes.get("notes") or "").startswith(TAG):
                self.lost = True
                raise TrackerUnavailable("connection reset after the write")

    tracker = LosesTheAnswer(issue("2025-01-13 10:00", level="VIP"), now=clock)
    svc = _service(tracker, clock)
    first = svc.run_pass()
    assert first.errors and len(_receipts(tracker)) == 1
    clock.now = at("2025-01-13 10:03")
    assert svc.run_pass().errors == []
    assert len(_receipts(tracker)) == 1


def test_the_default_configuration_posts_none() -> None:
    assert Settings().acknowledge.enabled is False
    assert Settings().rules().acknowledge is False
    assert ACK_SETTINGS.rules().acknowledge is True
    clock = Clock("2025-01-13 10:01")
    tracker = FakeTracker(issue("2025-01-13 10:00", level="VIP"), now=clock)
    SyncService(Settings(staff={"lead": "lead1"}), tracker, clock=clock).run_pass()
    assert _receipts(tracker) == []
