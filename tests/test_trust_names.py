"""Names are checked every pass (SPEC.md, principle 8): a status, priority, tracker or
field renamed in the tracker after `check` stops the pass with exit 2 naming the key, and
the daemon's full scan re-reads the directory to see it."""

from __future__ import annotations

import json

import pytest
import responses

from sup_sla_sync.adapters.redmine import RedmineAdapter
from sup_sla_sync.errors import ConfigError
from test_redmine_adapter import URL, add_directory, add_issue_reads, issue_json, listing, settings

__all__ = ["rsps"]
from test_redmine_adapter import rsps


def rename(rsps: responses.RequestsMock, path: str, container: str, old: str, new: str) -> None:
    body = next(c for c in rsps.registered() if c.url == f"{URL}{path}")
    rows = [dict(r, name=new) if r["name"] == old else r for r in json.loads(body.body)[container]]
    rsps.replace(responses.GET, f"{URL}{path}", json={container: rows})


@pytest.mark.parametrize(
    ("path", "container", "old", "key"),
    [
        ("/issue_statuses.json", "issue_statuses", "Feedback", "statuses.awaiting_client"),
        ("/issue_statuses.json", "issue_statuses", "Closed", "statuses.closed"),
        ("/enumerations/issue_priorities.json", "issue_priorities", "High", "priorities.urgent"),
        ("/trackers.json", "trackers", "Bug", "trackers.defect"),
        ("/custom_fields.json", "custom_fields", "SLA state", "fields.sla_state"),
    ],
)
def test_a_renamed_name_stops_the_pass_naming_the_key(
    rsps: responses.RequestsMock, path: str, container: str, old: str, key: str
) -> None:
    add_directory(rsps)
    rename(rsps, path, container, old, old + " (renamed)")
    add_issue_reads(rsps, {1: issue_json(1)})
    rsps.get(f"{URL}/issues.json", json=listing([issue_json(1)], total=1))
    adapter = RedmineAdapter(settings(), sleep=lambda _: None)
    with pytest.raises(ConfigError) as caught:
        list(adapter.iter_issues([], None))
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"{key}: no ")
    assert f"{old + ' (renamed)'!r}" in str(caught.value)  # what the tracker has instead
    assert not [c for c in rsps.calls if "/issues" in c.request.url]  # nothing decided


def test_the_next_full_listing_sees_a_rename_made_while_running(
    rsps: responses.RequestsMock,
) -> None:
    add_directory(rsps)
    add_issue_reads(rsps, {1: issue_json(1)})
    rsps.get(f"{URL}/issues.json", json=listing([issue_json(1)], total=1))
    adapter = RedmineAdapter(settings(), sleep=lambda _: None)
    assert [s.id for s in adapter.iter_issues([], None)] == [1]
    rename(rsps, "/issue_statuses.json", "issue_statuses", "Feedback", "Waiting")
    with pytest.raises(ConfigError, match=r"statuses\.awaiting_client: no status 'Feedback'"):
        list(adapter.iter_issues([], None))
