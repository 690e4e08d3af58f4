"""`queue --mine` with an agent's own (non-administrator) key, and `queue --assignee` with
the tool's key, against the real Redmine."""

from __future__ import annotations

from datetime import timedelta

from slaharness import SlaHarness, now_minute


def test_an_agent_sees_their_own_queue_with_their_own_key(sla: SlaHarness) -> None:
    project = sla.new_project()
    config = sla.config([project], round_the_clock=True)
    t0 = now_minute() - timedelta(hours=1)
    agent1 = sla.rm.user_id("agent1")
    agent2 = sla.rm.user_id("agent2")
    normal = sla.create("client1", "Normal, agent1", t0, project=project, assigned_to_id=agent1)
    urgent = sla.create(
        "client1", "Urgent, agent1", t0, project=project, assigned_to_id=agent1, priority="Urgent"
    )
    other = sla.create("client1", "For agent2", t0, project=project, assigned_to_id=agent2)

    mine = sla.run(config, "queue", "--mine", "--format", "json", key=sla.rm.key("agent1"))
    assert mine.rc == 0, str(mine)
    assert [row["issue"] for row in mine.json()] == [urgent, normal]
    assert "not an administrator" in mine.stderr and "group membership" in mine.stderr

    by_login = sla.run(config, "queue", "--assignee", "agent2", "--format", "json")
    assert by_login.rc == 0, str(by_login)
    assert [row["issue"] for row in by_login.json()] == [other]
    everyone = sla.run(config, "queue", "--format", "json")
    assert {row["issue"] for row in everyone.json()} == {normal, urgent, other}
