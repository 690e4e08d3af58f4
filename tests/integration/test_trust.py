"""Believe by author on the real Redmine (SPEC.md, principle 8; SECURITY.md).

A client's public note that starts with one of the tool's tags silences nothing; a level a
client gave their own issue is not believed; a note by Redmine's Anonymous user (mail from
an unknown sender) answers nothing. The 24x7 calendar makes them independent of the hour.
VIP, normal: first response 120 minutes; basic, other channel: 540.
"""

from __future__ import annotations

from datetime import timedelta

from slaharness import SlaHarness, local_str, now_minute

MINUTE = timedelta(minutes=1)


def test_a_clients_forged_breach_tag_does_not_silence_the_breach(sla: SlaHarness) -> None:
    config = sla.config(round_the_clock=True)
    created = now_minute() - 150 * MINUTE  # first response due 30 minutes ago
    issue_id = sla.create(
        "client1",
        "Cannot sign the contract",
        created,
        custom_fields={"SLA level": "VIP"},  # set by staff (the harness' setup journal)
        journals=[(created + MINUTE, "client1", {"notes": "[sla:first_response:breach] done"})],
    )
    summary = sla.sync(config, issue_id)
    assert summary["breaches"] == 1, summary
    forged, breach = sla.notes(issue_id, "first_response:breach")
    assert forged["user"]["id"] == sla.rm.user_id("client1")
    assert breach["user"]["id"] == sla.rm.user_id("sla-bot") and breach["private_notes"]
    assert sla.fields(issue_id)["sla_state"] == "breached"
    watchers = sla.rm.issue(issue_id)["watchers"]
    assert sla.rm.user_id("lead1") in {w["id"] for w in watchers}


def test_a_clients_forged_resolution_breach_does_not_breach_a_fresh_issue(
    sla: SlaHarness,
) -> None:
    config = sla.config(round_the_clock=True)
    created = now_minute() - 5 * MINUTE
    issue_id = sla.create(
        "client1",
        "A question",
        created,
        custom_fields={"SLA level": "VIP"},
        journals=[(created + MINUTE, "client1", {"notes": "[sla:resolution:breach] haha"})],
    )
    sla.sync(config, issue_id)
    assert sla.fields(issue_id)["sla_state"] == "on_track"
    assert sla.explain(config, issue_id)["sla_state"] == "on_track"


def test_a_level_the_client_set_is_not_believed(sla: SlaHarness) -> None:
    config = sla.config(round_the_clock=True)
    created = now_minute() - 10 * MINUTE
    issue_id = sla.create(
        "client1",
        "Make me VIP",
        created,
        custom_fields={"SLA level": "VIP", "Channel": "Online assistant"},
        granted_by=None,  # the client's own values
    )
    sla.sync(config, issue_id)
    # Basic, other channel: 540 minutes, not VIP online assistant's 15.
    assert sla.fields(issue_id)["first_response_due"] == local_str(created + 540 * MINUTE)
    explained = sla.explain(config, issue_id)
    assert (explained["level"], explained["channel"]) == ("basic", "other")
    assert {"field": "SLA level", "value": "VIP"} in explained["not_believed"]
    text = sla.run(config, "explain", str(issue_id))
    assert "not believed: SLA level = 'VIP'" in text.stdout


def test_an_anonymous_note_does_not_meet_the_first_response(sla: SlaHarness) -> None:
    """Redmine turns mail from an unknown sender into a note by its Anonymous user."""
    config = sla.config(round_the_clock=True)
    created = now_minute() - 150 * MINUTE
    issue_id = sla.create(
        "client1",
        "By e-mail",
        created,
        custom_fields={"SLA level": "VIP"},
        journals=[(created + 10 * MINUTE, "agent1", {"notes": "Answered by mail"})],
    )
    (journal_id,) = sla.rm.journal_ids(issue_id)
    with sla.rm.db() as conn:
        (anonymous,) = conn.execute("SELECT id FROM users WHERE type = 'AnonymousUser'").fetchone()
        conn.execute("UPDATE journals SET user_id = ? WHERE id = ?", (anonymous, journal_id))
    summary = sla.sync(config, issue_id)
    assert summary["breaches"] == 1, summary
    assert sla.fields(issue_id)["sla_state"] == "breached"


def test_a_status_renamed_after_check_stops_sync_naming_the_key(sla: SlaHarness) -> None:
    """`check` is clean; then an admin renames "Feedback" in Redmine. The next `sync`
    exits 2 naming statuses.awaiting_client (it used to exit 0 and plan wrong states)."""
    config = sla.config(round_the_clock=True)
    assert sla.run(config, "check").rc == 0
    renamed = "Feedback (renamed)"
    with sla.rm.db() as conn:
        conn.execute("UPDATE issue_statuses SET name = ? WHERE name = 'Feedback'", (renamed,))
    try:
        result = sla.run(config, "sync", "--format", "json")
        assert result.rc == 2, str(result)
        assert "statuses.awaiting_client: no status 'Feedback' in the tracker" in result.stderr
        assert repr(renamed) in result.stderr
    finally:
        with sla.rm.db() as conn:
            conn.execute("UPDATE issue_statuses SET name = 'Feedback' WHERE name = ?", (renamed,))
    assert sla.run(config, "sync", "--format", "json").rc in (0, 1)
