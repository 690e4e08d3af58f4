"""The go-live date (`[sync] since`) and the warning before an auto-close
(`[auto_close] warn_before_working_hours`) against the real Redmine (SPEC: what the
tool writes in Redmine -- Auto-close warning, Go-live; configuration `[sync]`,
`[auto_close]`).

Every test uses the round-the-clock calendar (`mode = "24x7"`): working minutes are
wall-clock minutes and every minute is working time, so the notes a client reads (the
warning, the close) may go out whatever the hour the test runs at. Elapsed time is
simulated by backdating `created_on` of the issue and of its journals in Redmine's
database, relative to `now_minute()`.

Warning cases: `after_working_hours = 8`, `warn_before_working_hours = 2`, so the
warning is due after 6 h of waiting and the close at 8 h (never before the time the
warning announced).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slaharness import ALMATY, RU_FIELDS, SlaHarness, local_str, now_minute

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
AWAITING_RU = "Ожидает ответа клиента"
WARN = {"auto_close": {"after_working_hours": 8, "warn_before_working_hours": 2}}
# How the warning names the planned close, per notes.language (texts/*.py).
CLOSE_ON = {"ru": "будет закрыто {}", "en": "will be closed on {}"}
WHEN_FORMAT = {"ru": "%d.%m.%Y в %H:%M", "en": "%d.%m.%Y at %H:%M"}


# --------------------------------------------------------------------------- helpers
def _announces(language: str, close: datetime) -> str:
    """What the warning says about a close at `close`: the local time, to the minute."""
    return CLOSE_ON[language].format(close.astimezone(ALMATY).strftime(WHEN_FORMAT[language]))


def _tagged(sla: SlaHarness, issue_id: int, tag: str, login: str | None = None) -> list[dict]:
    """Journals whose notes start with exactly `[sla:TAG]` (sla.notes() matches by prefix,
    so `auto_close` would also find `auto_close:warning`)."""
    return [
        j
        for j in sla.rm.journals(issue_id, login)
        if (j.get("notes") or "").startswith(f"[sla:{tag}]")
    ]


def _noted(sla: SlaHarness, issue_id: int) -> list[dict]:
    """The issue's journals that carry a note (of anyone)."""
    return [j for j in sla.rm.journals(issue_id) if (j.get("notes") or "").strip()]


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _shift_back(
    sla: SlaHarness, issue_id: int, delta: timedelta, *, from_journal: int | None = None
) -> None:
    """Move the issue's history `delta` into the past, straight in Redmine's database:
    its creation and every journal, or (`from_journal`) only the journals from that id on.
    Order is kept, so the timeline stays consistent; updated_on is bumped to now."""
    rm = sla.rm
    with rm.db() as conn:
        created = conn.execute(
            "SELECT created_on FROM issues WHERE id = ?", (issue_id,)
        ).fetchone()[0]
        journals = conn.execute(
            "SELECT id, created_on FROM journals WHERE journalized_type = 'Issue' "
            "AND journalized_id = ? ORDER BY id",
            (issue_id,),
        ).fetchall()
    if from_journal is None:
        rm.set_created(issue_id, rm.parse_db_time(created) - delta)
    for jid, when in journals:
        if from_journal is None or jid >= from_journal:
            rm.set_journal_created(jid, rm.parse_db_time(when) - delta)


def _waiting_issue(
    sla: SlaHarness, waited: timedelta, *, russian: bool = False, subject: str = ""
) -> tuple[int, datetime]:
    """An issue whose staff answer moved it to the awaiting-client status `waited` ago
    (created 10 minutes before that); returns its id and the status change's time."""
    asked = now_minute() - waited
    created = asked - 10 * MINUTE
    if russian:
        issue_id = sla.create(
            "client1",
            subject or "Не подписывается документ",
            created,
            project="edoc-ru",
            tracker="Консультация",
            priority="Обычный",
            journals=[
                (asked, "agent2", {"notes": "Уточните номер документа.", "status": AWAITING_RU})
            ],
        )
    else:
        issue_id = sla.create(
            "client1",
            subject or "Question about roaming",
            created,
            journals=[(asked, "agent1", {"notes": "Which operator?", "status": "Feedback"})],
        )
    return issue_id, asked


def _warn_config(sla: SlaHarness, *, russian: bool = False) -> Path:
    if russian:
        return sla.config(
            ["edoc-ru"], russian=True, language="ru", round_the_clock=True, overrides=WARN
        )
    return sla.config(round_the_clock=True, overrides=WARN)


def _counts_line(line: str) -> dict[str, int]:
    """`dry run would write: field stamps: 3, notes [sla:x]: 1` -> {kind: n}."""
    prefix = "dry run would write: "
    assert line.startswith(prefix), line
    out: dict[str, int] = {}
    for part in line.removeprefix(prefix).split(", "):
        kind, _, n = part.rpartition(": ")
        out[kind] = int(n)
    return out


# --------------------------------------------------------------------------- go-live
def test_go_live_old_issues_get_fields_only_a_fresh_one_everything(sla: SlaHarness) -> None:
    """A fresh project, round-the-clock calendar, `[sync] since` = the go-live day (the
    local date of the fresh issue, i.e. today):
    * OLD_BREACHED: basic, created 20 days ago, never answered (long breached);
    * OLD_WAITING: created 20 days ago, agent1 set Feedback 30 min later, no client note
      since (far past the 8-hour auto-close);
    * FRESH: VIP, online assistant (first response 15 min), created 30 min ago.

    Without `since` a dry run would close OLD_WAITING and post notes on both old issues.
    With it the dry run's first line counts the field stamps and no note, close or
    watcher for the old issues; the real pass then stamps their fields (OLD_BREACHED
    `breached`, OLD_WAITING `paused`) and writes no note of any kind, no status change,
    no watcher, while FRESH gets its fields, its private breach note and lead1 as a
    watcher."""
    project = sla.new_project()
    now = now_minute()
    old = now - timedelta(days=20)
    fresh_created = now - 30 * MINUTE
    since = fresh_created.astimezone(ALMATY).date()  # today (but just after midnight)
    old_breached = sla.create("client1", "Where is the archive?", old, project=project)
    old_waiting = sla.create(
        "client2",
        "Signature question",
        old,
        project=project,
        journals=[
            (old + 30 * MINUTE, "agent1", {"notes": "Which certificate?", "status": "Feedback"})
        ],
    )
    fresh = sla.create(
        "client1",
        "Cannot send a document to the counterparty",
        fresh_created,
        project=project,
        custom_fields={"SLA level": "VIP", "Channel": "Online assistant"},
    )
    olds = (old_breached, old_waiting)
    before = {i: sla.state(i) for i in (*olds, fresh)}
    notes_before = {i: [j["id"] for j in _noted(sla, i)] for i in olds}

    # Control: without a go-live date the old issues would be closed and noted.
    unbounded = sla.config([project], round_the_clock=True)
    control = sla.sync(unbounded, *olds, dry_run=True)
    assert control["counts"].get("closes") == 1, control["counts"]
    assert any(k.startswith("notes [sla:") for k in control["counts"]), control["counts"]

    config = sla.config([project], round_the_clock=True, overrides={"sync": {"since": since}})
    text = sla.run(config, "sync", "--dry-run")
    only_old = sla.run(config, "sync", "--dry-run", *[f"--issue={i}" for i in olds])
    planned = sla.sync(config, dry_run=True)

    assert text.rc == 0, str(text)
    assert only_old.rc == 0, str(only_old)
    assert only_old.stdout.splitlines()[0] == "dry run would write: field stamps: 2", str(only_old)
    counts = _counts_line(text.stdout.splitlines()[0])
    assert counts == planned["counts"], (text.stdout, planned["counts"])
    assert counts["field stamps"] == 3
    assert "closes" not in counts and "status changes" not in counts
    for i in olds:
        assert [w["write"] for w in planned["planned"] if w["issue"] == i] == ["fields"], i
    # every note the dry run counts is FRESH's
    fresh_notes = [w for w in planned["planned"] if w["issue"] == fresh and "note" in w]
    note_kinds = {k: n for k, n in counts.items() if k.startswith("notes [sla:")}
    assert sum(note_kinds.values()) == len(fresh_notes) >= 1, (counts, fresh_notes)
    assert any(w["note"].startswith("[sla:first_response:breach]") for w in fresh_notes)
    assert {i: sla.state(i) for i in (*olds, fresh)} == before  # a dry run writes nothing

    summary = sla.sync(config)

    assert summary["errors"] == [] and summary["closed"] == summary["reopened"] == 0
    lead, bot = sla.rm.user_id("lead1"), sla.rm.user_id("sla-bot")
    # the old issues: fields stamped, nothing else
    for i in olds:
        assert [j["id"] for j in _noted(sla, i)] == notes_before[i], _noted(sla, i)
        assert sla.notes(i) == []
        state = sla.state(i)
        # (Redmine itself makes whoever updates an issue a watcher: sla-bot, by stamping.)
        assert set(state["watchers"]) - {bot} == set(before[i]["watchers"]), state["watchers"]
        assert lead not in state["watchers"]
        assert (state["status"], state["priority"]) == (
            before[i]["status"],
            before[i]["priority"],
        )
        assert len(state["journals"]) > len(before[i]["journals"])  # the stamp itself
    got = sla.fields(old_breached)
    assert got["status"] == "New"
    assert got["sla_state"] == "breached"
    assert got["category"] == "Consultation"
    assert got["first_response_due"] == local_str(old + 540 * MINUTE)
    assert got["resolution_due"] == local_str(old + 1080 * MINUTE)
    assert got["due_date"] == local_str(old + 1080 * MINUTE)[:10]
    got = sla.fields(old_waiting)
    assert got["status"] == "Feedback"
    assert got["sla_state"] == "paused"
    assert got["resolution_due"] == "paused, 1050 min left"  # 30 of 1080 minutes used
    assert got["first_response_due"] == local_str(old + 540 * MINUTE)
    # the fresh issue: the normal treatment
    got = sla.fields(fresh)
    assert got["first_response_due"] == local_str(fresh_created + 15 * MINUTE)
    assert got["sla_state"] == "breached"
    (breach,) = _tagged(sla, fresh, "first_response:breach")
    assert breach["private_notes"] is True
    assert breach["user"]["id"] == bot
    assert lead in sla.state(fresh)["watchers"]


# --------------------------------------------------------------------------- warning
def test_warning_then_close_at_the_threshold_russian(sla: SlaHarness) -> None:
    """Russian tracker, notes in Russian. «Ожидает ответа клиента» entered 6 h 10 min ago
    (>= 8 - 2 h): one PUBLIC `[sla:auto_close:warning]` note that the client sees,
    naming the planned close, the status change + 8 h in Almaty as
    «будет закрыто DD.MM.YYYY в HH:MM»; the status is unchanged and a second pass
    writes nothing. The whole history is then moved 2 h back (the status change and the
    warning with it; the wait is now 8 h 10 min): the pass closes it to «Закрыта» with
    one public `[sla:auto_close]` note, which does not repeat the warning."""
    config = _warn_config(sla, russian=True)
    issue_id, asked = _waiting_issue(sla, 6 * HOUR + 10 * MINUTE, russian=True)

    first = sla.sync(config, issue_id)
    journals = sla.rm.journal_ids(issue_id)
    second = sla.sync(config, issue_id)

    assert first["errors"] == [] and first["closed"] == 0
    assert second["updated"] == 0 and second["closed"] == 0
    assert sla.rm.journal_ids(issue_id) == journals
    (warning,) = _tagged(sla, issue_id, "auto_close:warning")
    assert warning["private_notes"] is False
    assert warning["user"]["id"] == sla.rm.user_id("sla-bot")
    assert [j["id"] for j in _tagged(sla, issue_id, "auto_close:warning", "client1")] == [
        warning["id"]
    ]
    # before the close threshold, so not a late warning: it names the threshold itself
    assert _announces("ru", asked + 8 * HOUR) in warning["notes"], warning["notes"]
    assert _tagged(sla, issue_id, "auto_close") == []
    got = sla.fields(issue_id, RU_FIELDS)
    assert got["status"] == AWAITING_RU
    assert got["sla_state"] == "paused"

    _shift_back(sla, issue_id, 2 * HOUR)
    closing = sla.sync(config, issue_id)

    assert closing["closed"] == 1 and closing["errors"] == []
    assert sla.fields(issue_id, RU_FIELDS)["status"] == "Закрыта"
    (close,) = _tagged(sla, issue_id, "auto_close")
    assert close["private_notes"] is False
    assert [(d["name"], d["new_value"]) for d in close["details"]] == [
        ("status_id", str(sla.rm.status_id("Закрыта")))
    ]
    warning_text = warning["notes"].removeprefix("[sla:auto_close:warning]").strip()
    assert warning_text not in close["notes"]
    assert "Мы ждём" not in close["notes"]
    assert len(_tagged(sla, issue_id, "auto_close:warning")) == 1
    assert sla.notes(issue_id, "reopen") == []


def test_late_warning_announces_two_hours_from_itself_and_does_not_close(
    sla: SlaHarness,
) -> None:
    """Feedback entered 9 h ago, never warned (the tool was down past the close
    threshold): the pass posts the public warning announcing its own time + 2 h
    ("will be closed on DD.MM.YYYY at HH:MM"), not the threshold, and does NOT close;
    a second pass neither closes nor writes. Once the warning (and what followed it) is
    moved 2 h back, the announced time has come: the pass closes it."""
    config = _warn_config(sla)
    issue_id, asked = _waiting_issue(sla, 9 * HOUR)

    start = datetime.now(UTC)
    first = sla.sync(config, issue_id)
    end = datetime.now(UTC)
    journals = sla.rm.journal_ids(issue_id)
    second = sla.sync(config, issue_id)

    assert first["closed"] == 0 and first["errors"] == []
    assert second["closed"] == 0 and second["updated"] == 0
    assert sla.rm.journal_ids(issue_id) == journals
    (warning,) = _tagged(sla, issue_id, "auto_close:warning")
    assert warning["private_notes"] is False
    # the pass's own clock: some minute between `start` and `end`
    minute = start.replace(second=0, microsecond=0)
    possible = []
    while minute <= end:
        possible.append(_announces("en", minute + 2 * HOUR))
        minute += MINUTE
    assert any(p in warning["notes"] for p in possible), (possible, warning["notes"])
    assert _announces("en", asked + 8 * HOUR) not in warning["notes"]
    assert _tagged(sla, issue_id, "auto_close") == []
    assert sla.fields(issue_id)["status"] == "Feedback"

    _shift_back(sla, issue_id, 2 * HOUR, from_journal=warning["id"])
    closing = sla.sync(config, issue_id)

    assert closing["closed"] == 1
    assert sla.fields(issue_id)["status"] == "Closed"
    assert len(_tagged(sla, issue_id, "auto_close")) == 1


def test_client_answer_after_the_warning_reopens_and_never_closes(sla: SlaHarness) -> None:
    """Feedback entered 6 h 10 min ago: the warning. client1 then answers; the history
    is moved 2 h back (the wait, had the client not answered, would now be past the
    close threshold and the warning's announced time). The pass moves the issue back to
    In Progress with `[sla:reopen]` and does not close it; a further pass closes
    nothing either."""
    config = _warn_config(sla)
    issue_id, _ = _waiting_issue(sla, 6 * HOUR + 10 * MINUTE)

    warned = sla.sync(config, issue_id)
    assert warned["closed"] == 0
    assert len(_tagged(sla, issue_id, "auto_close:warning")) == 1

    sla.rm.add_note("client1", issue_id, "The operator is Beeline.")
    _shift_back(sla, issue_id, 2 * HOUR)
    answered = sla.sync(config, issue_id)
    again = sla.sync(config, issue_id)

    assert (answered["reopened"], answered["closed"]) == (1, 0)
    assert (again["reopened"], again["closed"]) == (0, 0)
    got: dict[str, Any] = sla.fields(issue_id)
    assert got["status"] == "In Progress"
    assert len(_tagged(sla, issue_id, "reopen")) == 1
    assert _tagged(sla, issue_id, "auto_close") == []
    assert len(_tagged(sla, issue_id, "auto_close:warning")) == 1
