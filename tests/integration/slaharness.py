"""Drive the real ``sup-sla-sync`` CLI against the local real Redmine.

* :class:`SlaHarness` (fixture ``sla``) writes TOML configurations into the
  test's ``tmp_path``, runs ``python -m sup_sla_sync`` as a subprocess (the API
  key only in ``SUP_SLA_REDMINE__API_KEY``, never in the file or argv, and it
  must never show up in stdout/stderr), and creates throw-away projects so a
  whole-pass ``sync`` sees only the test's own issues.
* The *round-the-clock* calendar for the tests whose outcome depends on the real
  clock (reminders, breaches): `[calendar] mode = "24x7"`, every minute of every
  day is working time, so working minutes are plain wall-clock minutes whatever
  the time of day a test runs at.

Times are Asia/Almaty (UTC+5 since 2024-03-01, UTC+6 before), read from the
``tzdata`` package so that a stale system zoneinfo cannot shift them.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from railsrunner import redmine_command, redmine_version

import sup_sla_sync

from localredmine import LocalRedmine


def _zone(key: str) -> ZoneInfo:
    ref = resources.files("tzdata").joinpath("zoneinfo", *key.split("/"))
    with ref.open("rb") as data:
        return ZoneInfo.from_file(data, key=key)


ALMATY = _zone("Asia/Almaty")
# The package under test is the one this test run imported: the CLI runs in tmp_path, where
# a relative PYTHONPATH (PYTHONPATH=src) finds nothing and an installed copy would answer.
SOURCE_ROOT = Path(sup_sla_sync.__file__).resolve().parent.parent

EN_FIELDS = {
    "service_level": "SLA level",
    "channel": "Channel",
    "category": "Category",
    "first_response_due": "SLA first response due",
    "resolution_due": "SLA resolution due",
    "sla_state": "SLA state",
}
RU_FIELDS = {
    "service_level": "Уровень обслуживания",
    "channel": "Канал",
    "category": "Категория",
    "first_response_due": "SLA срок первого ответа",
    "resolution_due": "SLA срок решения",
    "sla_state": "SLA статус",
}

# What the auto-close note must say, per notes.language (regulation rule 15).
NO_RESPONSE = {
    "en": "no response received from the client",
    "ru": "ответ от клиента не получен",
    "kk": "клиенттен жауап алынбады",
}


def almaty(*args: int) -> datetime:
    """An Almaty wall time: almaty(2025, 1, 2, 10, 0)."""
    return datetime(*args, tzinfo=ALMATY)


def local_str(when: datetime) -> str:
    """The tool's field format: local time with offset, to the minute."""
    return when.astimezone(ALMATY).isoformat(timespec="minutes")


def now_minute() -> datetime:
    """Now (UTC), floored to the minute: backdated times then are whole minutes."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


# --------------------------------------------------------------------------- TOML
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()  # a TOML local date
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):  # an inline table, e.g. one of a list ([[policies]])
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    if prefix and (scalars or not tables):
        lines.append(f"[{prefix}]")
    lines += [f"{k} = {_toml_value(v)}" for k, v in scalars.items()]
    if scalars:
        lines.append("")
    for key, table in tables.items():
        lines.append(to_toml(table, f"{prefix}.{key}" if prefix else key))
    return "\n".join(lines)


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def english_sections() -> dict[str, Any]:
    """The `edoc` vocabulary (the defaults, written out)."""
    return {
        "statuses": {
            "new": ["New"],
            "in_progress": ["In Progress"],
            "awaiting_client": ["Feedback"],
            "on_hold": ["With development"],
            "resolved": ["Resolved"],
            "closed": ["Closed", "Rejected"],
            "reopen_to": "In Progress",
            "auto_close_to": "Closed",
        },
        "trackers": {"consultation": ["Support"], "defect": ["Bug"]},
        "priorities": {
            "normal": ["Low", "Normal"],
            "urgent": ["High", "Urgent"],
            "immediate": ["Immediate"],
        },
        "fields": dict(EN_FIELDS),
        "category_values": {"consultation": "Consultation", "defect": "Defect"},
        "service_level": {"vip_values": ["VIP"], "vip_groups": ["VIP clients"]},
        "channels": {
            "online_assistant": ["Online assistant"],
            "official_letter": ["Official letter"],
        },
        "staff": {"groups": ["Support"], "lead": "lead1"},
    }


def russian_sections() -> dict[str, Any]:
    """The `edoc-ru` vocabulary: Russian statuses, trackers, priorities, fields."""
    return {
        "statuses": {
            "new": ["Новая"],
            "in_progress": ["В работе"],
            "awaiting_client": ["Ожидает ответа клиента"],
            "on_hold": ["Передано в разработку"],
            "resolved": ["Решена"],
            "closed": ["Закрыта", "Отклонена"],
            "reopen_to": "В работе",
            "auto_close_to": "Закрыта",
        },
        "trackers": {"consultation": ["Консультация"], "defect": ["Ошибка"]},
        "priorities": {
            "normal": ["Обычный"],
            "urgent": ["Срочный"],
            "immediate": ["Немедленный"],
        },
        "fields": dict(RU_FIELDS),
        "category_values": {"consultation": "Консультация", "defect": "Ошибка"},
        "service_level": {"vip_values": ["VIP"], "vip_groups": ["VIP clients"]},
        "channels": {
            "online_assistant": ["Онлайн-помощник"],
            "official_letter": ["Официальное письмо"],
        },
        "staff": {"groups": ["Поддержка"], "lead": "lead1"},
    }


# --------------------------------------------------------------------------- CLI
@dataclass
class CliResult:
    args: list[str]
    rc: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            raise AssertionError(f"stdout of {self.args} is not JSON: {exc}\n{self}") from None

    def __str__(self) -> str:
        return (
            f"$ sup-sla-sync {' '.join(self.args)}\nexit {self.rc}\n"
            f"--- stdout ---\n{self.stdout[-6000:]}\n--- stderr ---\n{self.stderr[-6000:]}"
        )


_counter = itertools.count(1)


class SlaHarness:
    def __init__(self, rm: LocalRedmine, tmp_path: Path) -> None:
        self.rm = rm
        self.tmp_path = tmp_path

    # --- configuration ------------------------------------------------------------
    def config(
        self,
        projects: Iterable[str] = ("edoc",),
        *,
        russian: bool = False,
        language: str = "en",
        round_the_clock: bool = False,
        apply_priority: bool = False,
        overrides: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> Path:
        """Write a TOML configuration into tmp_path and return its path.

        `round_the_clock`: the 24x7 calendar, every minute of every day working time.
        """
        data: dict[str, Any] = {
            "redmine": {"url": self.rm.url, "projects": list(projects), "timeout_seconds": 30},
            "calendar": {"timezone": "Asia/Almaty"},
            **(russian_sections() if russian else english_sections()),
            "notes": {"language": language},
            "classify": {"apply_priority": apply_priority},
            "lock": {"path": str(self.tmp_path / f"sla-{next(_counter)}.lock")},
        }
        if round_the_clock:
            data["calendar"]["mode"] = "24x7"
        if overrides:
            data = deep_merge(data, overrides)
        path = self.tmp_path / (name or f"sup-sla-sync-{next(_counter)}.toml")
        path.write_text(to_toml(data), encoding="utf-8")
        assert self.rm.admin_key not in path.read_text(encoding="utf-8")
        return path

    # --- running the CLI ----------------------------------------------------------
    def env(self, key: str | None = None, extra: Mapping[str, str] | None = None) -> dict:
        """The subprocess environment: the package under test first on PYTHONPATH, no
        inherited SUP_SLA_* variables, the API key in SUP_SLA_REDMINE__API_KEY, no proxy
        for the loopback tracker."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUP_SLA_")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE_ROOT), env.get("PYTHONPATH")]))
        env["SUP_SLA_REDMINE__API_KEY"] = self.rm.admin_key if key is None else key
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        env.update(extra or {})
        return env

    def argv(self, config: Path | None, *args: str) -> list[str]:
        return [*(["--config", str(config)] if config is not None else []), *args]

    def run(
        self,
        config: Path | None,
        *args: str,
        key: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 120,
    ) -> CliResult:
        """`python -m sup_sla_sync --config CONFIG ARGS` (no --config if CONFIG is
        None) with the key in the environment, in tmp_path.

        Asserts that neither the admin key nor `key` appears in stdout/stderr, and
        that no traceback does."""
        key = self.rm.admin_key if key is None else key
        argv = self.argv(config, *args)
        proc = subprocess.run(
            [sys.executable, "-m", "sup_sla_sync", *argv],
            capture_output=True,
            text=True,
            env=self.env(key, env),
            cwd=self.tmp_path,
            timeout=timeout,
            check=False,
        )
        result = CliResult(argv, proc.returncode, proc.stdout, proc.stderr)
        self.assert_no_secret(result.stdout + result.stderr, key)
        assert "Traceback" not in proc.stderr, str(result)
        return result

    def assert_no_secret(self, output: str, key: str | None = None) -> None:
        for secret in {key or self.rm.admin_key, self.rm.admin_key}:
            assert secret not in output, "the API key leaked into the output"

    def sync(
        self, config: Path, *issue_ids: int, dry_run: bool = False, expect_rc: int = 0
    ) -> dict[str, Any]:
        """`sync --format json [--dry-run] [--issue ID]...`; the parsed summary."""
        args = ["sync", "--format", "json"]
        if dry_run:
            args.append("--dry-run")
        for issue_id in issue_ids:
            args += ["--issue", str(issue_id)]
        result = self.run(config, *args)
        assert result.rc == expect_rc, str(result)
        summary = result.json()
        assert isinstance(summary, dict), str(result)
        return summary

    def sync_at_work(self, config: Path, *issue_ids: int) -> dict[str, Any]:
        """The pass `sync --issue ID...` makes, in process, at the latest working minute of
        the configuration's calendar (now, if now is working time): what a client reads
        (an auto-close) is posted in working time only, and the hour a test runs at must
        not decide it. The summary as `sync --format json` prints it."""
        from datetime import timedelta

        from pydantic import SecretStr

        from sup_sla_sync.adapters.redmine import RedmineAdapter
        from sup_sla_sync.config import load_settings
        from sup_sla_sync.core.calendar import WorkCalendar
        from sup_sla_sync.service.sync import SyncService

        settings = load_settings(config)
        redmine = settings.redmine.model_copy(update={"api_key": SecretStr(self.rm.admin_key)})
        settings = settings.model_copy(update={"redmine": redmine})
        calendar = WorkCalendar.from_rules(settings.calendar_rules())
        now = datetime.now(UTC)
        day = calendar.local(now).date()
        while not calendar.is_working_time(now):
            if calendar.is_working_day(day) and calendar.window(day)[1] <= now:
                now = calendar.window(day)[1]
            day -= timedelta(days=1)
        with RedmineAdapter(settings) as tracker:
            service = SyncService(settings, tracker, calendar, clock=lambda: now)
            return service.run_pass(issue_ids).as_json()

    def explain(self, config: Path, issue_id: int) -> dict[str, Any]:
        result = self.run(config, "explain", str(issue_id), "--format", "json")
        assert result.rc == 0, str(result)
        return result.json()

    # --- projects -----------------------------------------------------------------
    def new_project(self, *, russian: bool = False) -> str:
        """A fresh private project (own identifier) with the trackers, fields and
        members of `edoc` (or `edoc-ru`), so a whole-pass sync sees only this test's
        issues.  English: Bug, Feature (unmapped), Support."""
        rm = self.rm
        ident = f"it-{uuid.uuid4().hex[:10]}"
        if russian:
            trackers = ["Консультация", "Ошибка"]
            fields = list(RU_FIELDS.values())
            staff_group = "Поддержка"
        else:
            trackers = ["Bug", "Feature", "Support"]
            fields = list(EN_FIELDS.values())
            staff_group = "Support"
        project = rm.post(
            "/projects.json",
            {
                "project": {
                    "name": f"SLA test {ident}",
                    "identifier": ident,
                    "is_public": False,
                    "tracker_ids": [rm.tracker_id(t) for t in trackers],
                    "issue_custom_field_ids": [rm.custom_field_id(f) for f in fields],
                    "enabled_module_names": ["issue_tracking"],
                }
            },
        )["project"]
        roles = rm.env["ids"]["roles"]
        # Users first: a user who is already a member (through a group) cannot be
        # added again, while a group may be added over its members.
        members = [
            (rm.user_id("lead1"), roles["Manager"]),
            (rm.user_id("client1"), roles["Reporter"]),
            (rm.user_id("client2"), roles["Reporter"]),
            (rm.group_id(staff_group), roles["Developer"]),
            (rm.group_id("VIP clients"), roles["Reporter"]),
        ]
        if russian:
            members.insert(1, (rm.user_id("agent2"), roles["Developer"]))
        for principal, role in members:
            rm.post(
                f"/projects/{project['id']}/memberships.json",
                {"membership": {"user_id": principal, "role_ids": [role]}},
            )
        return ident

    # --- issues -------------------------------------------------------------------
    def create(
        self,
        author: str,
        subject: str,
        created: datetime,
        *,
        journals: Iterable[tuple[datetime, str, dict[str, Any]]] = (),
        **fields: Any,
    ) -> int:
        """An issue as if created by `author` at `created`, then the given
        `journals` (when, login, add_note kwargs: notes/private/status/...), each
        backdated to its time.

        The start date is the local date of `created` unless given, as Redmine sets
        it on a real creation (it defaults to the creation date): the tool's due date
        must not be before it, or Redmine refuses the update."""
        fields.setdefault("start_date", created.astimezone(ALMATY).date().isoformat())
        issue_id = self.rm.create_issue(author, subject, **fields)
        times = []
        for when, login, kwargs in journals:
            kwargs = dict(kwargs)
            notes = kwargs.pop("notes", "")
            if notes:
                jid = self.rm.add_note(login, issue_id, notes, **kwargs)
            else:
                before = set(self.rm.journal_ids(issue_id))
                self.rm.update(login, issue_id, **kwargs)
                new = set(self.rm.journal_ids(issue_id)) - before
                jid = max(new) if new else None
            assert jid is not None, f"no journal for {kwargs} by {login}"
            times.append(when)
        self.rm.backdate_issue(issue_id, created, times)
        return issue_id

    # --- reading Redmine back -----------------------------------------------------
    def fields(self, issue_id: int, names: Mapping[str, str] = EN_FIELDS) -> dict[str, Any]:
        """The issue's status, priority, due date and custom fields by config key."""
        issue = self.rm.issue(issue_id)
        out = {key: self.rm.custom_field_value(issue, name) for key, name in names.items()}
        out["status"] = issue["status"]["name"]
        out["priority"] = issue["priority"]["name"]
        out["due_date"] = issue.get("due_date")
        return out

    def notes(self, issue_id: int, tag: str = "", login: str | None = None) -> list[dict]:
        """Journals (as seen by `login`, default admin) whose notes start with
        `[sla:TAG` (every tool note if TAG is empty)."""
        prefix = f"[sla:{tag}"
        return [
            j
            for j in self.rm.journals(issue_id, login)
            if (j.get("notes") or "").startswith(prefix)
        ]

    def clock_notes(self, issue_id: int, login: str | None = None) -> list[dict]:
        """The tool's reminder and breach notes (`[sla:first_response:...]`,
        `[sla:resolution:...]`), leaving out its other notes (intake checks, ...)."""
        return [
            j
            for j in self.notes(issue_id, login=login)
            if j["notes"].startswith(("[sla:first_response:", "[sla:resolution:"))
        ]

    def state(self, issue_id: int) -> dict[str, Any]:
        """What a pass may change: journals (ids, from the DB), updated_on, watchers,
        status, priority, due date, custom fields."""
        issue = self.rm.issue(issue_id)
        return {
            "journals": self.rm.journal_ids(issue_id),
            "updated_on": issue["updated_on"],
            "watchers": sorted(w["id"] for w in issue.get("watchers", [])),
            "status": issue["status"]["name"],
            "priority": issue["priority"]["name"],
            "due_date": issue.get("due_date"),
            "custom_fields": {cf["name"]: cf.get("value") for cf in issue["custom_fields"]},
        }


# ------------------------------------------------------------ a Redmine of one's own
REDMINE_SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "redmine"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OwnRedmine:
    """A Redmine server of the test's own, on a *copy* of another instance's database
    (users, keys, projects and workflows as setup.rb left them; no setup cost), on a
    port fixed for its whole life, so that it can be killed and started again on the
    same database and URL while a daemon keeps its configuration.

    Tests that stop the tracker, revoke the API key or change global settings
    (workflows, priorities, users) use it, so that the session's instance stays as
    every other test expects it. Started like scripts/redmine/start.sh starts one
    (TZ=UTC, DATABASE_URL, RAILS_LOG_TO_STDOUT into server.log)."""

    def __init__(self, source: LocalRedmine, state_dir: Path, port: int | None = None) -> None:
        import sqlite3
        from contextlib import closing

        self.state_dir = state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.db_path = state_dir / "redmine.sqlite3"
        self.log_path = state_dir / "server.log"
        with (
            closing(sqlite3.connect(source.db_path, timeout=30)) as src,
            closing(sqlite3.connect(self.db_path)) as dst,
        ):
            src.backup(dst)
        self.version = redmine_version(source.env)
        env = dict(source.env)
        env.update(
            redmine_version=self.version,
            url=f"http://127.0.0.1:{self.port}",
            port=self.port,
            db_path=str(self.db_path),
            state_dir=str(state_dir),
            log=str(self.log_path),
        )
        self.rm = LocalRedmine(env)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 90) -> None:
        """Start the server (same DB, same port) and wait until the admin key works."""
        if self.running:
            return
        (self.state_dir / "rails.pid").unlink(missing_ok=True)
        argv, env = redmine_command(
            ["bin/rails", "server", "-e", "production", "-b", "127.0.0.1"],
            str(self.db_path),
            self.version,
            RAILS_LOG_TO_STDOUT="1",
            RUBYOPT=f"-r{REDMINE_SCRIPTS / 'stdout_sync.rb'}",
        )
        with open(self.log_path, "ab") as log:
            log.write(f"=== OwnRedmine.start on port {self.port}\n".encode())
            log.flush()
            argv += ["-p", str(self.port), "-P", str(self.state_dir / "rails.pid")]
            self.proc = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"Redmine exited during start-up:\n{self.log_tail()}")
            if self.healthy():
                return
            time.sleep(0.3)
        self.stop()
        raise AssertionError(f"Redmine did not answer within {timeout} s:\n{self.log_tail()}")

    def healthy(self) -> bool:
        try:
            return self.rm.get("/users/current.json")["user"]["login"] == self.rm.admin_login
        except Exception:
            return False

    def kill(self) -> None:
        """SIGKILL: the server dies at once, mid-request if it is in one."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return f"(no {self.log_path})"
        return "\n".join([ln for ln in text if not ln.lstrip().startswith("from /")][-lines:])
