"""`setup-script` against the real Redmine: the printed Ruby script, run twice with
`bin/rails runner`, creates the fields and groups a configuration names (enabled for its
project and mapped trackers), changes nothing the second time, and `check` is then clean."""

from __future__ import annotations

import uuid

from railsrunner import rails_runner, redmine_version
from slaharness import SlaHarness


def test_setup_script_twice_then_check_is_clean(sla: SlaHarness) -> None:
    project = sla.new_project()
    tag = uuid.uuid4().hex[:6]
    fields = {
        "service_level": f"T14 level {tag}",
        "channel": f"T14 channel {tag}",
        "category": f"T14 category {tag}",
        "first_response_due": f"T14 first response {tag}",
        "resolution_due": f"T14 resolution {tag}",
        "sla_state": f"T14 state {tag}",
    }
    config = sla.config(
        [project],
        overrides={
            "fields": fields,
            "staff": {"groups": [f"T14 staff {tag}"]},
            "service_level": {"vip_groups": [f"T14 VIP {tag}"]},
        },
    )
    before = sla.run(config, "check")
    assert before.rc == 1 and f"no issue custom field 'T14 level {tag}'" in before.stdout

    printed = sla.run(config, "setup-script", "--staff-only-role", "Developer")
    assert printed.rc == 0, str(printed)
    script = sla.tmp_path / "setup.rb"
    script.write_text(printed.stdout, encoding="utf-8")

    first = rails_runner(sla.rm.db_path, script, version=redmine_version(sla.rm.env))
    assert first.returncode == 0, first.stderr[-3000:]
    # Six fields, two groups, the level and channel read-only for the client roles, and
    # the three saved queries (for the --staff-only-role role).
    assert first.stdout.count("created: ") == 13, first.stdout
    assert "created: saved query SLA queue (project " in first.stdout
    assert f"created: read-only T14 level {tag} for " in first.stdout
    second = rails_runner(sla.rm.db_path, script, version=redmine_version(sla.rm.env))
    assert second.returncode == 0, second.stderr[-3000:]
    assert "created: " not in second.stdout and second.stdout.count("exists: ") == 13

    after = sla.run(config, "check")
    assert after.rc == 0, str(after)
    assert after.stdout.startswith("ok:"), str(after)

    made = {
        f["name"]: f
        for f in sla.rm.get("/custom_fields.json")["custom_fields"]
        if f["name"] in fields.values()
    }
    assert len(made) == 6
    level = made[fields["service_level"]]
    assert level["field_format"] == "list" and level["visible"] is True
    assert [v["value"] for v in level["possible_values"]] == ["VIP", "Basic"]
    category = made[fields["category"]]
    assert [v["value"] for v in category["possible_values"]] == ["Consultation", "Defect"]
    state = made[fields["sla_state"]]
    assert state["field_format"] == "string" and state["visible"] is False
    assert [r["name"] for r in state["roles"]] == ["Developer"]
    assert sorted(t["name"] for t in state["trackers"]) == ["Bug", "Support"]
    enabled = sla.rm.get(f"/projects/{project}.json", params={"include": "issue_custom_fields"})
    names = {f["name"] for f in enabled["project"]["issue_custom_fields"]}
    assert set(fields.values()) <= names


def test_setup_script_makes_the_granting_fields_read_only_for_clients(sla: SlaHarness) -> None:
    """A client (Reporter) can neither file nor edit an issue with the service level or the
    channel once setup-script ran; an agent (Developer) still sets them."""
    project = sla.new_project()
    tag = uuid.uuid4().hex[:6]
    level, channel = f"RO level {tag}", f"RO channel {tag}"
    config = sla.config(
        [project],
        overrides={"fields": {"service_level": level, "channel": channel}},
    )
    printed = sla.run(config, "setup-script", "--staff-only-role", "Developer")
    assert printed.rc == 0, str(printed)
    script = sla.tmp_path / "setup.rb"
    script.write_text(printed.stdout, encoding="utf-8")
    ran = rails_runner(sla.rm.db_path, script, version=redmine_version(sla.rm.env))
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert f"created: read-only {level} for " in ran.stdout, ran.stdout
    issue_id = sla.rm.create_issue(
        "client1",
        "Сделайте меня VIP",
        project=project,
        custom_fields={level: "VIP", channel: "Online assistant"},
        check=False,
    )
    values = sla.fields(issue_id, {"level": level, "channel": channel})
    assert values["level"] in (None, "") and values["channel"] in (None, ""), values
    sla.rm.update("client1", issue_id, custom_fields={level: "VIP"}, check=False)
    assert sla.fields(issue_id, {"level": level})["level"] in (None, "")
    sla.rm.update("agent1", issue_id, custom_fields={level: "VIP"})
    assert sla.fields(issue_id, {"level": level})["level"] == "VIP"
