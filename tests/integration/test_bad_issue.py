"""One bad issue never stops a pass (SPEC principle 6; exit code 1; errors in JSON).

Real refusals by Redmine, no mocks:
* an agent set a start date (2030-01-01) after the due date the tool computes: Redmine
  answers 422 "Due date must be greater than start date" to the tool's update;
* an issue in a project an admin has closed (read-only): Redmine answers 403 to
  every write, even an administrator's.
Issues created Thu 2025-01-02 10:00 (real calendar): basic, first response
2025-01-05T18:00, resolution 2025-01-06T18:00 (see test_stamps.py).
"""

from __future__ import annotations

from datetime import timedelta

from slaharness import SlaHarness, almaty

JAN2 = almaty(2025, 1, 2, 10, 0)
MAR3 = almaty(2025, 3, 3, 10, 0)
PROJECT_STATUS_CLOSED = 5  # Project::STATUS_CLOSED


def _assert_stamped(sla: SlaHarness, issue_id: int) -> None:
    got = sla.fields(issue_id)
    assert got["first_response_due"] == "2025-01-05T18:00+05:00", issue_id
    assert got["resolution_due"] == "2025-01-06T18:00+05:00", issue_id
    assert got["due_date"] == "2025-01-06", issue_id


def test_an_update_redmine_refuses_is_reported_and_the_pass_goes_on(sla: SlaHarness) -> None:
    """Three issues; the middle one has start date 2030-01-01, so Redmine refuses the
    tool's due date 2025-01-06. `sync` stamps the two others, exits 1, and names the
    bad issue with Redmine's reason in the summary (text on stderr, JSON errors)."""
    project = sla.new_project()
    first = sla.create("client1", "Question one", JAN2, project=project)
    bad = sla.create("client1", "Question two", JAN2, project=project, start_date="2030-01-01")
    last = sla.create("client2", "Question three", JAN2, project=project)
    config = sla.config([project])

    text = sla.run(config, "sync")

    assert text.rc == 1, str(text)
    assert f"error: issue {bad}:" in text.stderr, str(text)
    assert "Due date must be greater than start date" in text.stderr
    assert "errors 1" in text.stdout
    _assert_stamped(sla, first)
    _assert_stamped(sla, last)

    summary = sla.sync(config, expect_rc=1)
    assert summary["seen"] == 3 and summary["updated"] == 0
    assert [e["issue"] for e in summary["errors"]] == [bad]
    assert "Due date must be greater than start date" in summary["errors"][0]["error"]


def test_issues_of_a_closed_project_fail_alone(sla: SlaHarness) -> None:
    """Two projects in the configuration; the second is closed (read-only) and holds
    an auto-close candidate and an unstamped issue. The pass stamps the first
    project's issue, reports both closed-project issues with a clear reason, exits 1;
    the auto-close candidate stays in Feedback."""
    good_project = sla.new_project()
    closed_project = sla.new_project()
    good = sla.create("client1", "Question", JAN2, project=good_project)
    stamp = sla.create("client1", "Question", JAN2, project=closed_project)
    waiting = sla.create(
        "client1",
        "Question",
        MAR3,
        project=closed_project,
        journals=[
            (MAR3 + timedelta(minutes=30), "agent1", {"notes": "Which?", "status": "Feedback"})
        ],
    )
    with sla.rm.db() as conn:
        conn.execute(
            "UPDATE projects SET status = ? WHERE identifier = ?",
            (PROJECT_STATUS_CLOSED, closed_project),
        )

    summary = sla.sync(sla.config([good_project, closed_project]), expect_rc=1)

    assert summary["seen"] == 3
    assert sorted(e["issue"] for e in summary["errors"]) == sorted([stamp, waiting])
    for error in summary["errors"]:
        assert str(error["issue"]) in error["error"]
    _assert_stamped(sla, good)
    assert sla.fields(waiting)["status"] == "Feedback"
    assert sla.notes(waiting) == []


def test_error_lines_name_the_issue_once(sla: SlaHarness) -> None:
    """The text summary's error line reads `error: issue N: <reason>`; the reason
    must not repeat the `issue N:` prefix (seen: "error: issue 94: issue 94: the API
    key's user may not update this issue"; the log line likewise)."""
    project = sla.new_project()
    bad = sla.create("client1", "Question", JAN2, project=project, start_date="2030-01-01")
    config = sla.config([project])

    text = sla.run(config, "sync")

    assert text.rc == 1, str(text)
    assert f"error: issue {bad}:" in text.stderr
    assert f"issue {bad}: issue {bad}:" not in text.stderr, text.stderr


def test_sla_fields_missing_on_the_issue_are_reported_not_silently_dropped(
    sla: SlaHarness,
) -> None:
    """The configured state field exists in Redmine but is not enabled for the
    issue's tracker (here: the Russian "SLA статус" named in an English project's
    configuration; in real life a tracker the admin did not tick for the field).
    `check` says so before any pass (the field exists, but is not enabled for the
    tracker). Redmine silently ignores a value for a field the issue does not have,
    so the pass too must notice: it reports the issue with the field's name (exit 1)
    instead of claiming "updated" on every pass while the field never gets a value."""
    project = sla.new_project()
    issue_id = sla.create("client1", "Question", JAN2, project=project)
    config = sla.config([project], overrides={"fields": {"sla_state": "SLA статус"}})
    checked = sla.run(config, "check")
    assert checked.rc == 1
    assert any(
        line.startswith("problem: fields.sla_state:") and "SLA статус" in line
        for line in checked.stdout.splitlines()
    ), checked.stdout

    sla.run(config, "sync")  # whatever the first pass does
    second = sla.run(config, "sync", "--format", "json")

    summary = second.json()
    reported = [e for e in summary["errors"] if e["issue"] == issue_id]
    assert second.rc == 1 and reported, (
        "the second pass neither wrote the field nor reported it:\n" + str(second)
    )
    assert "SLA статус" in reported[0]["error"]


def test_unknown_issue_is_an_error_not_a_crash(sla: SlaHarness) -> None:
    """`sync --issue` and `explain` on an id Redmine does not have: exit 1 and the id
    in the message; no traceback."""
    config = sla.config()
    missing = 99_999_999

    summary = sla.sync(config, missing, expect_rc=1)
    explained = sla.run(config, "explain", str(missing), "--format", "json")

    assert [e["issue"] for e in summary["errors"]] == [missing]
    assert explained.rc == 1, str(explained)
    assert str(missing) in explained.stderr
