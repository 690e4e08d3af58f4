"""The queue inside the tracker (issue 19): the saved issue queries `setup-script` creates,
opened as an agent over the REST API and in headless Chromium, against `queue`.

The saved SLA queue sorts by what Redmine stores: the level field (descending: ``VIP`` sorts
after ``Basic``), the priority's position, the first-response-due text, then Redmine's own
``id DESC``. `queue` computes the level (a VIP group counts too) and breaks ties by arrival.
So the two orders are equal but for exactly two known differences, both asserted:

* an issue VIP by its author's group (the level field empty) is among the VIPs in `queue`,
  and among the basic issues, by its due time, in the saved query;
* two issues alike to the minute come oldest id first in `queue`, newest first in Redmine.
"""

from __future__ import annotations

import re
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from railsrunner import rails_runner
from slaharness import SlaHarness, now_minute
from test_report_html import CHROMIUM_FLAGS, chromium  # noqa: F401 (the fixture)

NAMES = {"queue": "SLA queue", "mine": "My SLA queue", "breached": "SLA breached"}
PRIORITY_POSITION = {"Low": 1, "Normal": 2, "High": 3, "Urgent": 4, "Immediate": 5}


def _setup(sla: SlaHarness) -> tuple[str, Path, dict[str, str]]:
    """A project, fresh SLA fields (so setup-script creates them, used as filters), the
    script run twice: the second run creates nothing."""
    project = sla.new_project()
    tag = uuid.uuid4().hex[:6]
    fields = {
        "service_level": f"Q level {tag}",
        "channel": f"Q channel {tag}",
        "category": f"Q category {tag}",
        "first_response_due": f"Q first response {tag}",
        "resolution_due": f"Q resolution {tag}",
        "sla_state": f"Q state {tag}",
    }
    config = sla.config([project], round_the_clock=True, overrides={"fields": fields})
    printed = sla.run(config, "setup-script")
    assert printed.rc == 0, str(printed)
    script = sla.tmp_path / "setup.rb"
    script.write_text(printed.stdout, encoding="utf-8")
    first = rails_runner(sla.rm.db_path, script)
    assert first.returncode == 0, first.stderr[-3000:]
    for name in NAMES.values():
        assert f"created: saved query {name} (project {project})" in first.stdout, first.stdout
    # No --staff-only-role: the staff group's role in the project (Support is Developer).
    assert "note: saved queries visible to Developer; sorted by level, priority, first " in (
        first.stdout
    )
    second = rails_runner(sla.rm.db_path, script)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "created: " not in second.stdout, second.stdout
    assert second.stdout.count("exists: saved query ") == 3
    return project, config, fields


def _query_ids(sla: SlaHarness, project: str) -> dict[str, int]:
    project_id = sla.rm.get(f"/projects/{project}.json")["project"]["id"]
    queries = sla.rm.get("/queries.json", params={"limit": 100})["queries"]
    found = {
        key: q["id"]
        for q in queries
        for key, name in NAMES.items()
        if q["name"] == name and q.get("project_id") == project_id
    }
    assert set(found) == set(NAMES), queries
    assert all(q["is_public"] for q in queries if q["id"] in found.values())
    return found


def _listed(sla: SlaHarness, project: str, query_id: int, login: str) -> list[dict[str, Any]]:
    return sla.rm.get(
        f"/projects/{project}/issues.json",
        login=login,
        params={"query_id": query_id, "limit": 100},
    )["issues"]


def _redmine_order(issues: list[dict[str, Any]], fields: dict[str, str]) -> list[int]:
    """Redmine's order from the stored values: level text descending, priority position
    descending, first-response-due text ascending, id descending."""

    def value(issue: dict[str, Any], key: str) -> str:
        for cf in issue.get("custom_fields", ()):
            if cf["name"] == fields[key]:
                return cf.get("value") or ""
        return ""

    rows = [(i["id"], value(i, "service_level"), i["priority"]["name"], i) for i in issues]
    rows.sort(key=lambda r: -r[0])  # id desc, the last criterion (stable sorts below)
    rows.sort(key=lambda r: value(r[3], "first_response_due"))
    rows.sort(key=lambda r: PRIORITY_POSITION[r[2]], reverse=True)
    rows.sort(key=lambda r: r[1], reverse=True)
    return [r[0] for r in rows]


def test_saved_queries_follow_the_queue_as_far_as_redmine_sorts(
    sla: SlaHarness,
    chromium: str,  # noqa: F811
) -> None:
    project, config, fields = _setup(sla)
    agent1 = sla.rm.user_id("agent1")
    agent2 = sla.rm.user_id("agent2")
    t = now_minute() - timedelta(hours=2)

    def new(author: str, subject: str, at: Any, priority: str = "Normal", who: int = 0) -> int:
        return sla.create(
            author,
            subject,
            at,
            project=project,
            priority=priority,
            assigned_to_id=who or agent2,
        )

    breached = new("client1", "Waiting since morning", now_minute() - timedelta(hours=10))
    basic = new("client1", "Basic normal", t, who=agent1)
    urgent = new("client1", "Basic urgent", t + timedelta(minutes=10), "Urgent")
    immediate = new("client1", "Basic immediate", t + timedelta(minutes=20), "Immediate")
    by_field = new("client1", "VIP by the field", t + timedelta(minutes=5), who=agent1)
    by_group = new("vipclient1", "VIP by the group", t + timedelta(minutes=30), who=agent1)
    later = new("client1", "Basic normal, later", t + timedelta(minutes=30))
    twin1 = new("client1", "Twin one", t + timedelta(minutes=40), who=agent1)
    twin2 = new("client1", "Twin two", t + timedelta(minutes=40), who=agent1)
    sla.rm.update("agent1", by_field, custom_fields={fields["service_level"]: "VIP"})
    summary = sla.sync(config)
    assert summary["seen"] == 9 and not summary["errors"], summary

    queue = [row["issue"] for row in sla.run(config, "queue", "--format", "json").json()]
    assert queue == [
        *(by_field, by_group),  # VIP: by due
        *(immediate, urgent),  # basic, by priority
        *(breached, basic, later, twin1, twin2),  # basic normal: by due, then arrival
    ]
    ids = _query_ids(sla, project)

    # --- the SLA queue, as an agent -------------------------------------------------------
    listed = _listed(sla, project, ids["queue"], "agent1")
    saved = [i["id"] for i in listed]
    assert saved == _redmine_order(listed, fields)  # Redmine sorts the stamped values
    assert saved[0] == by_field and by_group in saved[3:]  # the level field: VIP first
    # The two known differences, and nothing else.
    undone = [twin1 if i == twin2 else twin2 if i == twin1 else i for i in saved]
    assert [i for i in undone if i != by_group] == [i for i in queue if i != by_group]
    assert saved.index(twin2) < saved.index(twin1) and queue.index(twin1) < queue.index(twin2)
    assert queue.index(by_group) == 1 and saved.index(by_group) > saved.index(urgent)
    # A client (Reporter) does not see the staff's query.
    sla.rm.request(
        "GET",
        f"/projects/{project}/issues.json",
        "client1",
        params={"query_id": ids["queue"]},
        expect=[403],
    )

    # --- my SLA queue: the same order, agent1's issues only -------------------------------
    mine_saved = [i["id"] for i in _listed(sla, project, ids["mine"], "agent1")]
    assert set(mine_saved) == {basic, by_field, by_group, twin1, twin2}
    assert mine_saved == [i for i in saved if i in set(mine_saved)]
    mine_queue = sla.run(config, "queue", "--assignee", "agent1", "--format", "json").json()
    mine_queue_ids = [row["issue"] for row in mine_queue]
    assert mine_queue_ids == [i for i in queue if i in set(mine_saved)]

    # --- the breached issues ----------------------------------------------------------------
    states = {i: sla.fields(i, {"state": fields["sla_state"]})["state"] for i in queue}
    assert states[breached] == "breached"
    listed_breached = [i["id"] for i in _listed(sla, project, ids["breached"], "agent1")]
    assert listed_breached == [i for i in saved if states[i] == "breached"] == [breached]

    # --- check: every query there, as setup-script made it ----------------------------------
    checked = sla.run(config, "check")
    assert checked.rc == 0, str(checked)
    assert "saved query" not in checked.stdout, str(checked)

    # --- the page an agent sees -----------------------------------------------------------
    page = f"/projects/{project}/issues?query_id={ids['queue']}"
    with _logged_in_proxy(sla, "agent1") as base:
        dom = _chromium(chromium, sla.tmp_path, f"{base}{page}", "--dump-dom")
        png = sla.tmp_path / "sla-queue.png"
        _chromium(chromium, sla.tmp_path, f"{base}{page}", f"--screenshot={png}")
    assert 'id="loggedas"' in dom and "agent1" in dom, dom[:2000]
    headers = _column_headers(dom)
    for header in (
        "Subject",
        "Status",
        "Priority",
        "Assignee",
        fields["first_response_due"],
        fields["resolution_due"],
        fields["sla_state"],
    ):
        assert header in headers, (header, headers)
    assert NAMES["queue"] in dom
    shown = [int(n) for n in re.findall(r'<tr id="issue-(\d+)"', dom)]
    assert shown == saved
    assert png.stat().st_size > 10_000


@contextmanager
def _logged_in_proxy(sla: SlaHarness, login: str) -> Iterator[str]:
    """A loopback reverse proxy to Redmine carrying `login`'s session, opened through the
    login form (the user's password; no API key): Chromium browses as that user."""
    session = requests.Session()
    form = session.get(f"{sla.rm.url}/login", timeout=30)
    token = re.search(r'name="authenticity_token" value="([^"]+)"', form.text)
    assert token, form.text[:2000]
    done = session.post(
        f"{sla.rm.url}/login",
        data={
            "username": login,
            "password": sla.rm.password(login),
            "authenticity_token": token.group(1),
        },
        timeout=30,
        allow_redirects=False,
    )
    assert done.status_code == 302 and "/login" not in done.headers["Location"], done.text[:2000]
    upstream = sla.rm.url

    class Forward(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            got = session.get(upstream + self.path, timeout=60, allow_redirects=False)
            self.send_response(got.status_code)
            for name, value in got.headers.items():
                if name.lower() in ("content-type", "cache-control", "etag"):
                    self.send_header(name, value)
                elif name.lower() == "location":
                    self.send_header(name, value.replace(upstream, base))
            self.send_header("Content-Length", str(len(got.content)))
            self.end_headers()
            self.wfile.write(got.content)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def _chromium(chromium: str, tmp_path: Path, url: str, action: str) -> str:  # noqa: F811
    profile = tmp_path / "chromium-profile-queries"
    flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--window-size")]
    done = subprocess.run(
        [chromium, *flags, "--window-size=1500,1000", f"--user-data-dir={profile}", action, url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"chromium exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


class _Headers(HTMLParser):
    """The text of every <th> (Redmine 5 puts it in the <th> or its <a>; Redmine 6 wraps
    it in more elements)."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "th":
            self._depth += 1
            self.headers.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._depth:
            self._depth -= 1
            self.headers[-1] = " ".join(self.headers[-1].split())

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.headers[-1] += data


def _column_headers(dom: str) -> list[str]:
    parser = _Headers()
    parser.feed(dom)
    return parser.headers
