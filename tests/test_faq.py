"""Help-centre suggestions: the `[faq] file` loader, the matcher as a table, the `[sla:faq]`
note as `decide` plans it, and floors on the eval set (eval/faq.jsonl).

Times are Astana wall times (Monday 2025-01-13 is a working day).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from sup_sla_sync.adapters.faq_file import load_articles, load_faq
from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.decide import Decision, decide
from sup_sla_sync.core.faq import Article, suggest
from sup_sla_sync.core.model import IssueSnapshot, Journal
from sup_sla_sync.core.rules import Rules
from sup_sla_sync.entrypoints.cli import App, main
from sup_sla_sync.errors import ConfigError

from factories import AGENT, CLIENT, PEOPLE, TOOL, at, issue, make_rules, note

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "faq.example.toml"
EVAL = REPO / "eval" / "faq.jsonl"
HELP = "https://edoc.kz/help/"
CAL = WorkCalendar()

ARTICLES = (
    Article(
        "Как добавить контрагента",
        HELP + "counterparties",
        ("контрагент", "добавить контрагента", "контрагентті қосу", "counterparty"),
    ),
    Article(
        "Срок действия ЭЦП: продление",
        HELP + "certificate-renewal",
        ("срок действия", "продлить ЭЦП", "мерзімі өт*", "certificate expired", "renew"),
    ),
    Article(
        "Акт выполненных работ",
        HELP + "acts",
        ("акт", "АВР", "орындалған жұмыстар актісі", "act of completed works"),
    ),
)
EXAMPLE_ARTICLES = load_articles(EXAMPLE)  # read once: ~600 patterns to compile
RULES = make_rules(faq=ARTICLES)


# --- the loader -------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "faq.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
# the desk's help centre
[[article]]
title = "Как добавить контрагента"
url = "https://edoc.kz/help/counterparties"
keywords = ["контрагент", "контрагентті қосу", "counterparty"]
"""


def test_the_file_becomes_articles(tmp_path: Path) -> None:
    (article,) = load_articles(write(tmp_path, GOOD))
    assert article == Article(
        "Как добавить контрагента",
        "https://edoc.kz/help/counterparties",
        ("контрагент", "контрагентті қосу", "counterparty"),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[article]]\ntitle = 'A'\nurl = \n", r"faq\.toml, line 3: not valid TOML: Invalid value"),
        (
            GOOD + '\n[[article]]\ntitle = "Тарифы"\nkeywords = ["тариф"]\n',
            r"faq\.toml, line 7: article 2 has no url",
        ),
        (
            GOOD + '\n[[article]]\ntitle = "T"\nurl = "https://edoc.kz/help/t"\nkeywords = "t"\n',
            r"faq\.toml, line 7: article 2: keywords must be a non-empty list",
        ),
        (
            '[[article]]\ntitle = "T"\nurl = "edoc.kz/help/t"\nkeywords = ["t"]\n',
            r"faq\.toml, line 1: article 1: url must be an http:// or https:// address",
        ),
        (
            '[[article]]\ntitle = "T"\nurl = "https://e.kz/t"\nkeywords = ["t"]\nkeyword = []\n',
            r"faq\.toml, line 1: article 1: unknown key 'keyword'",
        ),
        ('[[articles]]\ntitle = "T"\n', r"faq\.toml: unknown key 'articles'"),
        ("", r"faq\.toml: no \[\[article\]\] tables"),
    ],
    ids=["bad TOML", "no url", "keywords not a list", "url", "unknown key", "typo", "empty"],
)
def test_a_bad_file_names_the_file_and_the_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as raised:
        load_articles(write(tmp_path, text))
    assert str(tmp_path / "faq.toml") in str(raised.value)
    assert raised.value.exit_code == 2


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"faq\.file: .*nowhere\.toml: help-centre file not found"
    ):
        load_articles(tmp_path / "nowhere.toml")


def test_the_path_is_relative_to_the_configuration(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "help.toml")
    settings = Settings(faq={"file": "help.toml"})
    assert len(load_faq(settings, tmp_path)) == 1
    assert load_faq(Settings(), tmp_path) == ()  # "" = off: nothing is read
    config = write(tmp_path, '[faq]\nfile = "help.toml"\n', "sup-sla-sync.toml")
    assert [a.url for a in App(str(config)).faq()] == ["https://edoc.kz/help/counterparties"]


def test_the_cli_exits_2_on_a_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "[[article]]\ntitle = 'A'\nurl = \n", "help.toml")
    config = write(
        tmp_path,
        '[redmine]\nurl = "http://127.0.0.1:9"\n[faq]\nfile = "help.toml"\n',
        "sup-sla-sync.toml",
    )
    monkeypatch.setenv("SUP_SLA_REDMINE__API_KEY", "k")
    result = CliRunner().invoke(main, ["--config", str(config), "sync", "--dry-run"])
    assert result.exit_code == 2
    assert "help.toml, line 3: not valid TOML" in result.output


def test_the_shipped_example_loads() -> None:
    articles = EXAMPLE_ARTICLES
    assert len(articles) >= 25
    assert len({a.url for a in articles}) == len(articles)
    assert all(a.url.startswith(HELP) for a in articles)


# --- matching ---------------------------------------------------------------------------------


def urls(subject: str, description: str = "", limit: int = 3) -> list[str]:
    return [
        s.article.url.removeprefix(HELP) for s in suggest(subject, description, ARTICLES, limit)
    ]


@pytest.mark.parametrize(
    ("subject", "description", "expected"),
    [
        ("Как добавить контрагента?", "", ["counterparties"]),
        ("Вопрос", "Не можем найти контрагентов в списке", ["counterparties"]),
        ("Контрагенттерді қалай қосамын?", "", ["counterparties"]),
        ("Adding counterparties", "How do I add our counterparties?", ["counterparties"]),
        ("Продление ЭЦП", "Срок действия ключа истекает", ["certificate-renewal"]),
        ("ЭЦҚ", "Кілттің мерзімі өтіп кетті", ["certificate-renewal"]),
        ("Our certificate expired", "How do we renew it?", ["certificate-renewal"]),
        ("Акты за март", "", ["acts"]),
        ("Орындалған жұмыстар актісін қалай жасаймын?", "", ["acts"]),
        # A short keyword takes endings only: "акт" is not a prefix of "актуальный".
        ("Актуальный вопрос", "Какие новости?", []),
        ("Как настроить принтер?", "Принтер не видит компьютер.", []),
    ],
)
def test_matching(subject: str, description: str, expected: list[str]) -> None:
    assert urls(subject, description) == expected


def test_the_subject_weighs_more_and_the_best_comes_first() -> None:
    description = "Нужно продлить ЭЦП и добавить контрагента"
    assert urls("Контрагент", description) == ["counterparties", "certificate-renewal"]
    assert urls("Продлить ЭЦП", description) == ["certificate-renewal", "counterparties"]


def test_at_most_max_suggestions() -> None:
    text = "Продлить ЭЦП, добавить контрагента, подписать акт"
    assert urls(text) == ["counterparties", "certificate-renewal", "acts"]  # more keywords first
    assert urls(text, limit=1) == ["counterparties"]


@pytest.mark.parametrize(
    ("subject", "description", "slug"),
    [
        ("Как подписать договор?", "Контрагент прислал договор, как его подписать ЭЦП?", "sign"),
        ("Құжатқа қалай қол қоямын?", "ЭЦҚ-мен қол қою керек", "sign-document"),
        ("Where to get an EDS", "Where do we get a digital signature?", "get-eds"),
        ("Роуминг", "Покупатель работает у другого оператора ЭДО", "roaming"),
        ("Құпия сөзді ұмыттым", "Жеке кабинетке кіре алмаймын", "password-recovery"),
        ("Two signatures", "The chief accountant and the director must both sign", "multiple"),
    ],
)
def test_the_example_file(subject: str, description: str, slug: str) -> None:
    found = suggest(subject, description, EXAMPLE_ARTICLES, 3)
    assert found
    assert found[0].article.url.removeprefix(HELP).startswith(slug)


# --- the note -----------------------------------------------------------------------------------


def tags(decision: Decision) -> list[str]:
    return [w["note"].split("]", 1)[0] + "]" for w in decision.writes() if w["write"] == "note"]


def consultation(
    *journals: Journal,
    subject: str = "Как добавить контрагента?",
    description: str = "Подскажите, как добавить нового контрагента.",
    tracker: str = "Support",
    assigned_to: int | None = AGENT,
) -> IssueSnapshot:
    """A VIP request (no identity check) about adding a counterparty, Monday 10:00."""
    return issue(
        "2025-01-13 10:00",
        *journals,
        level="VIP",
        subject=subject,
        description=description,
        tracker=tracker,
        assigned_to=assigned_to,
    )


def test_a_consultation_before_its_first_answer_gets_one_private_note() -> None:
    decision = decide(consultation(), RULES, CAL, PEOPLE, at("2025-01-13 10:05"))
    (faq,) = [n for n in decision.plan.notes if n.tag == "faq"]
    assert tags(decision) == ["[sla:faq]"]
    assert faq.private
    assert faq.text.startswith("[sla:faq] Статьи справочного центра")
    assert "@agent1" in faq.text
    assert (
        "- Как добавить контрагента: https://edoc.kz/help/counterparties" in faq.text.splitlines()
    )


def test_an_unassigned_request_mentions_the_lead_in_the_notes_language() -> None:
    rules = replace(RULES, language="en")
    snapshot = consultation(assigned_to=None)
    (faq,) = decide(snapshot, rules, CAL, PEOPLE, at("2025-01-13 10:05")).plan.notes
    assert faq.text.startswith("[sla:faq] Help-centre articles")
    assert "@lead1" in faq.text


@pytest.mark.parametrize(
    ("snapshot", "rules"),
    [
        (consultation(subject="Вопрос", description="Когда вы работаете?"), RULES),
        (consultation(tracker="Bug"), RULES),
        (consultation(note("2025-01-13 10:03", text="Добрый день! Смотрите статью.")), RULES),
        (consultation(note("2025-01-13 10:02", user=TOOL, text="[sla:faq] Статьи")), RULES),
        (consultation(), Settings(staff={"lead": "lead1"}).rules(faq=ARTICLES)),
    ],
    ids=["nothing matches", "a defect", "after a public answer", "already posted", "file off"],
)
def test_no_note(snapshot: IssueSnapshot, rules: Rules) -> None:
    decision = decide(snapshot, rules, CAL, PEOPLE, at("2025-01-13 10:05"))
    assert "[sla:faq]" not in tags(decision)


def test_a_private_staff_note_is_no_answer() -> None:
    snapshot = consultation(note("2025-01-13 10:03", text="Проверяю", private=True))
    assert tags(decide(snapshot, RULES, CAL, PEOPLE, at("2025-01-13 10:05"))) == ["[sla:faq]"]


def test_a_client_follow_up_gets_no_second_note() -> None:
    snapshot = consultation(note("2025-01-13 10:02", user=TOOL, text="[sla:faq] Статьи"))
    snapshot = replace(
        snapshot, journals=(*snapshot.journals, note("2025-01-13 10:04", user=CLIENT, text="Ау?"))
    )
    assert tags(decide(snapshot, RULES, CAL, PEOPLE, at("2025-01-13 10:05"))) == []


def applied(decision: Decision, snapshot: IssueSnapshot, now: datetime) -> IssueSnapshot:
    """The issue as the tracker would hold it after the plan (fields and the tool's notes)."""
    plan = decision.plan
    start = max((j.id for j in snapshot.journals), default=0) + 1
    notes = [Journal(start + i, TOOL, now, n.text, n.private) for i, n in enumerate(plan.notes)]
    return replace(
        snapshot,
        custom_fields={**snapshot.custom_fields, **plan.fields},
        due_date=plan.due_date or snapshot.due_date,
        journals=(*snapshot.journals, *notes),
    )


def test_once_applied_nothing_more_is_decided() -> None:
    now = at("2025-01-13 10:05")
    first = decide(consultation(), RULES, CAL, PEOPLE, now)
    assert "[sla:faq]" in tags(first)
    again = decide(applied(first, consultation(), now), RULES, CAL, PEOPLE, now)
    assert again.writes() == []


# --- the eval set -------------------------------------------------------------------------------


def _rows() -> list[dict[str, str | None]]:
    with EVAL.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_eval_set_shape() -> None:
    rows = _rows()
    known = {a.url for a in EXAMPLE_ARTICLES}
    assert len(rows) >= 90
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["lang"] for r in rows} == {"ru", "kk", "en"}
    assert {r["split"] for r in rows} == {"dev", "heldout"}
    assert {r["url"] for r in rows} - {None} <= known
    assert 0.15 <= sum(r["url"] is None for r in rows) / len(rows) <= 0.3


def test_heldout_floors() -> None:
    articles = EXAMPLE_ARTICLES
    rows = [r for r in _rows() if r["split"] == "heldout"]
    found = [
        [s.article.url for s in suggest(str(r["subject"]), str(r["description"]), articles, 3)]
        for r in rows
    ]
    with_article = [(r, f) for r, f in zip(rows, found, strict=True) if r["url"]]
    hits = sum(r["url"] in f for r, f in with_article)
    wrong = sum(bool(f) and r["url"] not in f for r, f in zip(rows, found, strict=True))
    assert hits / len(with_article) >= 0.85
    assert wrong / len(rows) <= 0.2
