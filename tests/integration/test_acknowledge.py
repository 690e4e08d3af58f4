"""The acknowledgement (`[acknowledge] enabled`, issue 19) against the real Redmine: a
Kazakh and a Russian request filed by a client get one public `[sla:acknowledge]` note
each, by the tool, in the request's language, with the registration number and the
promised time of the first answer (the `first_response_due` field's local date and time);
the dry run shows and counts them first; a second `sync`, and a `sync` after wiping the
state directory, post nothing more.

The Russian tracker vocabulary, the real working-time calendar (the receipt goes at any
hour: at night it also says when work starts), `notes.language = "ru"`, a project of the
test's own so a whole pass sees only these two issues.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

from slaharness import RU_FIELDS, SlaHarness, now_minute

TAG = "[sla:acknowledge]"
KAZAKH = (
    "Контрагентті қалай қосуға болады?",
    "Сәлеметсіз бе! Жаңа контрагентті тізімге қосу керек, бірақ батырма белсенді емес.",
)
RUSSIAN = (
    "Не подписывается акт выполненных работ",
    "Здравствуйте! При подписании акта выдаёт ошибку NCALayer, документ не отправляется.",
)


def _receipts(sla: SlaHarness, issue_id: int, login: str | None = None) -> list[dict]:
    return sla.notes(issue_id, "acknowledge", login=login)


def _promised(sla: SlaHarness, issue_id: int) -> str:
    """The first-response due time the tool stamped, as the receipt words it."""
    due = sla.fields(issue_id, RU_FIELDS)["first_response_due"]
    return datetime.fromisoformat(due).strftime("%d.%m.%Y, %H:%M")


def test_a_kazakh_and_a_russian_request_get_one_receipt_each(sla: SlaHarness) -> None:
    project = sla.new_project(russian=True)
    state_dir = sla.tmp_path / "state"
    config = sla.config(
        [project],
        russian=True,
        language="ru",
        overrides={"acknowledge": {"enabled": True}, "daemon": {"state_dir": str(state_dir)}},
    )
    created = now_minute() - timedelta(minutes=2)
    issues = {
        language: sla.create(
            "client1",
            subject,
            created,
            description=description,
            project=project,
            tracker="Консультация",
            priority="Обычный",
        )
        for language, (subject, description) in (("kk", KAZAKH), ("ru", RUSSIAN))
    }
    before = {i: sla.rm.journal_ids(i) for i in issues.values()}

    dry = sla.sync(config, dry_run=True)

    assert dry["errors"] == [], dry
    assert dry["counts"]["notes [sla:acknowledge]"] == 2, dry["counts"]
    planned = [p for p in dry["planned"] if (p.get("note") or "").startswith(TAG)]
    assert sorted(p["issue"] for p in planned) == sorted(issues.values())
    assert all(p["private"] is False for p in planned)
    assert {i: sla.rm.journal_ids(i) for i in issues.values()} == before  # wrote nothing

    first = sla.sync(config)

    assert first["errors"] == [], first
    bot = sla.rm.user_id("sla-bot")
    for language, issue_id in issues.items():
        (receipt,) = _receipts(sla, issue_id)
        assert receipt["user"]["id"] == bot and receipt["private_notes"] is False
        text = receipt["notes"]
        assert f"№ {issue_id}" in text, text
        assert _promised(sla, issue_id) in text, text
        if language == "kk":
            assert "Өтінішіңіз" in text and "Санаты: кеңес; басымдығы: қалыпты" in text, text
        else:
            assert "Ваше обращение зарегистрировано" in text, text
            assert "Категория: консультация; приоритет: обычный" in text, text
        # The client reads it.
        assert [j["id"] for j in _receipts(sla, issue_id, login="client1")] == [receipt["id"]]

    after_first = {i: sla.rm.journal_ids(i) for i in issues.values()}
    second = sla.sync(config)

    assert second["errors"] == [], second
    assert {i: sla.rm.journal_ids(i) for i in issues.values()} == after_first

    assert state_dir.is_dir() and any(state_dir.iterdir())
    shutil.rmtree(state_dir)  # a wiped cache: the tags in Redmine still say it was sent
    third = sla.sync(config)

    assert third["errors"] == [], third
    assert {i: sla.rm.journal_ids(i) for i in issues.values()} == after_first
    for issue_id in issues.values():
        assert len(_receipts(sla, issue_id)) == 1
