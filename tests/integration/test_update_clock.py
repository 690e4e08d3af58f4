"""The update clock against a real Redmine (SPEC.md, "Update"; `[targets.update]`).

The round-the-clock calendar (every minute is working time) and an issue created a few
hours before now, as in test_reminders.py. VIP normal: first response 120 min, resolution
540 (reminder at 405); `[targets.update] vip = 60`.
"""

from __future__ import annotations

from datetime import timedelta

from slaharness import SlaHarness, local_str, now_minute

VIP = {"SLA level": "VIP"}
MINUTE = timedelta(minutes=1)


def test_an_old_last_public_note_gets_one_update_breach(sla: SlaHarness) -> None:
    """Created 200 min ago, agent1 answered publicly 5 min after creation and set it In
    Progress: the first response is met, the resolution clock (200 of 540) is on track,
    and the update interval since that note (195 of 60 min) is over its target. One
    private `[sla:update:breach]` mentioning @agent1 and @lead1, naming the due time (the
    note + 60 min); sla_state stays on_track. A second pass writes nothing."""
    config = sla.config(round_the_clock=True, overrides={"targets": {"update": {"vip": 60}}})
    created = now_minute() - timedelta(minutes=200)
    answered = created + 5 * MINUTE
    issue_id = sla.create(
        "client1",
        "The register does not load",
        created,
        custom_fields=VIP,
        assigned_to="agent1",
        journals=[(answered, "agent1", {"notes": "Looking into it.", "status": "In Progress"})],
    )

    first = sla.sync(config, issue_id)
    second = sla.sync(config, issue_id)

    assert (first["breaches"], first["reminders"]) == (1, 0)
    assert (second["breaches"], second["reminders"], second["updated"]) == (0, 0, 0)
    notes = sla.notes(issue_id, "update:")
    assert len(notes) == 1, notes
    note = notes[0]
    assert note["notes"].startswith("[sla:update:breach] ")
    assert note["private_notes"] is True
    assert note["user"]["id"] == sla.rm.user_id("sla-bot")
    assert "@agent1" in note["notes"] and "@lead1" in note["notes"]
    assert local_str(answered + 60 * MINUTE) in note["notes"]
    assert sla.clock_notes(issue_id) == []  # no first-response or resolution note
    assert sla.fields(issue_id)["sla_state"] == "on_track"
    assert sla.notes(issue_id, login="client1") == []
    update = sla.explain(config, issue_id)["update"]
    assert update["state"] == "breached"
    assert update["since"] == local_str(answered)
    assert update["target_minutes"] == 60
