"""`[notify]` against the real Redmine: a breach written by `sync` (the real CLI, in a
subprocess) reaches a local JSON webhook, behind a `json://` Apprise URL, exactly once.

The round-the-clock calendar (`mode = "24x7"`) makes the breach due whatever the hour
the test runs at; the issue's creation is backdated in Redmine's database.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slaharness import SlaHarness, now_minute

VIP = {"SLA level": "VIP"}
PASSWORD = "hook-Pa55w0rd-9"
TOKEN = "T0KEN9876543zyxwvu"


@pytest.fixture
def webhook() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """A JSON webhook on 127.0.0.1: (port, every payload it received)."""
    posts: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            posts.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], posts
    server.shutdown()
    server.server_close()


def test_a_breach_reaches_the_webhook_once_across_two_syncs(
    sla: SlaHarness, webhook: tuple[int, list[dict[str, Any]]]
) -> None:
    """VIP normal created 200 minutes ago (first response 120: breached; resolution 540:
    no reminder yet): the first `sync` writes one `[sla:first_response:breach]` note and
    sends it once (title: tag, issue number, subject; body: the note and the issue's
    link); the second sends nothing. The URL's password and token never show."""
    port, posts = webhook
    project = sla.new_project()
    url = f"json://bot:{PASSWORD}@127.0.0.1:{port}/hooks/{TOKEN}"
    config = sla.config([project], round_the_clock=True, overrides={"notify": {"urls": [url]}})
    issue_id = sla.create(
        "client1",
        "Не подписывается ЭСФ",
        now_minute() - timedelta(minutes=200),
        custom_fields=VIP,
        project=project,
    )

    first = sla.run(config, "sync", "--format", "json")
    second = sla.run(config, "sync", "--format", "json")

    assert first.rc == 0 and second.rc == 0, f"{first}\n{second}"
    assert first.json()["notifications"] == {"sent": 1, "failed": 0}
    assert second.json()["notifications"] == {"sent": 0, "failed": 0}
    (post,) = posts
    assert post["title"] == f"[sla:first_response:breach] #{issue_id} Не подписывается ЭСФ"
    (note,) = sla.notes(issue_id, "first_response:breach")
    assert post["message"] == f"{note['notes']}\n\n{sla.rm.url}/issues/{issue_id}"
    shown = sla.run(config, "config")
    for output in (first, second, shown):
        text = output.stdout + output.stderr
        assert PASSWORD not in text and TOKEN not in text
    assert json.loads(shown.stdout)["notify"]["urls"] == [f"json://127.0.0.1:{port}/***"]
