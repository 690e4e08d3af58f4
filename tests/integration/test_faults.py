"""Faults against a real Redmine (SPEC principles 4, 6 and 7; exit codes).

These tests stop the tracker, revoke the API key and change global settings
(workflows, priorities, users), so they run against a Redmine of their own
(`slaharness.OwnRedmine`): a copy of the session instance's database served on a
port fixed for the module, so a daemon's configuration stays valid across a restart.

Real calendar, fixed past dates (see test_stamps.py): created Thu 2025-01-02 10:00,
clocks start Sun 2025-01-05 09:00; basic: first response 2025-01-05T18:00, resolution
2025-01-06T18:00; VIP normal: 2025-01-05T11:00 and 2025-01-05T18:00.
"""

from __future__ import annotations

import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from slaharness import EN_FIELDS, OwnRedmine, SlaHarness, almaty, now_minute

from localredmine import LocalRedmine

JAN2 = almaty(2025, 1, 2, 10, 0)
MAR3 = almaty(2025, 3, 3, 10, 0)
BASIC = ("2025-01-05T18:00+05:00", "2025-01-06T18:00+05:00", "2025-01-06")
VIP_NORMAL = ("2025-01-05T11:00+05:00", "2025-01-05T18:00+05:00", "2025-01-05")
FIELD_KEYS = {name: key for key, name in EN_FIELDS.items()}
TAG = re.compile(r"^\[sla:([^\]]+)\]")


@pytest.fixture(scope="module")
def own_server(
    local_redmine: LocalRedmine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OwnRedmine]:
    server = OwnRedmine(local_redmine, tmp_path_factory.mktemp("own-redmine"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own(own_server: OwnRedmine, tmp_path: Path) -> SlaHarness:
    """The harness on the module's own Redmine (started again if a test stopped it)."""
    own_server.start()
    return SlaHarness(own_server.rm, tmp_path)


def _wait_for(what: str, condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {what}")


def _stamps(sla: SlaHarness, issue_id: int) -> tuple[str, str, str]:
    got = sla.fields(issue_id)
    return got["first_response_due"], got["resolution_due"], got["due_date"]


def _tags(sla: SlaHarness, issue_id: int) -> Counter[str]:
    """How many times each `[sla:TAG]` note is on the issue."""
    return Counter(TAG.match(j["notes"])[1] for j in sla.notes(issue_id))  # type: ignore[index]


class Daemon:
    """`sup-sla-sync run` as a subprocess; its stderr collected line by line."""

    def __init__(self, sla: SlaHarness, config: Path) -> None:
        self.sla = sla
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sup_sla_sync", *sla.argv(config, "run")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=sla.env(),
            cwd=sla.tmp_path,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stdout = ""

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def count(self, pattern: str, start: int = 0) -> int:
        return sum(1 for line in self.lines[start:] if re.search(pattern, line))

    def wait_for(self, what: str, pattern: str, times: int = 1, start: int = 0, timeout=60):
        def seen() -> bool:
            assert self.proc.poll() is None, f"the daemon exited:\n{self.log}"
            return self.count(pattern, start) >= times

        try:
            _wait_for(what, seen, timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- daemon log ---\n{self.log}") from None

    @property
    def log(self) -> str:
        return "\n".join(self.lines[-80:])

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(10)
        assert self.proc.stdout is not None
        self.stdout = self.proc.stdout.read()
        return self.proc.returncode


# --- 1. the tracker stopped in the middle of a pass ------------------------------------


def test_redmine_killed_mid_pass_and_started_again(own_server: OwnRedmine, own: SlaHarness) -> None:
    """40 issues needing stamps and notes (round-the-clock calendar, created 100 min
    ago: VIP ones get a `[sla:first_response:75]` reminder, basic online-assistant
    ones a breach note, the lead as watcher, and the intake note). `run` (a pass every
    3 s) starts; after its 15th note the Redmine server is SIGKILLed mid-pass while it
    handles one of the tool's PUTs, left down until the daemon has failed twice, and
    started again on the same database and port. The daemon logs the outage, retries,
    keeps running, completes the pass and then one with nothing to write; SIGTERM:
    exit 0. Every issue ends stamped exactly as a dry run planned before, with every
    planned note exactly once, and the planned watchers."""
    sla = own
    project = sla.new_project()
    config = sla.config(
        [project], round_the_clock=True, overrides={"daemon": {"interval_minutes": 0.05}}
    )
    created = now_minute() - timedelta(minutes=100)
    issues = [
        sla.create(
            "client1" if n % 4 < 2 else "client2",
            f"Question {n}",
            created,
            project=project,
            custom_fields={"SLA level": "VIP"} if n % 2 else {"Channel": "Online assistant"},
            check=False,
        )
        for n in range(40)
    ]
    plan = sla.sync(config, dry_run=True)["planned"]
    planned_notes = {i: Counter() for i in issues}
    planned_fields: dict[int, dict] = {}
    planned_watchers: dict[int, set[int]] = {i: set() for i in issues}
    for write in plan:
        if write["write"] == "note":
            planned_notes[write["issue"]][TAG.match(write["note"])[1]] += 1  # type: ignore[index]
        elif write["write"] == "fields":
            planned_fields[write["issue"]] = write
        elif write["write"] == "watcher":
            planned_watchers[write["issue"]].add(write["user_id"])
    total_notes = sum(sum(c.values()) for c in planned_notes.values())
    assert set(planned_fields) == set(issues) and total_notes >= 60, plan

    daemon = Daemon(sla, config)
    try:
        daemon.wait_for("15 notes posted", r"INFO issue \d+: note ", times=15)
        _kill_during_a_put(own_server)
        killed_at = len(daemon.lines)
        with sla.rm.db() as conn:  # the server is down; the database tells what it holds
            posted = conn.execute(
                "SELECT COUNT(*) FROM journals WHERE journalized_type = 'Issue' "
                "AND journalized_id BETWEEN ? AND ? AND notes LIKE '[sla:%'",
                (min(issues), max(issues)),
            ).fetchone()[0]
        assert 15 <= posted < total_notes, "the pass was not interrupted in the middle"

        daemon.wait_for(
            "two failed attempts while Redmine is down",
            r"tracker unavailable: .*cannot reach the tracker",
            times=2,
            start=killed_at,
        )
        own_server.start()
        restarted_at = len(daemon.lines)
        daemon.wait_for(
            "a complete pass once Redmine is back", r"pass done .*errors=0", start=restarted_at
        )
        daemon.wait_for(
            "a pass with nothing left to write",
            r"pass done .* updated=0 .*errors=0",
            start=restarted_at,
        )
    finally:
        rc = daemon.stop()
    log = "\n".join(daemon.lines)
    assert rc == 0, log[-5000:]
    assert "Traceback" not in log
    sla.assert_no_secret(log + daemon.stdout)
    assert "stop requested" in log

    for issue_id in issues:
        fields = sla.fields(issue_id)
        for name, value in planned_fields[issue_id]["fields"].items():
            assert fields[FIELD_KEYS[name]] == value, (issue_id, name)
        assert fields["due_date"] == planned_fields[issue_id]["due_date"], issue_id
        assert _tags(sla, issue_id) == planned_notes[issue_id], issue_id
        watchers = {w["id"] for w in sla.rm.issue(issue_id).get("watchers", [])}
        assert planned_watchers[issue_id] <= watchers, issue_id


def _kill_during_a_put(server: OwnRedmine, timeout: float = 20) -> None:
    """SIGKILL the server as soon as its log shows a PUT to an issue has started: the
    write may or may not be committed, and its answer never arrives."""
    offset = server.log_path.stat().st_size
    deadline = time.monotonic() + timeout
    with open(server.log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        seen = ""
        while time.monotonic() < deadline:
            seen += log.read()
            if 'Started PUT "/issues/' in seen:
                server.kill()
                return
            time.sleep(0.002)
    raise AssertionError("no PUT reached the server")


# --- 3. a workflow forbids the tool's transition ----------------------------------------


def _waiting_with_client_reply(sla: SlaHarness, project: str) -> int:
    """In Feedback since 2025-03-03 10:30; the client answered at 11:00: to reopen."""
    return sla.create(
        "client1",
        "Waiting for the client",
        MAR3,
        project=project,
        journals=[
            (MAR3 + timedelta(minutes=30), "agent1", {"notes": "Which one?", "status": "Feedback"}),
            (MAR3 + timedelta(minutes=60), "client1", {"notes": "This one."}),
        ],
    )


def test_a_reopen_the_workflow_does_not_allow_is_an_error_not_a_false_note(
    own: SlaHarness,
) -> None:
    """`statuses.reopen_to = "Parked"`, a status no workflow leads to (for any role, so
    not even for an administrator). Redmine answers 204 to the tool's PUT, keeps the
    status Feedback, and stores the note. Expected (principle 6; what the tool writes
    must be true): the pass reports the issue with its id (exit 1), the other issue is
    stamped, and no `[sla:reopen]` note claims the request is "back in work" while it
    still waits in Feedback. Seen: exit 0, "reopened 1", no error; the false note stays
    and, since a reopen note now exists for this wait, the issue stays in Feedback for
    good (the client's reply is never acted on, and it is never auto-closed)."""
    sla = own
    with sla.rm.db() as conn:
        if not conn.execute("SELECT 1 FROM issue_statuses WHERE name = 'Parked'").fetchone():
            conn.execute(
                "INSERT INTO issue_statuses (name, is_closed, position) VALUES ('Parked', 0, 99)"
            )
    project = sla.new_project()
    waiting = _waiting_with_client_reply(sla, project)
    plain = sla.create("client1", "Question", JAN2, project=project)
    config = sla.config(
        [project],
        overrides={"statuses": {"in_progress": ["In Progress", "Parked"], "reopen_to": "Parked"}},
    )

    result = sla.run(config, "sync", "--format", "json")

    assert _stamps(sla, plain) == BASIC
    assert sla.fields(waiting)["status"] == "Feedback"
    summary = result.json()
    assert result.rc == 1, str(result)
    assert [e["issue"] for e in summary["errors"]] == [waiting], str(result)
    assert summary["reopened"] == 0
    assert sla.notes(waiting, "reopen") == [], "a note claims a reopen that did not happen"


def test_a_reopen_refused_with_422_by_a_workflow_rule_names_the_issue(
    own: SlaHarness,
) -> None:
    """A workflow field rule makes the assignee required in "In Progress" for the
    Support tracker (every role): Redmine answers 422 "Assignee cannot be blank" to
    the reopen. The error names the issue, the pass goes on (a Bug issue in the same
    situation is reopened, a new issue stamped), exit 1; no reopen note is left, and
    a second pass reports it again without posting anything."""
    sla = own
    rm = sla.rm
    project = sla.new_project()
    refused = _waiting_with_client_reply(sla, project)
    bug = sla.create(
        "client1",
        "Waiting for the client",
        MAR3,
        project=project,
        tracker="Bug",
        journals=[
            (MAR3 + timedelta(minutes=30), "agent1", {"notes": "Which one?", "status": "Feedback"}),
            (MAR3 + timedelta(minutes=60), "client1", {"notes": "This one."}),
        ],
    )
    plain = sla.create("client1", "Question", JAN2, project=project)
    config = sla.config([project])
    rule = (rm.tracker_id("Support"), rm.status_id("In Progress"))
    with rm.db() as conn:
        roles = [r[0] for r in conn.execute("SELECT id FROM roles")]
        conn.executemany(
            "INSERT INTO workflows (tracker_id, old_status_id, new_status_id, role_id, type, "
            "field_name, rule) VALUES (?, ?, 0, ?, 'WorkflowPermission', 'assigned_to_id', "
            "'required')",
            [(*rule, role) for role in roles],
        )
    try:
        first = sla.sync(config, expect_rc=1)
        second = sla.sync(config, expect_rc=1)
    finally:
        with rm.db() as conn:
            conn.execute(
                "DELETE FROM workflows WHERE type = 'WorkflowPermission' AND tracker_id = ? "
                "AND old_status_id = ? AND field_name = 'assigned_to_id'",
                rule,
            )

    for summary in (first, second):
        assert [e["issue"] for e in summary["errors"]] == [refused]
        error = summary["errors"][0]["error"]
        assert error == f"issue {refused}: update refused: Assignee cannot be blank"
    assert first["reopened"] == 1 and second["reopened"] == 0
    assert sla.fields(refused)["status"] == "Feedback"
    assert sla.notes(refused) == []
    assert sla.fields(bug)["status"] == "In Progress"
    assert len(sla.notes(bug, "reopen")) == 1
    assert _stamps(sla, plain) == BASIC


# --- 4. the API key revoked while running ------------------------------------------------


def test_a_key_revoked_while_running(own: SlaHarness) -> None:
    """`run` (a pass every 1.2 s) works, then sla-bot's key is regenerated (its token
    row gets a new value, as "Reset API key" does): the daemon logs that the tracker
    refused the key, keeps running and retries; `sync` with the old key exits 3 with a
    clear one-line message; once the old key is valid again the daemon's next pass
    succeeds; SIGTERM: exit 0. The key never appears in any output."""
    sla = own
    rm = sla.rm
    project = sla.new_project()
    issue_id = sla.create("client1", "Question", JAN2, project=project)
    config = sla.config([project], overrides={"daemon": {"interval_minutes": 0.02}})
    key, replacement = rm.admin_key, secrets.token_hex(20)

    daemon = Daemon(sla, config)
    try:
        daemon.wait_for("a first pass", r"pass done .*errors=0")
        with rm.db() as conn:
            conn.execute("UPDATE tokens SET value = ? WHERE value = ?", (replacement, key))
        try:
            revoked_at = len(daemon.lines)
            daemon.wait_for(
                "two refusals logged", r"refused the API key", times=2, start=revoked_at
            )
            refused = sla.run(config, "sync")
            check = sla.run(config, "check")
        finally:
            with rm.db() as conn:
                conn.execute("UPDATE tokens SET value = ? WHERE value = ?", (key, replacement))
        restored_at = len(daemon.lines)
        daemon.wait_for("a pass with the key valid again", r"pass done", start=restored_at)
    finally:
        rc = daemon.stop()
    log = "\n".join(daemon.lines)
    assert rc == 0, log[-4000:]
    assert "Traceback" not in log
    sla.assert_no_secret(log + daemon.stdout, key)
    assert _stamps(sla, issue_id) == BASIC

    assert refused.rc == 3, str(refused)
    assert refused.stderr.strip().splitlines()[-1] == "error: the tracker refused the API key"
    assert refused.stdout == ""
    assert check.rc != 0 and "refused the API key" in check.stdout + check.stderr, str(check)

    refusals = [line for line in daemon.lines[revoked_at:restored_at] if "refused" in line]
    assert refusals and all("next attempt in" in line for line in refusals), refusals
    # Said once, clearly: seen "the tracker refused the API key: the tracker refused
    # the API key; next attempt in 1 s" (daemon.py prefixes AuthError's own text).
    assert all(line.count("refused the API key") == 1 for line in refusals), refusals[0]


# --- 5. malformed and unusual data ---------------------------------------------------------


def _user(rm: LocalRedmine, login: str) -> int:
    """A new active user with an API key the harness knows."""
    user = rm.post(
        "/users.json",
        {
            "user": {
                "login": login,
                "firstname": "Temporary",
                "lastname": login,
                "mail": f"{login}@example.test",
                "password": "sla-test-pass-123",
            }
        },
    )["user"]
    key = secrets.token_hex(20)
    with rm.db() as conn:
        conn.execute(
            "INSERT INTO tokens (user_id, action, value, created_on, updated_on) "
            "VALUES (?, 'api', ?, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
            (user["id"], key),
        )
    rm._keys[login] = key
    return int(user["id"])


def test_malformed_values_unknown_priority_deleted_user_and_huge_description(
    own: SlaHarness,
) -> None:
    """One pass over: an issue whose SLA fields an agent overwrote with garbage
    ("garbage", "exploded", a date that does not exist); a VIP issue with a priority
    the configuration does not know ("Trivial", created in Redmine; counts as normal);
    an issue created and commented by a client whose account was deleted since
    (Redmine shows them as Anonymous); an issue with a 200 KB description. Exit 0, no
    error, the right stamps everywhere; a second pass writes nothing."""
    sla = own
    rm = sla.rm
    project = sla.new_project()
    with rm.db() as conn:
        if not conn.execute("SELECT 1 FROM enumerations WHERE name = 'Trivial'").fetchone():
            conn.execute(
                "INSERT INTO enumerations (name, position, is_default, type, active, "
                "position_name) VALUES ('Trivial', 99, 0, 'IssuePriority', 1, 'lowest')"
            )
    garbage = sla.create("client1", "Question", JAN2, project=project)
    rm.update(
        "agent1",
        garbage,
        custom_fields={
            "SLA first response due": "2025-13-45T99:99+05:00",
            "SLA resolution due": "garbage",
            "SLA state": "exploded",
        },
    )
    trivial = sla.create(
        "client1",
        "Question",
        JAN2,
        project=project,
        priority="Trivial",
        custom_fields={"SLA level": "VIP"},
    )
    login = f"gone{secrets.token_hex(3)}"
    gone = _user(rm, login)
    rm.post(
        f"/projects/{project}/memberships.json",
        {"membership": {"user_id": gone, "role_ids": [rm.env["ids"]["roles"]["Reporter"]]}},
    )
    orphan = sla.create(
        login,
        "Question",
        JAN2,
        project=project,
        journals=[(JAN2 + timedelta(minutes=5), login, {"notes": "More details."})],
    )
    rm.request("DELETE", f"/users/{gone}.json")
    assert rm.issue(orphan)["author"]["name"] == "Anonymous"
    words = "Документ не подписывается, ЭЦП не работает. Құжат қол қойылмайды. "
    huge = sla.create(
        "client2", "Signing fails", JAN2, project=project, description=(words * 4000)[:200_000]
    )
    assert len(rm.issue(huge)["description"]) == 200_000
    config = sla.config([project])

    first = sla.sync(config)
    second = sla.sync(config)

    assert first["errors"] == [] and first["seen"] == 4
    assert (second["errors"], second["updated"]) == ([], 0)
    assert _stamps(sla, garbage) == BASIC
    assert sla.fields(garbage)["sla_state"] == "breached"
    assert _stamps(sla, trivial) == VIP_NORMAL
    assert sla.fields(trivial)["priority"] == "Trivial"
    assert _stamps(sla, orphan) == BASIC
    assert _stamps(sla, huge) == BASIC


def test_deleting_an_agent_does_not_rewrite_history(own: SlaHarness) -> None:
    """Round-the-clock calendar. A VIP issue created 200 min ago was answered publicly
    after 10 min by an agent of the Support group (first response met); a pass stamps
    it. Then the agent's account is deleted: Redmine re-attributes the answer to
    Anonymous, the user mail from unknown senders is filed under too. Anonymous is a
    client by default (SPEC principle 8); a desk that deletes leavers' accounts instead
    of locking them says `staff.anonymous_is_staff = true`, and then a later pass posts
    nothing on this long-answered issue and the first response stays met."""
    sla = own
    rm = sla.rm
    project = sla.new_project()
    login = f"leaver{secrets.token_hex(3)}"
    agent = _user(rm, login)
    rm.post(f"/groups/{rm.group_id('Support')}/users.json", {"user_id": agent})
    config = sla.config(
        [project], round_the_clock=True, overrides={"staff": {"anonymous_is_staff": True}}
    )
    created = now_minute() - timedelta(minutes=200)
    issue_id = sla.create(
        "client1",
        "Question",
        created,
        project=project,
        custom_fields={"SLA level": "VIP"},
        journals=[(created + timedelta(minutes=10), login, {"notes": "We are on it."})],
    )
    sla.sync(config)
    before = sla.explain(config, issue_id)["first_response"]
    assert before["met_at"] is not None and before["state"] == "met"
    notes_before = _tags(sla, issue_id)

    rm.request("DELETE", f"/users/{agent}.json")
    summary = sla.sync(config)

    assert summary["errors"] == []
    assert _tags(sla, issue_id) == notes_before, "new notes on a long-answered issue"
    assert sla.explain(config, issue_id)["first_response"]["state"] == "met"


# --- a write applied by Redmine whose answer is lost ----------------------------------------


class _LossyProxy:
    """An HTTP proxy to Redmine that forwards every request, but for the first request
    `lose(method, path, body)` picks it closes the connection instead of answering:
    Redmine made the change, the tool never hears so."""

    def __init__(self, upstream: str, lose: Callable[[str, str, bytes], bool]) -> None:
        import requests

        session = requests.Session()
        session.trust_env = False
        proxy = self
        self.lost: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                answer = session.request(
                    self.command, upstream + self.path, data=body or None, headers=headers
                )
                if not proxy.lost and lose(self.command, self.path, body):
                    proxy.lost.append(f"{self.command} {self.path}")
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_PUT = do_POST = do_DELETE = forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


HOP_HEADERS = ("transfer-encoding", "connection", "content-encoding", "content-length")


def test_a_note_whose_answer_was_lost_is_not_posted_again(own: SlaHarness) -> None:
    """Round-the-clock calendar; three VIP issues created 100 min ago, each due a
    `[sla:first_response:75]` reminder. Between the tool and Redmine, a proxy loses the
    answer to the second reminder's PUT after Redmine stored it. The tracker still
    answers, so that `sync` reports the issue (exit 1) and goes on to the third; the
    next `sync` completes (exit 0) and posts nothing: the second reminder is not posted
    again, and each issue has its reminder once."""
    sla = own
    project = sla.new_project()
    created = now_minute() - timedelta(minutes=100)
    issues = [
        sla.create(
            "client1", f"Question {n}", created, project=project, custom_fields={"SLA level": "VIP"}
        )
        for n in range(3)
    ]
    reminders = [0]

    def second_reminder(method: str, path: str, body: bytes) -> bool:
        if method == "PUT" and b"[sla:first_response:75]" in body:
            reminders[0] += 1
        return reminders[0] == 2

    proxy = _LossyProxy(sla.rm.url, second_reminder)
    try:
        config = sla.config(
            [project], round_the_clock=True, overrides={"redmine": {"url": proxy.url}}
        )
        first = sla.run(config, "sync")
        second = sla.run(config, "sync", "--format", "json")
    finally:
        proxy.close()

    assert proxy.lost, "no answer was lost"
    lost_issue = int(re.findall(r"/issues/(\d+)\.json", proxy.lost[0])[0])
    assert lost_issue == issues[1]
    assert first.rc == 1, str(first)
    assert f"issue {lost_issue}" in first.stderr, str(first)
    assert second.rc == 0, str(second)
    assert second.json()["reminders"] == 0
    for issue_id in issues:
        assert _tags(sla, issue_id) == Counter({"first_response:75": 1}), issue_id
