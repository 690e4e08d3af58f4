"""The keyword classifier: word forms, codes, traces, weighting, urgency, and eval floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sup_sla_sync.core.classify import (
    CategoryGuess,
    classify_category,
    normalize,
    suggest_priority,
    urgency_words,
)
from sup_sla_sync.core.model import Category

D = Category.DEFECT
C = Category.CONSULTATION
EVAL = Path(__file__).resolve().parents[1] / "eval" / "requests.jsonl"


def category(text: str, subject: str = "") -> Category:
    return classify_category(subject, text).category


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ошибка!!! Всё ЗАВИСЛО", "ошибка все зависло"),
        ("Счёт-фактура: «не отправляется»", "счет фактура не отправляется"),
        ("doesn't work, can’t sign", "doesnt work cant sign"),
        ("ҚАТЕ шықты...", "қате шықты"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Russian word forms of "error" and negated verbs.
        "Ошибка при подписании",
        "Появились ошибки в разделе входящих",
        "Документ отклоняется с ошибкой",
        "Произошёл сбой при отправке",
        "Портал не работает",
        "Раздел не открывается",
        "Акт не подписывается",
        "Письма не отправляются",
        "Файл не загружается",
        "Уведомления не приходят",
        "Не могу подписать договор",
        "Страница зависает",
        "Загрузка висит",
        "После входа белый экран",
        # Kazakh word forms.
        "Қол қою кезінде қате",
        "Қатесі шықты",
        "Жүйеде қателік бар",
        "Портал жұмыс істемейді",
        "Бөлім ашылмайды",
        "Құжатқа қол қойылмайды",
        "Файл жүктелмейді",
        "файл жуктелмейди",
        "Кабинетке кіре алмаймын",
        # English.
        "Error when signing",
        "Signing failed",
        "Unhandled exception in the invoices page",
        "The app crashes on start",
        "Upload doesn't work",
        "The page is not loading",
        "Cannot sign the act",
    ],
)
def test_defect_word_forms(text: str) -> None:
    assert category(text) == D


@pytest.mark.parametrize(
    "text",
    [
        "Как добавить контрагента?",
        "Каким образом настроить роуминг",
        "Где посмотреть архив документов",
        "Можно ли подписать акт двумя ключами?",
        "Подскажите порядок регистрации",
        "Контрагентті қалай қосамын?",
        "Сертификатты қайда көрсету керек",
        "Тарифті ауыстыруға бола ма?",
        "How do I add a counterparty?",
        "Where is the archive?",
        "Is it possible to sign with two keys?",
        "Question about tariffs?",
        # Mentions an error, but asks how to avoid it.
        "Как избежать ошибки при подписании пакета?",
        "Что сделать, чтобы не было ошибки при отправке ЭСФ?",
        "Қате шықпауы үшін не істеу керек?",
        "Қатені болдырмау үшін қандай нұсқа керек?",
        "How do I avoid the error when signing a batch?",
        "What should I fill in so the ESF system doesn't reject it with an error?",
    ],
)
def test_consultation_cues(text: str) -> None:
    assert category(text) == C


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("При открытии раздела 500", D),
        ("502 Bad Gateway", D),
        ("Портал отвечает 503", D),
        ("API returns 404 Not Found for an existing document", D),
        ("Кіргенде 403 шығады", D),
        ("Service Unavailable", D),
        # Amounts, not statuses.
        ("Сколько стоит тариф на 500 документов", C),
        ("Төлем 400 теңге ме", C),
        ("Is the 500 KZT fee per month", C),
        # Not an HTTP status code.
        ("Номер договора 12345", C),
    ],
)
def test_http_codes(text: str, expected: Category) -> None:
    assert category(text) == expected


@pytest.mark.parametrize(
    "trace",
    [
        "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nKeyError: 'x'",
        "java.lang.NullPointerException\n\tat kz.edoc.Service.get(Service.java:88)",
        "    at Object.sign (main.js:10:5)",
        "TypeError: Cannot read properties of undefined (reading 'map')",
        "System.NullReferenceException: Object reference not set to an instance of an object.",
    ],
)
def test_stack_traces_are_defects(trace: str) -> None:
    guess = classify_category("Подписание", trace)
    assert guess.category == D
    assert any("stack trace" in m for m in guess.matched)


@pytest.mark.parametrize(
    ("subject", "description", "expected"),
    [
        # The subject outweighs one opposite cue in the description.
        ("Не подписывается акт", "Как это исправить?", D),
        ("Как подписать акт?", "Вчера была ошибка, сегодня нет.", C),
        ("Қол қойылмайды", "Не істеу керек?", D),
        ("Error on login", "How can I fix it?", D),
        ("How do I sign an act?", "Yesterday there was an error.", C),
        # No signal at all, or a tie: the basic case.
        ("Договор", "Прошу связаться со мной.", C),
        ("", "", C),
    ],
)
def test_subject_weighs_more(subject: str, description: str, expected: Category) -> None:
    assert classify_category(subject, description).category == expected


def test_same_cue_counts_more_in_subject() -> None:
    in_subject = classify_category("Ошибка", "Документ")
    in_description = classify_category("Документ", "Ошибка")
    assert in_subject.score > in_description.score > 0


def test_guess_is_transparent_and_frozen() -> None:
    guess = classify_category("Ошибка 500", "Как быть?")
    assert isinstance(guess, CategoryGuess)
    assert guess.category == D
    assert "subject/defect/ошибка" in guess.matched
    assert "subject/defect/http 500" in guess.matched
    assert "description/consultation/как" in guess.matched
    with pytest.raises(AttributeError):
        guess.score = 0.0  # type: ignore[misc]


def test_avoided_error_is_reported_as_ignored() -> None:
    guess = classify_category("How do I avoid the error?", "")
    assert guess.category == C
    assert "subject/ignored/error" in guess.matched


# --- Urgency --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words", "priority"),
    [
        ("Срочно! Не подписывается акт", ("срочно",), "urgent"),
        ("Срочный вопрос по ЭСФ", ("срочный",), "urgent"),
        ("Просьба рассмотреть срочную заявку", ("срочную",), "urgent"),
        ("Шұғыл түрде көмектесіңіз", ("шұғыл",), "urgent"),
        ("шұғыл сұрақ", ("шұғыл",), "urgent"),
        ("URGENT: cannot sign", ("urgent",), "urgent"),
        ("Please fix asap", ("asap",), "urgent"),
        ("Need it as soon as possible", ("as soon as possible",), "urgent"),
        ("Немедленно исправьте", ("немедленно",), "immediate"),
        ("Дереу шешіңіз", ("дереу",), "immediate"),
        ("Please respond immediately", ("immediately",), "immediate"),
        ("Срочно, немедленно!", ("срочно", "немедленно"), "immediate"),
        ("Срочно. Очень срочно.", ("срочно",), "urgent"),
        ("Не могу подписать, срочно!", ("срочно",), "urgent"),
        # Negated: not a request for urgency.
        ("Не срочно, когда будет время", (), None),
        ("Вопрос несрочный", (), None),
        ("Это не очень срочно", (), None),
        ("Бұл шұғыл емес", (), None),
        ("Not urgent, just curious", (), None),
        ("This is not that urgent", (), None),
        ("A non-urgent question", (), None),
        ("It isn't urgent", (), None),
        # Describing behaviour, not asking for speed.
        ("The app closes immediately after login", (), None),
        ("Как подписать акт?", (), None),
        ("", (), None),
    ],
)
def test_urgency(text: str, words: tuple[str, ...], priority: str | None) -> None:
    assert urgency_words(text) == words
    assert suggest_priority(text) == priority


# --- Evaluation set floors ------------------------------------------------------------------


def _accuracy(split: str) -> float:
    with EVAL.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = [r for r in rows if r["split"] == split]
    assert rows, f"no {split} rows in {EVAL}"
    right = sum(
        classify_category(r["subject"], r["description"]).category == Category(r["category"])
        for r in rows
    )
    return right / len(rows)


def test_eval_set_shape() -> None:
    with EVAL.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    assert len(rows) >= 180
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["lang"] for r in rows} == {"ru", "kk", "en"}
    assert {r["split"] for r in rows} == {"dev", "heldout"}
    assert {r["category"] for r in rows} == {"consultation", "defect"}


def test_heldout_accuracy_floor() -> None:
    assert _accuracy("heldout") >= 0.85


def test_dev_accuracy_floor() -> None:
    assert _accuracy("dev") >= 0.9
