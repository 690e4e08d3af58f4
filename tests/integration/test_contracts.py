"""Contract policies (`[[policies]]`) and escalation levels (`[escalation]`) against the
real Redmine configured in Russian (SPEC: "SLA policy", Contract policies; "What the tool
writes in Redmine", Escalation).

Two contracts over the default working hours (09:00-18:00):
* "bank-24x7", matched by the author's group (a group created for the test, holding
  client2): every minute counts; first response (basic) 60 min, resolution 5000 min;
* "vip-extended", matched by the service-level value "VIP": 08:00-20:00, default targets.

Nothing depends on the time of day: the 24x7 issue's times are relative to now (every
minute is working time for it), and the extended-hours issue was created on a fixed
Monday in the past, before `[sync] since`, so it gets its fields and nothing else.
Elapsed time is simulated by backdating the issue and its journals in Redmine's database.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from slaharness import RU_FIELDS, SlaHarness, almaty, local_str, now_minute

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _config(sla: SlaHarness, project: str, group: str):
    return sla.config(
        [project],
        russian=True,
        language="ru",
        overrides={
            "staff": {"lead": ""},  # the escalation alone adds lead1 as a watcher
            "sync": {"since": "2025-01-14"},
            "escalation": {"after_breach_working_minutes": [120, 480], "logins": ["lead1"]},
            "policies": [
                {
                    "name": "bank-24x7",
                    "groups": [group],
                    "targets": {
                        "first_response": {"basic_other": 60},
                        "resolution": {"basic": 5000},
                    },
                    "calendar": {"mode": "24x7"},
                },
                {
                    "name": "vip-extended",
                    "field_values": ["VIP"],
                    "calendar": {"work_start": "08:00", "work_end": "20:00"},
                },
            ],
        },
    )


def _shift_back(sla: SlaHarness, issue_id: int, delta: timedelta) -> None:
    """Move the whole history (creation and every journal, the tool's too) `delta` back."""
    rm = sla.rm
    with rm.db() as conn:
        created = conn.execute("SELECT created_on FROM issues WHERE id = ?", (issue_id,))
        created_on = created.fetchone()[0]
        journals = conn.execute(
            "SELECT id, created_on FROM journals WHERE journalized_type = 'Issue' "
            "AND journalized_id = ?",
            (issue_id,),
        ).fetchall()
    rm.set_created(issue_id, rm.parse_db_time(created_on) - delta)
    for jid, when in journals:
        rm.set_journal_created(jid, rm.parse_db_time(when) - delta)


def _tags(sla: SlaHarness, issue_id: int) -> list[str]:
    """The tags of the tool's clock notes (reminders, breaches, escalations), in order."""
    return [j["notes"].split("]", 1)[0] + "]" for j in sla.clock_notes(issue_id)]


def test_two_contracts_due_times_and_escalation_levels(sla: SlaHarness) -> None:
    rm = sla.rm
    project = sla.new_project(russian=True)
    group = f"Банк 24x7 {uuid.uuid4().hex[:6]}"
    rm.post("/groups.json", {"group": {"name": group, "user_ids": [rm.user_id("client2")]}})
    config = _config(sla, project, group)

    check = sla.run(config, "check")
    assert not [line for line in check.stdout.splitlines() if "policies[" in line], str(check)

    now = now_minute()
    bank_created = now - 90 * MINUTE
    bank = sla.create(
        "client2",
        "Не проходит платёж",
        bank_created,
        project=project,
        tracker="Консультация",
        priority="Обычный",
        assigned_to="agent2",
    )
    # Monday 2025-01-13 19:00: under 08:00-20:00 one hour that day, the rest on Tuesday.
    vip = sla.create(
        "client1",
        "Не подписывается документ",
        almaty(2025, 1, 13, 19, 0),
        project=project,
        tracker="Консультация",
        priority="Обычный",
        custom_fields={RU_FIELDS["service_level"]: "VIP"},
    )

    summary = sla.sync(config)
    assert summary["errors"] == [], summary

    bank_fields = sla.fields(bank, RU_FIELDS)
    assert bank_fields["first_response_due"] == local_str(bank_created + 60 * MINUTE)
    assert bank_fields["resolution_due"] == local_str(bank_created + 5000 * MINUTE)
    assert bank_fields["sla_state"] == "breached"
    vip_fields = sla.fields(vip, RU_FIELDS)
    assert vip_fields["first_response_due"] == "2025-01-14T09:00+05:00"  # default: 11:00
    assert vip_fields["resolution_due"] == "2025-01-14T16:00+05:00"  # default: 18:00
    assert vip_fields["due_date"] == "2025-01-14"
    assert sla.notes(vip) == []  # before the go-live: fields only

    shown = sla.explain(config, bank)
    assert (shown["policy"], shown["calendar"]) == ("bank-24x7", "24x7, Asia/Almaty")
    assert shown["first_response"]["target_minutes"] == 60
    shown = sla.explain(config, vip)
    assert shown["policy"] == "vip-extended"
    assert shown["calendar"] == "08:00-20:00 working days, Asia/Almaty"

    # 30 minutes over: the breach note only.
    assert _tags(sla, bank) == ["[sla:first_response:breach]"]
    lead1 = rm.user_id("lead1")
    assert lead1 not in sla.state(bank)["watchers"]

    # Left 2 hours more (150 min over): level 1, once.
    _shift_back(sla, bank, 2 * HOUR)
    sla.sync(config)
    sla.sync(config)
    assert _tags(sla, bank) == [
        "[sla:first_response:breach]",
        "[sla:first_response:escalation_1]",
    ]
    assert lead1 in sla.state(bank)["watchers"]

    # Left 6 hours more (510 min over, past 480): level 2, once.
    _shift_back(sla, bank, 6 * HOUR)
    sla.sync(config)
    sla.sync(config)
    notes = sla.clock_notes(bank)
    assert _tags(sla, bank) == [
        "[sla:first_response:breach]",
        "[sla:first_response:escalation_1]",
        "[sla:first_response:escalation_2]",
    ]
    for journal in notes[1:]:
        assert journal["private_notes"] is True
        assert journal["notes"].endswith("@agent2 @lead1"), journal["notes"]
    assert "Эскалация, уровень 2: срок первого ответа" in notes[2]["notes"]
    assert sla.clock_notes(bank, login="client2") == []  # the client sees none of them
    assert sla.state(bank)["watchers"].count(lead1) == 1


def test_check_names_a_policy_group_and_an_escalation_login_that_do_not_exist(
    sla: SlaHarness,
) -> None:
    config = sla.config(
        ["edoc-ru"],
        russian=True,
        overrides={
            "escalation": {"after_breach_working_minutes": [120], "logins": ["nobody-here"]},
            "policies": [
                {"name": "ghost", "groups": ["Нет такой группы"], "field_values": ["Золото"]}
            ],
        },
    )
    result = sla.run(config, "check")
    assert result.rc == 1, str(result)
    problems = result.stdout + result.stderr
    assert "escalation.logins: no user with the login 'nobody-here'" in problems
    assert "policies[0].groups: no group 'Нет такой группы' in the tracker" in problems
    assert (
        "policies[0].field_values: the custom field 'Уровень обслуживания' has no value 'Золото'"
        in problems
    )
