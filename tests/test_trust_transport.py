"""The key goes only to the tracker, and no secret shows (SPEC.md, principle 7).

Stand-in servers on 127.0.0.1 (two ports: two hosts as far as the key is concerned): the
"tracker" answers every request with a redirect to the other; the other records what it
receives. No redirect is followed, for a read or a write: exit 3 naming both URLs, and the
other server never sees the key nor the write.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from sup_sla_sync.adapters.redmine.check import transport_warnings
from sup_sla_sync.config import Settings
from sup_sla_sync.entrypoints import cli
from sup_sla_sync.logs import display_url

KEY = "feedfacecafe0123456789-key"
PASSWORD = "s3cret-basic-pw"


@dataclass
class Server:
    url: str
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    redirect_to: str | None = None
    status: int = 302


@pytest.fixture
def servers() -> Iterator[tuple[Server, Server]]:
    started = []

    def serve(server: Server, httpd: ThreadingHTTPServer) -> None:
        httpd.serve_forever(poll_interval=0.05)

    made: list[Server] = []
    for _ in range(2):

        class Handler(BaseHTTPRequestHandler):
            me: Server

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                self.me.seen.append((self.command, self.path, dict(self.headers), body))
                if self.me.redirect_to:
                    self.send_response(self.me.status)
                    self.send_header("Location", self.me.redirect_to + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = json.dumps({"user": {"id": 1, "login": "x", "admin": True}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_POST = _any

            def log_message(self, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server = Server(f"http://127.0.0.1:{httpd.server_address[1]}")
        Handler.me = server
        thread = threading.Thread(target=serve, args=(server, httpd), daemon=True)
        thread.start()
        started.append(httpd)
        made.append(server)
    tracker, other = made
    tracker.redirect_to = other.url
    yield tracker, other
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


def write_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text(
        f'[redmine]\nurl = "{url}"\nprojects = ["edoc"]\ntimeout_seconds = 5\n'
        f'[lock]\npath = "{tmp_path / "sla.lock"}"\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str):
    return CliRunner().invoke(
        cli.main,
        ["--config", str(config), *args],
        env={"SUP_SLA_REDMINE__API_KEY": KEY},
        catch_exceptions=False,
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("command", [["check"], ["sync"], ["explain", "7"], ["queue"]])
def test_a_redirect_is_never_followed(
    servers: tuple[Server, Server], tmp_path: Path, status: int, command: list[str]
) -> None:
    tracker, other = servers
    tracker.status = status
    result = run(write_config(tmp_path, tracker.url), *command)
    assert result.exit_code == 3, result.output
    assert f"the tracker at {tracker.url} redirects to {other.url}/" in result.output
    assert "set redmine.url" in result.output
    assert other.seen == []  # neither the key nor anything else went there
    assert len(tracker.seen) == 1  # one request, no retry of a redirect
    assert KEY not in result.output


def test_a_redirected_write_is_an_error_and_nothing_reaches_the_other_host(
    servers: tuple[Server, Server],
) -> None:
    """python-redmine's engine and our transport, a PUT with a private note: a 302 used
    to become a GET to the other host that "succeeded" (`updated 1`, exit 0)."""
    from sup_sla_sync.adapters.redmine.transport import Transport
    from sup_sla_sync.errors import TrackerUnavailable

    tracker, other = servers
    transport = Transport(
        tracker.url,
        KEY,
        timeout_seconds=5,
        verify=True,
        sleep=lambda _: None,
        retries=3,
        backoff=0,
        max_backoff=0,
    )
    data = {"issue": {"notes": "[sla:first_response:breach] private", "private_notes": True}}
    with pytest.raises(TrackerUnavailable) as caught:
        transport.call("put", "/issues/7.json", kind="writes", what="update", data=data)
    assert f"redirects to {other.url}/issues/7.json" in str(caught.value)
    assert "nothing was written" in str(caught.value)
    assert other.seen == [] and [s[0] for s in tracker.seen] == ["PUT"]
    assert tracker.seen[0][2].get("X-Redmine-API-Key") == KEY  # the tracker alone got it


def test_a_password_in_the_url_reaches_the_tracker_only_and_shows_nowhere(
    servers: tuple[Server, Server], tmp_path: Path
) -> None:
    tracker, _ = servers
    tracker.redirect_to = None
    url = tracker.url.replace("http://", f"http://desk:{PASSWORD}@")
    config = write_config(tmp_path, url)
    shown = run(config, "config")
    assert shown.exit_code == 0, shown.output
    assert PASSWORD not in shown.output and tracker.url in shown.output
    checked = run(config, "check")  # the stand-in is no Redmine: problems, exit 1 or 3
    assert PASSWORD not in checked.output and KEY not in checked.output
    # Basic auth from the user info went to the tracker (and only there).
    auth = {s[2].get("Authorization") for s in tracker.seen}
    assert any(a and a.startswith("Basic ") for a in auth)
    from sup_sla_sync.adapters.locks import lock_name
    from sup_sla_sync.adapters.notify import Notifier

    settings = Settings(redmine={"url": url})
    assert PASSWORD not in lock_name(settings)
    assert PASSWORD not in settings.redmine.shown_url  # also what the report links to
    assert PASSWORD not in Notifier([], [], url).issue_url(7)
    assert PASSWORD not in json.dumps(settings.redacted())


def test_display_url_drops_user_info_query_and_fragment() -> None:
    assert display_url("https://u:p@desk.example/redmine") == "https://desk.example/redmine"
    assert display_url("https://desk.example/r?key=abc#x") == "https://desk.example/r"


@pytest.mark.parametrize(
    ("redmine", "warned"),
    [
        ({"url": "http://127.0.0.1:3000"}, []),
        ({"url": "http://localhost:3000"}, []),
        ({"url": "https://desk.example"}, []),
        ({"url": "http://desk.example"}, ["redmine.url: plain http:// to desk.example"]),
        ({"url": "https://desk.example", "verify_tls": False}, ["redmine.verify_tls: false"]),
    ],
)
def test_check_warns_of_a_key_in_the_clear(redmine: dict, warned: list[str]) -> None:
    warnings = transport_warnings(Settings(redmine=redmine))
    assert len(warnings) == len(warned)
    for warning, start in zip(warnings, warned, strict=True):
        assert warning.startswith(start)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timeout_seconds", "inf"),
        ("timeout_seconds", "nan"),
        ("timeout_seconds", "0"),
        ("timeout_seconds", "-5"),
        ("url", '"https://desk.example/red mine"'),
        ("url", '"https://"'),
        ("url", '"desk.example"'),
        ("url", '"https://desk.example:99999"'),
        ("url", '"https://desk.example/?key=abc"'),
    ],
)
def test_bad_redmine_values_are_exit_2_naming_the_key(tmp_path: Path, key: str, value: str) -> None:
    path = tmp_path / "sup-sla-sync.toml"
    base = {"url": '"https://desk.example"', "timeout_seconds": "30"}
    base[key] = value
    path.write_text(
        "[redmine]\n" + "".join(f"{k} = {v}\n" for k, v in base.items()), encoding="utf-8"
    )
    result = run(path, "config")
    assert result.exit_code == 2, result.output
    assert f"redmine.{key}" in result.output
    assert "Traceback" not in result.output
