"""The Russian tracker `edoc-ru` with the Russian configuration: Russian statuses,
trackers, priorities, custom fields, category values and channels; staff group
«Поддержка» (agent2, lead1); notes in Russian (and once in Kazakh).

Fixed past dates with the real calendar (see test_stamps.py and
test_awaiting_client.py for the arithmetic):
* created Thu 2025-01-02 10:00 -> clocks from Sun 2025-01-05 09:00;
* created Mon 2025-03-03 10:00, basic -> first response 2025-03-04T10:00,
  resolution 2025-03-05T10:00.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from slaharness import NO_RESPONSE, RU_FIELDS, SlaHarness, almaty

JAN2 = almaty(2025, 1, 2, 10, 0)
MAR3 = almaty(2025, 3, 3, 10, 0)
AWAITING = "Ожидает ответа клиента"

# (author, tracker, priority, custom fields, first response due, resolution due, category)
STAMPS = [
    (
        "client1",
        "Консультация",
        "Обычный",
        {"Уровень обслуживания": "Базовый", "Канал": "Эл. почта"},
        "2025-01-05T18:00+05:00",  # basic other: 540
        "2025-01-06T18:00+05:00",  # 1080
        "Консультация",
    ),
    (
        "client2",
        "Ошибка",
        "Срочный",
        {"Уровень обслуживания": "VIP"},
        "2025-01-05T10:00+05:00",  # VIP urgent: 60
        "2025-01-05T18:00+05:00",  # 540
        "Ошибка",
    ),
    (
        "vipclient1",
        "Консультация",
        "Немедленный",
        {"Канал": "Онлайн-помощник"},
        "2025-01-05T09:15+05:00",  # VIP (group) online assistant: 15
        "2025-01-05T18:00+05:00",
        "Консультация",
    ),
    (
        "client1",
        "Ошибка",
        "Немедленный",
        {"Уровень обслуживания": "VIP", "Канал": "Официальное письмо"},
        "2025-01-05T09:30+05:00",  # VIP immediate: 30
        "2025-01-06T18:00+05:00",  # official letter: 1080
        "Ошибка",
    ),
]


def _config(sla: SlaHarness, language: str = "ru"):
    return sla.config(["edoc-ru"], russian=True, language=language)


def test_russian_stamps(sla: SlaHarness) -> None:
    """Russian names everywhere: «SLA срок первого ответа», «SLA срок решения»,
    «SLA статус» and «Категория» stamped as computed, due date set."""
    ids = [
        sla.create(
            author,
            "Не подписывается документ",
            JAN2,
            project="edoc-ru",
            tracker=tracker,
            priority=priority,
            custom_fields=cfs,
        )
        for author, tracker, priority, cfs, *_ in STAMPS
    ]

    summary = sla.sync(_config(sla), *ids)

    assert summary["errors"] == [] and summary["updated"] == len(ids)
    for issue_id, (*_, first, resolution, category) in zip(ids, STAMPS, strict=True):
        got = sla.fields(issue_id, RU_FIELDS)
        assert got["first_response_due"] == first, issue_id
        assert got["resolution_due"] == resolution, issue_id
        assert got["sla_state"] == "breached"
        assert got["category"] == category
        assert got["due_date"] == resolution[:10]
        assert got["status"] == "Новая"


def _waiting(extra: tuple = ()) -> list:
    """agent2 answers at 10:20 and sets «Ожидает ответа клиента» at 10:30."""
    return [
        (MAR3 + timedelta(minutes=20), "agent2", {"notes": "Уточните номер документа."}),
        (
            MAR3 + timedelta(minutes=30),
            "agent2",
            {"notes": "Ждём номер документа.", "status": AWAITING},
        ),
        *extra,
    ]


def test_russian_client_reply_reopens_to_v_rabote(sla: SlaHarness) -> None:
    """«Ожидает ответа клиента» since 10:30, client1 answered at 11:00: status back
    to «В работе» with a private Russian `[sla:reopen]` note."""
    issue_id = sla.create(
        "client1",
        "Не подписывается документ",
        MAR3,
        project="edoc-ru",
        tracker="Консультация",
        priority="Обычный",
        journals=_waiting(((MAR3 + timedelta(minutes=60), "client1", {"notes": "№ 4711"}),)),
    )

    summary = sla.sync(_config(sla), issue_id)

    assert (summary["reopened"], summary["closed"]) == (1, 0)
    assert sla.fields(issue_id, RU_FIELDS)["status"] == "В работе"
    (note,) = sla.notes(issue_id, "reopen")
    assert note["private_notes"] is True
    assert "Клиент ответил" in note["notes"] and "В работе" in note["notes"]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_russian_auto_close_to_zakryta(sla: SlaHarness, language: str) -> None:
    """«Ожидает ответа клиента» since 2025-03-03 10:30, no client note: closed to
    «Закрыта» with a public note in the configured language ("ответ от клиента не
    получен" / "клиенттен жауап алынбады") listing agent2's public notes and the
    status change with local dates; fields end met."""
    issue_id = sla.create(
        "client1",
        "Не подписывается документ",
        MAR3,
        project="edoc-ru",
        tracker="Консультация",
        priority="Обычный",
        journals=_waiting(),
    )

    # In working time: a client reads the auto-close (SPEC: posted in working hours only).
    summary = sla.sync_at_work(_config(sla, language), issue_id)
    sla.sync_at_work(_config(sla, language), issue_id)

    assert summary["closed"] == 1 and summary["errors"] == []
    (note,) = sla.notes(issue_id, "auto_close")
    text = note["notes"]
    assert note["private_notes"] is False
    assert NO_RESPONSE[language] in text
    assert "2025-03-03 10:20" in text and "Уточните номер документа." in text
    assert "2025-03-03 10:30" in text and f"Новая → {AWAITING}" in text
    got = sla.fields(issue_id, RU_FIELDS)
    assert got == {
        "service_level": None,
        "channel": None,
        "category": "Консультация",
        "first_response_due": "2025-03-04T10:00+05:00",
        "resolution_due": "2025-03-05T10:00+05:00",
        "sla_state": "met",
        "status": "Закрыта",
        "priority": "Обычный",
        "due_date": "2025-03-05",
    }
