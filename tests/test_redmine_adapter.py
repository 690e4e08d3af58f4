"""The Redmine adapter against canned HTTP answers (`responses`; no network, no sleeping)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers

from sup_sla_sync.adapters.redmine import UNSET, RedmineAdapter, convert, transport
from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import load_zone
from sup_sla_sync.core.model import FieldChange, cf
from sup_sla_sync.errors import AuthError, ConfigError, TrackerError, TrackerUnavailable

URL = "https://redmine.test"
KEY = "k3y-0f-the-sla-bot-5ecret"
T0 = "2025-01-13T04:00:00Z"  # Monday 09:00 in Astana (UTC+5)


def settings(**redmine_options: Any) -> Settings:
    options = {"url": URL, "api_key": KEY, "projects": ["edoc"], "timeout_seconds": 7}
    return Settings(redmine={**options, **redmine_options})


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def adapter(sleeps: list[float]) -> RedmineAdapter:
    return RedmineAdapter(settings(), sleep=sleeps.append)


# --- canned answers ------------------------------------------------------------------


def add_directory(rsps: responses.RequestsMock) -> None:
    statuses = [
        {"id": 1, "name": "New", "is_closed": False},
        {"id": 2, "name": "In Progress", "is_closed": False},
        {"id": 4, "name": "Feedback", "is_closed": False},
        {"id": 5, "name": "Closed", "is_closed": True},
        # The other names the default configuration gives (every pass checks them).
        {"id": 3, "name": "Resolved", "is_closed": False},
        {"id": 6, "name": "Rejected", "is_closed": True},
    ]
    priorities = [
        {"id": 2, "name": "Normal", "is_default": True},
        {"id": 3, "name": "High", "is_default": False},
        {"id": 1, "name": "Low", "is_default": False},
        {"id": 4, "name": "Urgent", "is_default": False},
        {"id": 5, "name": "Immediate", "is_default": False},
    ]
    fields = [
        {
            "id": 7,
            "name": "SLA level",
            "customized_type": "issue",
            "field_format": "list",
            "possible_values": [{"value": "VIP", "label": "VIP"}, {"value": "Basic"}],
            "multiple": False,
        },
        {"id": 8, "name": "SLA state", "customized_type": "issue", "field_format": "string"},
        {"id": 9, "name": "Tags", "customized_type": "issue", "field_format": "list"},
        {"id": 30, "name": "Phone", "customized_type": "user", "field_format": "string"},
        *(
            {"id": i, "name": n, "customized_type": "issue", "field_format": "string"}
            for i, n in (
                (51, "Channel"),
                (52, "Category"),
                (53, "SLA first response due"),
                (54, "SLA resolution due"),
            )
        ),
    ]
    rsps.get(f"{URL}/issue_statuses.json", json={"issue_statuses": statuses})
    trackers = [{"id": 1, "name": "Bug"}, {"id": 3, "name": "Support"}]
    rsps.get(f"{URL}/trackers.json", json={"trackers": trackers})
    rsps.get(f"{URL}/enumerations/issue_priorities.json", json={"issue_priorities": priorities})
    rsps.get(f"{URL}/custom_fields.json", json={"custom_fields": fields})
    rsps.get(
        f"{URL}/projects.json",
        json={
            "projects": [{"id": 1, "identifier": "edoc", "name": "E-DOC"}],
            "total_count": 1,
            "offset": 0,
            "limit": 100,
        },
    )
    rsps.get(
        f"{URL}/groups.json",
        json={"groups": [{"id": 40, "name": "Support"}, {"id": 41, "name": "VIP clients"}]},
    )


def issue_json(issue_id: int, updated: str = T0, **extra: Any) -> dict[str, Any]:
    return {
        "id": issue_id,
        "project": {"id": 1, "name": "E-DOC"},
        "tracker": {"id": 1, "name": "Bug"},
        "status": {"id": 1, "name": "New", "is_closed": False},
        "priority": {"id": 2, "name": "Normal"},
        "author": {"id": 20, "name": "A Client"},
        "assigned_to": {"id": 10, "name": "An Agent"},
        "subject": f"Issue {issue_id}",
        "description": "It does not work",
        "due_date": None,
        "custom_fields": [
            {"id": 7, "name": "SLA level", "value": "VIP"},
            {"id": 8, "name": "SLA state", "value": ""},
            {"id": 9, "name": "Tags", "multiple": True, "value": ["a", "b"]},
        ],
        "created_on": T0,
        "updated_on": updated,
        **extra,
    }


def add_issue_reads(rsps: responses.RequestsMock, issues: dict[int, dict[str, Any]]) -> None:
    """GET /issues/ID.json answers from `issues` (read at request time, so tests may edit it)."""

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        issue_id = int(re.findall(r"/issues/(\d+)\.json", request.url or "")[0])
        if issue_id not in issues:
            return 404, {}, ""
        body = {"journals": [], "watchers": [], **issues[issue_id]}
        return 200, {}, json.dumps({"issue": body})

    rsps.add_callback(responses.GET, re.compile(rf"{URL}/issues/\d+\.json"), callback=answer)


def listing(issues: list[dict[str, Any]], total: int, offset: int = 0) -> dict[str, Any]:
    return {"issues": issues, "total_count": total, "offset": offset, "limit": 100}


def query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def puts(rsps: responses.RequestsMock) -> list[Any]:
    return [c for c in rsps.calls if c.request.method == "PUT"]


def issue_calls(rsps: responses.RequestsMock) -> list[Any]:
    return [c for c in rsps.calls if re.search(r"/issues/\d+\.json", c.request.url)]


# --- reading issues ------------------------------------------------------------------


def test_iter_issues_follows_pages_by_total_count(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "PAGE_SIZE", 2)
    add_directory(rsps)
    issues = {i: issue_json(i) for i in (3, 5, 8, 13, 21)}
    add_issue_reads(rsps, issues)
    pages = [[5, 3], [13, 8], [21]]  # unsorted on purpose: the adapter yields by id
    for number, ids in enumerate(pages):
        rsps.get(
            f"{URL}/issues.json",
            json=listing([issues[i] for i in ids], total=5, offset=2 * number),
            match=[matchers.query_param_matcher({"offset": str(2 * number)}, strict_match=False)],
        )

    got = list(adapter.iter_issues(["edoc"], None))

    assert [s.id for s in got] == [3, 5, 8, 13, 21]
    list_calls = [c for c in rsps.calls if urlsplit(c.request.url).path == "/issues.json"]
    assert [query(c)["offset"] for c in list_calls] == [["0"], ["2"], ["4"]]
    assert all(
        query(c)["limit"] == ["2"]
        and query(c)["project_id"] == ["edoc"]
        and query(c)["status_id"] == ["open"]
        and query(c)["sort"] == ["id"]
        for c in list_calls
    )
    assert adapter.stats.list_pages == 3
    assert adapter.stats.issue_reads == 5


def test_a_short_page_does_not_skip_issues(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    """A server that caps `limit` below ours: the next offset is what was received."""
    add_directory(rsps)
    issues = {i: issue_json(i) for i in (1, 2, 3)}
    add_issue_reads(rsps, issues)
    for offset, ids in ((0, [1, 2]), (2, [3])):
        rsps.get(
            f"{URL}/issues.json",
            json=listing([issues[i] for i in ids], total=3, offset=offset),
            match=[matchers.query_param_matcher({"offset": str(offset)}, strict_match=False)],
        )
    assert [s.id for s in adapter.iter_issues([], None)] == [1, 2, 3]
    assert adapter.stats.list_pages == 2


def test_closed_since_lists_recently_closed_issues_too(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    issues = {1: issue_json(1), 2: issue_json(2, status={"id": 5, "name": "Closed"})}
    add_issue_reads(rsps, issues)
    rsps.get(
        f"{URL}/issues.json",
        json=listing([issues[1]], total=1),
        match=[matchers.query_param_matcher({"status_id": "open"}, strict_match=False)],
    )
    rsps.get(
        f"{URL}/issues.json",
        json=listing([issues[2]], total=1),
        match=[matchers.query_param_matcher({"status_id": "closed"}, strict_match=False)],
    )
    since = datetime(2025, 1, 13, 10, 0, tzinfo=timezone(timedelta(hours=5)))

    got = list(adapter.iter_issues([], since))

    assert [(s.id, s.status) for s in got] == [(1, "New"), (2, "Closed")]
    closed_call = next(c for c in rsps.calls if query(c).get("status_id") == ["closed"])
    assert query(closed_call)["updated_on"] == [">=2025-01-13T05:00:00Z"]
    assert "project_id" not in query(closed_call)  # no projects: every visible one


def test_journals_are_read_only_when_updated_on_changed(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    issues = {1: issue_json(1), 2: issue_json(2)}
    add_issue_reads(rsps, issues)
    rsps.add_callback(
        responses.GET,
        f"{URL}/issues.json",
        callback=lambda _: (200, {}, json.dumps(listing(list(issues.values()), total=2))),
    )

    list(adapter.iter_issues(["edoc"], None))
    assert adapter.stats.issue_reads == 2

    second = list(adapter.iter_issues(["edoc"], None))
    assert adapter.stats.issue_reads == 2  # nothing changed: no journal reads
    assert [len(s.journals) for s in second] == [0, 0]

    later = "2025-01-13T06:00:00Z"
    note = {"id": 900, "user": {"id": 10}, "notes": "Hi", "created_on": later, "details": []}
    issues[2] = issue_json(2, updated=later, journals=[note])
    third = {s.id: s for s in adapter.iter_issues(["edoc"], None)}
    assert adapter.stats.issue_reads == 3
    assert [c.request.url.split("?")[0] for c in issue_calls(rsps)][-1] == f"{URL}/issues/2.json"
    assert [j.id for j in third[2].journals] == [900]
    assert query(issue_calls(rsps)[-1])["include"] == ["journals,watchers"]


def test_an_issue_read_in_the_second_it_changed_is_read_again(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    """updated_on has whole seconds: a client note in the same second as the read would
    leave it unchanged, so such a read is not trusted by the next listing."""
    add_directory(rsps)
    updated = "2025-01-13T05:00:00Z"
    issues = {1: issue_json(1, updated=updated)}
    server_clock = ["Mon, 13 Jan 2025 05:00:00 GMT"]  # the second of updated_on

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = {"journals": [], "watchers": [], **issues[1]}
        return 200, {"Date": server_clock[0]}, json.dumps({"issue": body})

    rsps.add_callback(responses.GET, f"{URL}/issues/1.json", callback=answer)
    rsps.add_callback(
        responses.GET,
        f"{URL}/issues.json",
        callback=lambda _: (
            200,
            {"Date": server_clock[0]},
            json.dumps(listing(list(issues.values()), total=1)),
        ),
    )

    list(adapter.iter_issues(["edoc"], None))
    assert adapter.stats.issue_reads == 1
    # A client note lands in the same second: updated_on stays 05:00:00.
    note = {"id": 901, "user": {"id": 20}, "notes": "Answer", "created_on": updated, "details": []}
    issues[1] = issue_json(1, updated=updated, journals=[note])
    server_clock[0] = "Mon, 13 Jan 2025 05:00:20 GMT"
    [again] = adapter.iter_issues(["edoc"], None)
    assert adapter.stats.issue_reads == 2
    assert [j.id for j in again.journals] == [901]
    # Read 20 s after its last change: now remembered.
    list(adapter.iter_issues(["edoc"], None))
    assert adapter.stats.issue_reads == 2


def test_a_restart_reads_no_journal_of_an_issue_settled_when_read(
    rsps: responses.RequestsMock, tmp_path
) -> None:
    """Issue 17's 28 journals: issue 1 was last changed 5 s before the last listing began
    (by the previous run's own writes, say) but read 30 s after that change; issue 2 was
    read in the very second it changed. After a restart, issue 1's journals are taken from
    the saved state (no change can have come within its updated_on second unseen), while
    issue 2 is read again. Before, the restart judged both by the listing's start alone
    and read both."""
    from sup_sla_sync.adapters.state import StateStore
    from sup_sla_sync.service.memory import PassMemory

    add_directory(rsps)
    issues = {
        1: issue_json(1, updated="2025-01-13T04:59:55Z"),
        2: issue_json(2, updated="2025-01-13T05:00:30Z"),
    }
    read_clock = {1: "Mon, 13 Jan 2025 05:00:25 GMT", 2: "Mon, 13 Jan 2025 05:00:30 GMT"}

    def read(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        issue_id = int(re.findall(r"/issues/(\d+)\.json", request.url or "")[0])
        body = {"journals": [], "watchers": [], **issues[issue_id]}
        return 200, {"Date": read_clock[issue_id]}, json.dumps({"issue": body})

    rsps.add_callback(responses.GET, re.compile(rf"{URL}/issues/\d+\.json"), callback=read)
    rsps.add_callback(
        responses.GET,
        f"{URL}/issues.json",
        callback=lambda _: (
            200,
            {"Date": "Mon, 13 Jan 2025 05:00:00 GMT"},  # the listing begins
            json.dumps(listing(list(issues.values()), total=2)),
        ),
    )

    def a_run(adapter: RedmineAdapter) -> None:
        """What SyncService does with its memory around a full listing."""
        memory = PassMemory(StateStore(tmp_path, KEY), timedelta(hours=1))
        adapter.remember(memory.settled_snapshots(), settled_before=None)
        if memory.state.listed_at is not None:
            adapter.remember(memory.snapshots(), settled_before=memory.state.listed_at)
        for snapshot in adapter.iter_issues(["edoc"], None):
            memory.remember(snapshot, None, settled=adapter.is_settled(snapshot))
        assert adapter.listing_started_at is not None
        memory.listed(adapter.listing_started_at, full=True)
        memory.save()

    first = RedmineAdapter(settings())
    a_run(first)
    assert first.stats.issue_reads == 2
    restarted = RedmineAdapter(settings())
    before = len(rsps.calls)
    a_run(restarted)
    reads = [c.request.url for c in rsps.calls[before:] if "/issues/" in (c.request.url or "")]
    assert restarted.stats.issue_reads == 1
    assert [re.findall(r"/issues/(\d+)", u)[0] for u in reads] == ["2"]


def test_snapshot_always_reads_again(rsps: responses.RequestsMock, adapter: RedmineAdapter) -> None:
    add_directory(rsps)
    add_issue_reads(rsps, {7: issue_json(7)})
    adapter.snapshot(7)
    adapter.snapshot(7)
    assert adapter.stats.issue_reads == 2
    adapter.snapshot(7, fresh=False)
    assert adapter.stats.issue_reads == 2


def test_an_issue_that_cannot_be_read_is_skipped_not_fatal(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    add_issue_reads(rsps, {1: issue_json(1), 3: issue_json(3)})  # 2 vanished after listing
    rows = [issue_json(i) for i in (1, 2, 3)]
    rsps.get(f"{URL}/issues.json", json=listing(rows, total=3))
    failed: list[tuple[int, str]] = []

    got = adapter.iter_issues(["edoc"], None, on_error=lambda i, e: failed.append((i, str(e))))

    assert [s.id for s in got] == [1, 3]
    assert failed == [(2, "issue 2: not found or not visible")]


def test_unknown_project_names_itself(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    rsps.get(f"{URL}/issues.json", status=404)
    with pytest.raises(TrackerError, match="project 'nope': not found or not visible"):
        list(adapter.iter_issues(["nope"], None))


# --- converting ----------------------------------------------------------------------


def test_snapshot_maps_fields_and_journal_details_by_name(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)

    def journal(jid: int, created: str, **extra: Any) -> dict[str, Any]:
        return {"id": jid, "user": {"id": 10, "name": "An Agent"}, "created_on": created, **extra}

    def attr(name: str, old: Any, new: Any, prop: str = "attr") -> dict[str, Any]:
        return {"property": prop, "name": name, "old_value": old, "new_value": new}

    details = [
        attr("status_id", "1", "4"),
        attr("priority_id", "2", "3"),
        attr("tracker_id", "1", "1"),
        attr("assigned_to_id", None, "10"),
        attr("due_date", None, "2025-01-14"),
        attr("subject", "Old", "New"),
        attr("7", "", "VIP", prop="cf"),
        attr("99", "x", None, prop="cf"),
        attr("12", None, "screen.png", prop="attachment"),
        attr("relates", None, "5", prop="relation"),
    ]
    raw = issue_json(
        7,
        updated="2025-01-13T06:00:00Z",
        due_date="2025-01-14",
        project={"id": 1, "name": "E-DOC"},
        watchers=[{"id": 12, "name": "Lead"}],
        journals=[
            journal(502, "2025-01-13T05:00:00Z", notes="later id, same second", details=[]),
            journal(501, "2025-01-13T05:00:00Z", notes=None, details=details),
            journal(500, "2025-01-13T04:30:00Z", notes="psst", private_notes=True, details=[]),
            journal(503, "2025-01-13T05:30:00Z", details=[attr("status_id", "4", "77")]),
            {"id": 504, "created_on": "2025-01-13T05:40:00Z", "notes": "by a deleted user"},
        ],
    )
    add_issue_reads(rsps, {7: raw})

    snap = adapter.snapshot(7)

    assert (snap.status, snap.tracker, snap.priority, snap.project) == (
        "New",
        "Bug",
        "Normal",
        "edoc",
    )
    assert (snap.author_id, snap.assigned_to_id, snap.due_date) == (20, 10, date(2025, 1, 14))
    assert snap.custom_fields == {"SLA level": "VIP", "SLA state": None, "Tags": "a, b"}
    assert snap.field("SLA level") == "VIP"
    assert snap.watcher_ids == frozenset({12})
    assert [j.id for j in snap.journals] == [500, 501, 502, 503, 504]
    first, changes = snap.journals[0], snap.journals[1]
    assert (first.private, first.notes, first.user_id) == (True, "psst", 10)
    assert changes.notes == ""
    assert changes.changes == (
        FieldChange("status", "New", "Feedback"),
        FieldChange("priority", "Normal", "High"),
        FieldChange("tracker", "Bug", "Bug"),
        FieldChange("assigned_to", None, "10"),
        FieldChange("due_date", None, "2025-01-14"),
        FieldChange("subject", "Old", "New"),
        FieldChange(cf("SLA level"), None, "VIP"),
        FieldChange(cf("99"), "x", None),  # a field deleted since: its id
        FieldChange("attachment", None, "screen.png"),
        FieldChange("relation:relates", None, "5"),
    )
    assert snap.journals[3].changes == (FieldChange("status", "Feedback", "77"),)
    assert snap.journals[4].user_id == 0


def test_redmine_6_answers_read_as_redmine_5_ones(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    """Redmine 6 adds keys: custom fields' `description` and `editable`, journals'
    `updated_on` and `updated_by` (a note edited later). They change nothing: a journal
    counts from its `created_on` (when it was said), as on Redmine 5.0."""
    add_directory(rsps)
    six = [
        {
            "id": 7,
            "name": "SLA level",
            "customized_type": "issue",
            "field_format": "list",
            "possible_values": [{"value": "VIP", "label": "VIP"}, {"value": "Basic"}],
            "multiple": False,
            "description": "The contract's level",
            "editable": True,
            "visible": True,
        },
        {"id": 8, "name": "SLA state", "customized_type": "issue", "field_format": "string"},
    ]
    rsps.replace(responses.GET, f"{URL}/custom_fields.json", json={"custom_fields": six})
    note = {
        "id": 600,
        "user": {"id": 10, "name": "An Agent"},
        "notes": "edited later",
        "private_notes": False,
        "created_on": "2025-01-13T05:00:00Z",
        "updated_on": "2025-01-13T07:00:00Z",
        "updated_by": {"id": 11, "name": "Another Agent"},
        "details": [],
    }
    add_issue_reads(rsps, {7: issue_json(7, updated="2025-01-13T07:00:00Z", journals=[note])})

    snap = adapter.snapshot(7)

    field = adapter.directory.custom_fields["SLA level"]
    assert (field.possible_values, field.field_format) == (("VIP", "Basic"), "list")
    (journal,) = snap.journals
    assert (journal.user_id, journal.notes) == (10, "edited later")
    assert journal.created_on == datetime(2025, 1, 13, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["2025-01-13T04:00:00Z", "2025-01-13T09:00:00+05:00", "2025-01-13T04:00:00"],
)
def test_times_become_aware_utc(text: str) -> None:
    got = convert._utc(text)
    assert got == datetime(2025, 1, 13, 4, 0, tzinfo=UTC)
    assert got.utcoffset() == timedelta(0)


def test_snapshot_times_are_aware_utc(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    note = {"id": 1, "user": {"id": 10}, "created_on": "2025-01-13T05:00:00Z", "notes": "x"}
    add_issue_reads(rsps, {7: issue_json(7, journals=[note])})
    snap = adapter.snapshot(7)
    for moment in (snap.created_on, snap.updated_on, snap.journals[0].created_on):
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert snap.created_on == datetime(2025, 1, 13, 4, 0, tzinfo=UTC)


def test_directory_is_read_once(rsps: responses.RequestsMock, adapter: RedmineAdapter) -> None:
    add_directory(rsps)
    directory = adapter.load_directory()
    assert adapter.load_directory() is directory
    assert adapter.stats.other == 6
    assert directory.statuses["Closed"].is_closed and not directory.statuses["New"].is_closed
    assert directory.priorities["Normal"].is_default
    assert directory.custom_fields["SLA level"].possible_values == ("VIP", "Basic")
    assert directory.custom_fields["SLA level"].field_format == "list"
    assert "Phone" not in directory.custom_fields  # a user field
    assert (directory.projects, directory.groups["Support"]) == ({"edoc": 1}, 40)
    assert directory.status_name("4") == "Feedback" and directory.status_name(77) == "77"


# --- people --------------------------------------------------------------------------


def add_people(rsps: responses.RequestsMock) -> None:
    rsps.get(
        f"{URL}/users/current.json", json={"user": {"id": 1, "login": "sla-bot", "admin": True}}
    )
    members = {40: [10, 11, 12], 41: [30]}
    for group_id, ids in members.items():
        rsps.get(
            f"{URL}/groups/{group_id}.json",
            json={"group": {"id": group_id, "users": [{"id": i, "name": "x"} for i in ids]}},
            match=[matchers.query_param_matcher({"include": "users"})],
        )
    active = [{"id": i, "login": f"user{i}"} for i in (1, 10, 11, 20, 30)]
    rsps.get(
        f"{URL}/users.json",
        json={"users": active, "total_count": 5, "offset": 0, "limit": 100},
        match=[matchers.query_param_matcher({"status": "1"}, strict_match=False)],
    )
    rsps.get(
        f"{URL}/users.json",
        json={"users": [{"id": 12, "login": "lead1"}], "total_count": 1, "offset": 0, "limit": 100},
        match=[matchers.query_param_matcher({"status": "3"}, strict_match=False)],
    )
    # Registered, not yet activated: a user all the same (not Anonymous).
    rsps.get(
        f"{URL}/users.json",
        json={
            "users": [{"id": 21, "login": "newbie"}],
            "total_count": 1,
            "offset": 0,
            "limit": 100,
        },
        match=[matchers.query_param_matcher({"status": "2"}, strict_match=False)],
    )


def test_load_people(rsps: responses.RequestsMock, adapter: RedmineAdapter) -> None:
    add_directory(rsps)
    add_people(rsps)
    people = adapter.load_people(["Support"], ["VIP clients"], "lead1")
    assert people.tool_user_id == 1
    assert people.staff_ids == frozenset({10, 11, 12})
    assert people.vip_ids == frozenset({30})
    assert people.lead_id == 12
    assert people.login(12) == "lead1" and people.login(1) == "sla-bot"
    # A registered user who is not yet active is a known user, a client, never staff;
    # an id the tracker does not list (Anonymous) is a client too.
    assert people.login(21) == "newbie" and people.is_client(21) and not people.is_staff(21)
    assert people.is_client(999) and not people.is_staff(999)
    assert adapter.current_user() == {"id": 1, "login": "sla-bot", "admin": True}


def test_unknown_groups_and_lead_are_named(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    add_people(rsps)
    with pytest.raises(TrackerError) as caught:
        adapter.load_people(["Support", "Helpdesk"], ["Gold"], "")
    assert str(caught.value) == (
        "staff.groups: group 'Helpdesk' does not exist in the tracker; "
        "service_level.vip_groups: group 'Gold' does not exist in the tracker"
    )
    with pytest.raises(TrackerError, match="'ghost'"):
        adapter.load_people(["Support"], [], "ghost")


def test_groups_need_an_administrator(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    rsps.replace(responses.GET, f"{URL}/groups.json", status=403)
    with pytest.raises(TrackerError, match="reading groups needs an administrator's key") as caught:
        adapter.load_directory()
    assert not isinstance(caught.value, TrackerUnavailable)


# --- retries and errors --------------------------------------------------------------

ME = {"user": {"id": 1, "login": "sla-bot", "admin": True}}


@pytest.mark.parametrize(
    "first",
    [
        {"status": 502},
        {"status": 503},
        {"status": 504},
        {"body": requests.exceptions.ConnectionError("connection reset")},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"body": "<html>Bad gateway</html>"},
        {"body": ""},
    ],
    ids=["502", "503", "504", "connection-error", "timeout", "html", "empty"],
)
def test_a_get_is_retried_after_a_transient_failure(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, sleeps: list[float], first: dict
) -> None:
    rsps.get(f"{URL}/users/current.json", **first)
    rsps.get(f"{URL}/users/current.json", json=ME)
    assert adapter.current_user()["login"] == "sla-bot"
    assert len(rsps.calls) == 2
    assert sleeps == [0.5]
    assert (adapter.stats.other, adapter.stats.retries) == (2, 1)


def test_retry_after_is_honoured_within_the_cap(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, sleeps: list[float]
) -> None:
    rsps.get(f"{URL}/users/current.json", status=503, headers={"Retry-After": "3"})
    rsps.get(f"{URL}/users/current.json", status=503, headers={"Retry-After": "3600"})
    rsps.get(f"{URL}/users/current.json", json=ME)
    adapter.current_user()
    assert sleeps == [3.0, 8.0]


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ({"body": requests.exceptions.ConnectionError("[Errno 111] Connection refused')")},
         "[Errno 111] Connection refused"),
        ({"body": requests.exceptions.ReadTimeout("read timed out")}, "no answer within 7 s"),
        ({"body": requests.exceptions.ConnectTimeout("connect")}, "no connection within 7 s"),
        ({"status": 503}, "GET /users/current.json got 503 Service Unavailable"),
    ],
)  # fmt: skip
def test_exhausted_retries_mean_the_tracker_is_unavailable(
    rsps: responses.RequestsMock,
    adapter: RedmineAdapter,
    sleeps: list[float],
    failure: dict,
    reason: str,
) -> None:
    rsps.get(f"{URL}/users/current.json", **failure)
    with pytest.raises(TrackerUnavailable) as caught:
        adapter.current_user()
    assert str(caught.value) == f"cannot reach the tracker at {URL}: {reason}"
    assert caught.value.exit_code == 3
    assert len(rsps.calls) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_invalid_json_every_time_is_a_tracker_error(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, sleeps: list[float]
) -> None:
    add_directory(rsps)
    rsps.get(f"{URL}/issues/5.json", body="<html>login</html>")
    with pytest.raises(TrackerError, match=r"^issue 5: reading the issue: .* not JSON"):
        adapter.snapshot(5)
    assert adapter.stats.issue_reads == 4


@pytest.mark.parametrize("path", ["/users/current.json", "/issue_statuses.json"])
def test_401_is_an_auth_error_and_not_retried(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, sleeps: list[float], path: str
) -> None:
    rsps.get(f"{URL}{path}", status=401)
    with pytest.raises(AuthError, match="the tracker refused the API key"):
        adapter.current_user() if "current" in path else adapter.load_directory()
    assert len(rsps.calls) == 1 and sleeps == []


def test_403_on_the_current_user_is_an_auth_error(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    rsps.get(f"{URL}/users/current.json", status=403)
    with pytest.raises(AuthError, match="REST API enabled"):
        adapter.current_user()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "issue 123: not found or not visible"),
        (403, "issue 123: reading the issue: forbidden (403)"),
        (500, "issue 123: reading the issue: the tracker answered 500 Internal Server Error"),
    ],
)
def test_errors_on_an_issue_name_it(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, status: int, message: str
) -> None:
    rsps.get(f"{URL}/issues/123.json", status=status)
    with pytest.raises(TrackerError) as caught:
        adapter.snapshot(123)
    assert str(caught.value) == message
    assert not isinstance(caught.value, TrackerUnavailable)
    assert len(rsps.calls) == 1


def test_422_on_update_names_the_issue_and_redmine_reason_once(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, sleeps: list[float]
) -> None:
    add_directory(rsps)
    rsps.put(
        f"{URL}/issues/123.json",
        status=422,
        json={"errors": ["Status is invalid", "Due date is not a valid date"]},
    )
    with pytest.raises(TrackerError) as caught:
        adapter.update_issue(123, status="Closed", notes="[sla:auto_close] Bye")
    assert str(caught.value) == (
        "issue 123: update refused: Status is invalid; Due date is not a valid date"
    )
    assert adapter.stats.writes == 1 and len(puts(rsps)) == 1 and sleeps == []


@pytest.mark.parametrize(
    "failure",
    [{"status": 503}, {"body": requests.exceptions.ReadTimeout("slow")}],
    ids=["503", "timeout"],
)
def test_writes_are_never_retried(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, sleeps: list[float], failure: dict
) -> None:
    add_directory(rsps)
    rsps.put(f"{URL}/issues/9.json", **failure)
    with pytest.raises(TrackerUnavailable, match=r"^issue 9: cannot reach the tracker"):
        adapter.update_issue(9, notes="[sla:first_response:75] Due soon", private_notes=True)
    assert len(puts(rsps)) == 1 and sleeps == []


# --- secrets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 401},
        {"status": 502},
        {"status": 500, "body": f"key={KEY}"},
        {"status": 422, "json": {"errors": [f"API key {KEY} is invalid"]}},
        {"body": requests.exceptions.ConnectionError(f"refused (key {KEY})")},
        {"body": requests.exceptions.SSLError("certificate verify failed")},
        {"body": "not json"},
    ],
    ids=["401", "502", "500", "422", "connection", "tls", "json"],
)
def test_the_api_key_never_leaks(
    rsps: responses.RequestsMock,
    adapter: RedmineAdapter,
    caplog: pytest.LogCaptureFixture,
    failure: dict,
) -> None:
    add_directory(rsps)
    rsps.put(f"{URL}/issues/4.json", **failure)
    rsps.get(f"{URL}/issues/4.json", **failure)
    caplog.set_level(logging.DEBUG)
    actions = [lambda: adapter.snapshot(4)]
    if failure.get("body") != "not json":  # a 2xx write with any body succeeded
        actions.append(lambda: adapter.update_issue(4, notes="x"))
    for action in actions:
        with pytest.raises(TrackerError) as caught:
            action()
        assert KEY not in str(caught.value)
        assert KEY not in repr(caught.value)
    assert KEY not in caplog.text
    for call in rsps.calls:
        assert KEY not in call.request.url
        assert call.request.headers["X-Redmine-API-Key"] == KEY
    assert KEY not in repr(adapter)


def test_an_empty_api_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match=r"^redmine\.api_key: empty"):
        RedmineAdapter(settings(api_key=""))


# --- HTTP options --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "verify", "expected"),
    [(7, True, (7, 7)), (30, True, (10, 30)), (2.5, False, (2.5, 2.5))],
)
def test_timeouts_and_tls_reach_every_request(
    rsps: responses.RequestsMock,
    seconds: float,
    verify: bool,
    expected: tuple[float, float],
) -> None:
    adapter = RedmineAdapter(settings(timeout_seconds=seconds, verify_tls=verify))
    add_directory(rsps)
    rsps.get(f"{URL}/users/current.json", json=ME)
    rsps.put(f"{URL}/issues/1.json", status=204)
    adapter.current_user()
    adapter.update_issue(1, notes="x")
    assert len(rsps.calls) == 8
    for call in rsps.calls:
        assert call.request.req_kwargs["timeout"] == expected
        # True may arrive as the CA bundle path from REQUESTS_CA_BUNDLE; False must stay False.
        assert (call.request.req_kwargs["verify"] is not False) is verify


# --- writes --------------------------------------------------------------------------


def test_update_issue_sends_ids_and_values_as_redmine_wants(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    rsps.put(f"{URL}/issues/42.json", status=204)
    adapter.update_issue(
        42,
        custom_fields={"SLA state": "at_risk", "SLA level": None},
        due_date=date(2025, 1, 14),
        status="Feedback",
        priority="High",
        notes="[sla:resolution:75] Due soon",
        private_notes=True,
    )
    (call,) = puts(rsps)
    assert call.request.headers["X-Redmine-API-Key"] == KEY
    assert call.request.headers["Content-Type"] == "application/json"
    assert json.loads(call.request.body) == {
        "issue": {
            "custom_fields": [{"id": 8, "value": "at_risk"}, {"id": 7, "value": ""}],
            "due_date": "2025-01-14",
            "status_id": 4,
            "priority_id": 3,
            "notes": "[sla:resolution:75] Due soon",
            "private_notes": True,
        }
    }
    assert adapter.stats.writes == 1


@pytest.mark.parametrize(
    ("changes", "body"),
    [
        ({"due_date": None}, {"due_date": None}),
        ({"due_date": UNSET, "notes": "Public"}, {"notes": "Public"}),
        ({"notes": "Hello", "private_notes": False}, {"notes": "Hello"}),
        ({"status": "Closed", "priority": None}, {"status_id": 5}),
    ],
)
def test_update_issue_sends_only_what_is_given(
    rsps: responses.RequestsMock,
    adapter: RedmineAdapter,
    changes: dict[str, Any],
    body: dict[str, Any],
) -> None:
    add_directory(rsps)
    rsps.put(f"{URL}/issues/42.json", status=204)
    adapter.update_issue(42, **changes)
    (call,) = puts(rsps)
    assert json.loads(call.request.body) == {"issue": body}


def test_nothing_to_change_sends_nothing(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    adapter.update_issue(42, custom_fields={}, status=None)
    assert adapter.stats.writes == 0


def test_unknown_names_are_refused_before_writing(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    with pytest.raises(TrackerError) as caught:
        adapter.update_issue(42, status="Done", custom_fields={"SLA zone": "x"}, notes="x")
    assert str(caught.value) == (
        "issue 42: the tracker has no custom field 'SLA zone', status 'Done'; nothing was written"
    )
    assert adapter.stats.writes == 0


def test_a_write_makes_the_next_listing_read_journals_again(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    add_issue_reads(rsps, {42: issue_json(42)})
    rsps.get(f"{URL}/issues.json", json=listing([issue_json(42)], total=1))
    rsps.put(f"{URL}/issues/42.json", status=204)
    list(adapter.iter_issues([], None))
    adapter.update_issue(42, notes="x")
    list(adapter.iter_issues([], None))
    assert adapter.stats.issue_reads == 2


def test_add_watcher(rsps: responses.RequestsMock, adapter: RedmineAdapter) -> None:
    add_directory(rsps)
    add_issue_reads(rsps, {42: issue_json(42)})
    rsps.post(
        f"{URL}/issues/42/watchers.json",
        status=204,
        match=[matchers.json_params_matcher({"user_id": 12})],
    )
    adapter.snapshot(42)
    adapter.add_watcher(42, 12)
    (call,) = [c for c in rsps.calls if c.request.method == "POST"]
    assert call.request.headers["X-Redmine-API-Key"] == KEY
    assert adapter.stats.writes == 1
    assert adapter.snapshot(42, fresh=False).watcher_ids == frozenset({12})


def test_a_malformed_issue_is_one_error_not_the_end_of_the_pass(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    broken = issue_json(2)
    del broken["created_on"]
    add_issue_reads(rsps, {1: issue_json(1), 2: broken, 3: issue_json(3)})
    rows = [issue_json(i) for i in (1, 2, 3)]
    rsps.get(f"{URL}/issues.json", json=listing(rows, total=3))
    failed: list[tuple[int, str]] = []
    got = adapter.iter_issues([], None, on_error=lambda i, e: failed.append((i, str(e))))
    assert [s.id for s in got] == [1, 3]
    assert failed == [(2, "issue 2: unexpected answer: no 'created_on' field")]


def test_a_directory_failure_ends_the_iteration(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    rsps.replace(responses.GET, f"{URL}/custom_fields.json", status=403)
    with pytest.raises(TrackerError, match="reading custom fields needs an administrator's key"):
        list(adapter.iter_issues(["edoc"], None))
    assert adapter.stats.list_pages == 0


def test_a_write_answered_with_an_odd_body_still_succeeded(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    add_directory(rsps)
    rsps.put(f"{URL}/issues/42.json", status=200, body="<html>ok</html>")
    adapter.update_issue(42, notes="x")
    assert adapter.stats.writes == 1


@pytest.mark.parametrize(
    ("since", "until", "created_on", "last_second"),
    [
        # Astana is UTC+5 since 2024-03-01: local midnight is 19:00 UTC the day before.
        (
            date(2025, 1, 13),
            date(2025, 1, 19),
            "><2025-01-12T19:00:00Z|2025-01-19T19:00:00Z",
            "2025-01-19T18:59:59Z",
        ),
        # Before, UTC+6: this period straddles the change.
        (
            date(2024, 2, 26),
            date(2024, 3, 3),
            "><2024-02-25T18:00:00Z|2024-03-03T19:00:00Z",
            "2024-03-03T18:59:59Z",
        ),
    ],
)
def test_issues_created_are_listed_by_local_dates_of_any_status(
    rsps: responses.RequestsMock,
    adapter: RedmineAdapter,
    since: date,
    until: date,
    created_on: str,
    last_second: str,
) -> None:
    add_directory(rsps)
    first, next_midnight = created_on.removeprefix("><").split("|")
    closed = {"id": 5, "name": "Closed", "is_closed": True}
    rows = {
        1: issue_json(1, created_on=first),
        2: issue_json(2, created_on=next_midnight),  # Redmine's TO is inclusive: dropped here
        3: issue_json(3, created_on=last_second),
        4: issue_json(4, created_on=first, status=closed),
    }
    add_issue_reads(rsps, rows)
    rsps.get(f"{URL}/issues.json", json=listing([rows[i] for i in (4, 3, 2, 1)], total=4))

    got = list(adapter.iter_issues_created(["edoc"], since, until, load_zone("Asia/Almaty")))

    assert [s.id for s in got] == [1, 3, 4]
    assert got[2].status == "Closed"
    (list_call,) = [c for c in rsps.calls if urlsplit(c.request.url).path == "/issues.json"]
    params = query(list_call)
    assert params["status_id"] == ["*"]
    assert params["created_on"] == [created_on]
    assert params["project_id"] == ["edoc"]
    assert params["sort"] == ["id"]
    assert adapter.stats.issue_reads == 4  # journals read, as for the sync pass


def test_issues_created_pages_and_skips_an_unreadable_issue(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "PAGE_SIZE", 2)
    add_directory(rsps)
    rows = {i: issue_json(i) for i in (1, 2, 3)}
    add_issue_reads(rsps, {1: rows[1], 3: rows[3]})  # 2 vanished after listing
    for offset, ids in ((0, [1, 2]), (2, [3])):
        rsps.get(
            f"{URL}/issues.json",
            json=listing([rows[i] for i in ids], total=3, offset=offset),
            match=[matchers.query_param_matcher({"offset": str(offset)}, strict_match=False)],
        )
    failed: list[tuple[int, str]] = []

    got = adapter.iter_issues_created(
        [],
        date(2025, 1, 13),
        date(2025, 1, 13),
        load_zone("Asia/Almaty"),
        on_error=lambda i, e: failed.append((i, str(e))),
    )

    assert [s.id for s in got] == [1, 3]
    assert failed == [(2, "issue 2: not found or not visible")]
    assert adapter.stats.list_pages == 2


def test_old_open_issues_are_counted_from_total_count_alone(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    """For `check`'s go-live warning: one request a project, `limit=1`, UTC stamp."""
    rsps.get(
        f"{URL}/issues.json",
        json={"issues": [{"id": 3}], "total_count": 41, "offset": 0, "limit": 1},
        match=[
            matchers.query_param_matcher(
                {
                    "project_id": "edoc",
                    "status_id": "open",
                    "created_on": "<=2025-01-13T04:00:00Z",
                    "limit": "1",
                },
                strict_match=False,
            )
        ],
    )
    before = datetime(2025, 1, 13, 9, 0, tzinfo=timezone(timedelta(hours=5)))
    assert adapter.count_open_created_before(["edoc"], before) == 41
    assert len(rsps.calls) == 1
