"""Tests of the local real-Redmine harness itself (scripts/redmine + LocalRedmine)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from localredmine import LocalRedmine, RedmineError, RedmineIgnoredWrite

ALMATY = ZoneInfo("Asia/Almaty")


def test_backdate_issue_created_on_roundtrips_through_rest(local_redmine: LocalRedmine) -> None:
    rm = local_redmine
    issue_id = rm.create_issue(
        "client1",
        "Cannot sign a document",
        "The signature button is grey.",
        custom_fields={
            "SLA level": "Basic",
            "Channel": "Online assistant",
            "Category": "Consultation",
        },
    )
    before = rm.issue(issue_id)["updated_on"]

    rm.set_created(issue_id, datetime(2025, 1, 6, 10, 0, tzinfo=ALMATY))

    issue = rm.issue(issue_id)
    assert issue["created_on"] == "2025-01-06T05:00:00Z"
    assert issue["updated_on"] >= before  # bumped to "now", never backwards
    assert issue["author"]["id"] == rm.user_id("client1")
    assert issue["status"]["name"] == "New"
    # REST filters the daemon may use see the same instant (inclusive bounds)
    for flt in ("<=2025-01-06T05:00:00Z", ">=2025-01-06T05:00:00Z", "=2025-01-06"):
        found = rm.get(
            "/issues.json", params={"issue_id": issue_id, "created_on": flt, "status_id": "*"}
        )
        assert [i["id"] for i in found["issues"]] == [issue_id], flt
    with rm.db() as conn:
        (raw,) = conn.execute("SELECT created_on FROM issues WHERE id = ?", (issue_id,)).fetchone()
    assert raw == "2025-01-06 05:00:00"


def test_backdate_issue_and_journals(local_redmine: LocalRedmine) -> None:
    rm = local_redmine
    issue_id = rm.create_issue("vipclient1", "VIP question", custom_fields={"SLA level": "VIP"})
    j1 = rm.add_note("agent1", issue_id, "We are on it")
    j2 = rm.add_note("vipclient1", issue_id, "Thanks, any news?")
    t0 = datetime(2025, 1, 6, 9, 0, tzinfo=ALMATY)
    rm.backdate_issue(issue_id, t0, [t0 + timedelta(minutes=30), t0 + timedelta(hours=3)])

    journals = {j["id"]: j for j in rm.journals(issue_id)}
    assert journals[j1]["created_on"] == "2025-01-06T04:30:00Z"
    assert journals[j2]["created_on"] == "2025-01-06T07:00:00Z"
    assert rm.issue(issue_id)["created_on"] == "2025-01-06T04:00:00Z"

    with pytest.raises(ValueError):
        rm.backdate_issue(issue_id, t0, [t0 - timedelta(minutes=1)])
    with pytest.raises(ValueError):
        rm.set_created(issue_id, datetime(2025, 1, 6, 10, 0))  # naive


def test_private_note_is_private_and_hidden_from_the_client(local_redmine: LocalRedmine) -> None:
    rm = local_redmine
    issue_id = rm.create_issue("client1", "Private note test")
    jid = rm.add_note("agent1", issue_id, "internal: check the logs", private=True)
    public = rm.add_note("agent1", issue_id, "Hello, we are looking into it")

    as_admin = {j["id"]: j for j in rm.journals(issue_id)}
    assert as_admin[jid]["private_notes"] is True
    assert as_admin[jid]["notes"] == "internal: check the logs"
    assert as_admin[jid]["user"]["id"] == rm.user_id("agent1")
    assert as_admin[public]["private_notes"] is False

    as_agent2 = {j["id"] for j in rm.journals(issue_id, login="agent2")}
    assert jid in as_agent2  # Developer has view_private_notes
    as_client = {j["id"] for j in rm.journals(issue_id, login="client1")}
    assert jid not in as_client and public in as_client


def test_agent_status_transitions(local_redmine: LocalRedmine) -> None:
    rm = local_redmine
    issue_id = rm.create_issue("client2", "Status workflow test")
    assert rm.issue(issue_id)["status"]["name"] == "New"
    rm.add_note("agent1", issue_id, "Need more details", status="Feedback")
    assert rm.issue(issue_id)["status"]["name"] == "Feedback"
    rm.update("agent1", issue_id, status="In Progress", assigned_to="agent1")
    issue = rm.issue(issue_id)
    assert issue["status"]["name"] == "In Progress"
    assert issue["assigned_to"]["id"] == rm.user_id("agent1")
    status_details = [
        d for j in issue["journals"] for d in j["details"] if d["name"] == "status_id"
    ]
    assert [(d["old_value"], d["new_value"]) for d in status_details] == [
        (str(rm.status_id("New")), str(rm.status_id("Feedback"))),
        (str(rm.status_id("Feedback")), str(rm.status_id("In Progress"))),
    ]
    # a client cannot do that: Redmine answers 204 but ignores the status
    with pytest.raises(RedmineIgnoredWrite):
        rm.update("client2", issue_id, status="Rejected")


def test_staff_and_bot_can_set_sla_fields_clients_cannot_see_them(
    local_redmine: LocalRedmine,
) -> None:
    rm = local_redmine
    issue_id = rm.create_issue("client1", "SLA fields test")
    rm.update(
        "sla-bot",
        issue_id,
        custom_fields={"SLA state": "on track", "SLA first response due": "2025-01-06T06:00:00Z"},
    )
    assert rm.custom_field_value(rm.issue(issue_id), "SLA state") == "on track"
    client_view = rm.issue(issue_id, login="client1")
    names = {cf["name"] for cf in client_view.get("custom_fields", [])}
    assert "SLA level" in names and "SLA state" not in names
    agent_view = rm.issue(issue_id, login="agent1")
    assert "SLA state" in {cf["name"] for cf in agent_view["custom_fields"]}


def test_bot_reads_group_members(local_redmine: LocalRedmine) -> None:
    rm = local_redmine
    for name, logins in {
        "Support": {"agent1", "agent2", "lead1"},
        "VIP clients": {"vipclient1"},
        "Поддержка": {"agent2", "lead1"},
    }.items():
        group = rm.get(f"/groups/{rm.group_id(name)}.json", params={"include": "users"})["group"]
        assert group["name"] == name
        assert {u["id"] for u in group["users"]} == {rm.user_id(login) for login in logins}
    # Redmine 5 shows groups (with members) to every logged-in user ...
    assert (
        rm.get(f"/groups/{rm.group_id('Support')}.json", login="client1")["group"]["name"]
        == "Support"
    )
    # ... but only an admin may list them
    with pytest.raises(RedmineError) as exc:
        rm.get("/groups.json", login="agent1")
    assert exc.value.status_code == 403


def test_russian_project_issue(local_redmine: LocalRedmine) -> None:
    rm = local_redmine
    issue_id = rm.create_issue(
        "client2",
        "Не подписывается документ",
        "Кнопка подписи неактивна",
        project="edoc-ru",
        tracker="Ошибка",
        priority="Срочный",
        custom_fields={
            "Уровень обслуживания": "Базовый",
            "Канал": "Эл. почта",
            "Категория": "Ошибка",
        },
    )
    issue = rm.issue(issue_id)
    assert issue["project"]["name"] == "ЭДО"
    assert issue["tracker"]["name"] == "Ошибка"
    assert issue["priority"]["name"] == "Срочный"
    assert issue["status"]["name"] == "Новая"
    assert rm.custom_field_value(issue, "Канал") == "Эл. почта"

    rm.add_note(
        "agent2", issue_id, "Уточните, пожалуйста, браузер", status="Ожидает ответа клиента"
    )
    rm.update("sla-bot", issue_id, custom_fields={"SLA статус": "ожидание клиента"})
    rm.update("lead1", issue_id, status="Закрыта")
    issue = rm.issue(issue_id)
    assert issue["status"]["name"] == "Закрыта"
    assert issue["status"]["is_closed"] is True
    assert rm.custom_field_value(issue, "SLA статус") == "ожидание клиента"


def test_staff_can_create_directly_in_a_status(local_redmine: LocalRedmine) -> None:
    rm = local_redmine
    issue_id = rm.create_issue(
        "agent1",
        "Phone call",
        status="In Progress",
        assigned_to="Support",
        custom_fields={"Channel": "Phone"},
    )
    issue = rm.issue(issue_id)
    assert issue["status"]["name"] == "In Progress"
    assert issue["assigned_to"]["name"] == "Support"
    assert issue.get("journals") == []
