"""Helper for integration tests against the local real Redmine (scripts/redmine).

Plain ``requests`` on purpose (independent of python-redmine, which the
product uses).  Loaded from the ``env.json`` written by
``scripts/redmine/start.sh``::

    rm = LocalRedmine.from_env_file(".redmine/env.json")
    issue_id = rm.create_issue("client1", "Help!", custom_fields={"SLA level": "VIP"})
    rm.add_note("agent1", issue_id, "Looking into it", private=True)
    rm.backdate_issue(issue_id, created=t0, journal_times=[t0 + timedelta(hours=1)])

Time travel writes straight into the SQLite database.  Redmine stores
timestamps as naive ``YYYY-MM-DD HH:MM:SS[.ffffff]`` text (fraction only if
non-zero) in the *server process'* local time zone
(``config.active_record.default_timezone = :local``); start.sh pins that to
UTC (``env["db_timezone"]``).
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

DB_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def format_db_time(naive: datetime) -> str:
    """Exactly what Rails 6.1 (quoted_date) writes into SQLite: the fraction
    ``.ffffff`` only when the microseconds are non-zero.  This matters: the
    DB compares these as *strings*, and Redmine's REST filters
    (``created_on=<=2025-01-06T05:00:00Z``) compare against
    ``'2025-01-06 05:00:00'``, which sorts before ``'...05:00:00.000000'``."""
    text = naive.strftime(DB_TIME_FORMAT)
    return f"{text}.{naive.microsecond:06d}" if naive.microsecond else text


# Fields that grant service: the tool believes them only from staff (SPEC.md, principle 8).
# An issue "created by a client with level VIP" is created by the client and given these
# values by STAFF_SETTER at once, as a desk's operator does; that journal is the issue's
# setup (not in journal_ids(), and backdated to the creation).
GRANTING_FIELDS = frozenset({"SLA level", "Channel", "Уровень обслуживания", "Канал"})
STAFF_LOGINS = frozenset({"agent1", "agent2", "lead1"})
STAFF_SETTER = "lead1"  # staff in both test desks (Support, Поддержка)

# Issue fields given by name in create_issue/update/add_note and the REST
# attribute they are translated to.
_NAMED_FIELDS = {
    "status": "status_id",
    "tracker": "tracker_id",
    "priority": "priority_id",
    "project": "project_id",
}


class RedmineError(AssertionError):
    """A REST call failed (non-2xx); carries status code and body."""

    def __init__(self, method: str, path: str, response: requests.Response):
        self.status_code = response.status_code
        self.body = response.text
        try:
            self.errors = response.json().get("errors")
        except ValueError:
            self.errors = None
        super().__init__(f"{method} {path} -> {response.status_code}: {response.text[:1000]}")


class RedmineIgnoredWrite(AssertionError):
    """Redmine answered 2xx but did not apply (part of) the change.

    Redmine silently drops attributes the user may not set: a status not
    allowed by the workflow, custom fields not visible/editable for the
    user's role, ...
    """


class LocalRedmine:
    def __init__(self, env: Mapping[str, Any], env_path: str | os.PathLike[str] | None = None):
        self.env = dict(env)
        self.env_path = Path(env_path) if env_path else None
        self.url: str = env["url"].rstrip("/")
        self.db_path: str = env["db_path"]
        self.admin_login: str = env.get("admin_login", "sla-bot")
        self.db_tz = ZoneInfo(env.get("db_timezone") or "UTC")
        self._keys: dict[str, str] = dict(env.get("keys", {}))
        self._ids: dict[str, dict[str, int]] = {k: dict(v) for k, v in env.get("ids", {}).items()}
        self.session = requests.Session()
        # Never send loopback traffic through a CI proxy (http_proxy & co).
        self.session.trust_env = False
        self.timeout = 30
        self._setup_journals: dict[int, set[int]] = {}

    # ------------------------------------------------------------ loading
    @classmethod
    def from_env_file(cls, path: str | os.PathLike[str]) -> LocalRedmine:
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f), env_path=path)

    @classmethod
    def from_env(cls) -> LocalRedmine:
        """From $REDMINE_ENV, else <repo>/.redmine/env.json."""
        path = os.environ.get("REDMINE_ENV") or (
            Path(__file__).resolve().parents[2] / ".redmine" / "env.json"
        )
        return cls.from_env_file(path)

    def __repr__(self) -> str:
        return f"LocalRedmine(url={self.url!r}, db_path={self.db_path!r})"

    # ------------------------------------------------------- identities
    def key(self, login: str) -> str:
        try:
            return self._keys[login]
        except KeyError:
            raise KeyError(f"no API key for {login!r}; known: {sorted(self._keys)}") from None

    @property
    def admin_key(self) -> str:
        return self.key(self.admin_login)

    def password(self, login: str) -> str:
        return self.env["passwords"][login]

    def user_id(self, login: str) -> int:
        return self._id("users", login, lambda: self._lookup_user(login))

    def group_id(self, name: str) -> int:
        return self._id("groups", name, lambda: self._lookup_group(name))

    def project_id(self, identifier: str) -> int:
        return self._id(
            "projects",
            identifier,
            lambda: self.get(f"/projects/{identifier}.json")["project"]["id"],
        )

    def status_id(self, name: str) -> int:
        return self._id(
            "statuses", name, lambda: self._lookup("/issue_statuses.json", "issue_statuses", name)
        )

    def tracker_id(self, name: str) -> int:
        return self._id("trackers", name, lambda: self._lookup("/trackers.json", "trackers", name))

    def priority_id(self, name: str) -> int:
        return self._id(
            "priorities",
            name,
            lambda: self._lookup("/enumerations/issue_priorities.json", "issue_priorities", name),
        )

    def custom_field_id(self, name: str) -> int:
        return self._id(
            "custom_fields",
            name,
            lambda: self._lookup("/custom_fields.json", "custom_fields", name),
        )

    def principal_id(self, name: str | int) -> int:
        """A user login or a group name (or an id) -> id, e.g. for assigned_to."""
        if isinstance(name, int):
            return name
        if name in self._ids.get("users", {}) or name in self._keys:
            return self.user_id(name)
        try:
            return self.group_id(name)
        except KeyError:
            return self.user_id(name)

    def status_name(self, status_id: int) -> str:
        return self._name("statuses", status_id)

    def _id(self, kind: str, name: str, lookup) -> int:
        table = self._ids.setdefault(kind, {})
        if name not in table:
            table[name] = int(lookup())
        return table[name]

    def _name(self, kind: str, id_: int) -> str:
        for n, i in self._ids.get(kind, {}).items():
            if i == id_:
                return n
        raise KeyError(f"no {kind} with id {id_}")

    def _lookup(self, path: str, collection: str, name: str) -> int:
        for item in self.get(path)[collection]:
            if item["name"] == name:
                return item["id"]
        raise KeyError(f"{name!r} not found in {path}")

    def _lookup_user(self, login: str) -> int:
        # Active, registered, locked: Redmine 6 answers `status=` (any) with 422.
        for status in (1, 2, 3):
            for u in self.get("/users.json", params={"name": login, "status": status})["users"]:
                if u["login"] == login:
                    return u["id"]
        raise KeyError(f"user {login!r} not found")

    def _lookup_group(self, name: str) -> int:
        for g in self.get("/groups.json")["groups"]:
            if g["name"] == name:
                return g["id"]
        raise KeyError(f"group {name!r} not found")

    # --------------------------------------------------------------- REST
    def request(
        self,
        method: str,
        path: str,
        login: str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        expect: Iterable[int] | None = None,
    ) -> requests.Response:
        """Raw call as ``login`` (default: the admin).  Raises RedmineError
        unless the status is in ``expect`` (default: any 2xx)."""
        resp = self.session.request(
            method,
            self.url + path,
            params=params,
            json=json_body,
            headers={"X-Redmine-API-Key": self.key(login or self.admin_login)},
            timeout=self.timeout,
        )
        ok = resp.status_code in set(expect) if expect is not None else resp.ok
        if not ok:
            raise RedmineError(method, path, resp)
        return resp

    def get(
        self, path: str, login: str | None = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        return self.request("GET", path, login, params=params).json()

    def post(self, path: str, body: Any, login: str | None = None) -> Any:
        resp = self.request("POST", path, login, json_body=body)
        return resp.json() if resp.content.strip() else None

    def put(self, path: str, body: Any, login: str | None = None) -> None:
        self.request("PUT", path, login, json_body=body)

    # ------------------------------------------------------------- issues
    def _issue_payload(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        for k, v in fields.items():
            if v is None:
                continue
            if k in _NAMED_FIELDS and isinstance(v, str):
                resolver = {
                    "status": self.status_id,
                    "tracker": self.tracker_id,
                    "priority": self.priority_id,
                    "project": self.project_id,
                }[k]
                payload[_NAMED_FIELDS[k]] = resolver(v)
            elif k in _NAMED_FIELDS:
                payload[_NAMED_FIELDS[k]] = v
            elif k == "assigned_to":
                payload["assigned_to_id"] = self.principal_id(v)
            elif k == "custom_fields" and isinstance(v, Mapping):
                payload["custom_fields"] = [
                    {
                        "id": self.custom_field_id(name) if isinstance(name, str) else name,
                        "value": val,
                    }
                    for name, val in v.items()
                ]
            else:
                payload[k] = v
        return payload

    def _check_applied(self, issue_id: int, fields: Mapping[str, Any], who: str) -> None:
        issue = self.issue(issue_id)
        problems = []
        status = fields.get("status")
        if status is not None:
            want = self.status_id(status) if isinstance(status, str) else status
            if issue["status"]["id"] != want:
                problems.append(
                    f"status is {issue['status']['name']!r}, wanted {status!r} "
                    "(not allowed by the workflow for this user's roles?)"
                )
        cfs = fields.get("custom_fields")
        if isinstance(cfs, Mapping):
            have = {cf["id"]: cf.get("value") for cf in issue.get("custom_fields", [])}
            for name, val in cfs.items():
                cf_id = self.custom_field_id(name) if isinstance(name, str) else name
                if cf_id not in have:
                    problems.append(f"custom field {name!r} not on the issue (tracker/project?)")
                elif _norm(have[cf_id]) != _norm(val):
                    problems.append(
                        f"custom field {name!r} is {have[cf_id]!r}, wanted {val!r} "
                        "(not visible/editable for this user's roles, or invalid value?)"
                    )
        if problems:
            raise RedmineIgnoredWrite(f"issue {issue_id} as {who}: " + "; ".join(problems))

    def create_issue(
        self,
        login: str,
        subject: str,
        description: str = "",
        project: str = "edoc",
        tracker: str = "Support",
        priority: str = "Normal",
        custom_fields: Mapping[str, Any] | None = None,
        assigned_to: str | None = None,
        status: str | None = None,
        *,
        check: bool = True,
        granted_by: str | None = STAFF_SETTER,
        **extra: Any,
    ) -> int:
        """Create an issue as ``login``; returns its id.

        For a client, the service level and channel in ``custom_fields`` are set by
        ``granted_by`` (staff) right after the creation, in a setup journal: the tool
        believes them from staff only. ``granted_by=None``: the client's own values.

        ``status`` at creation works for staff/admin (setup.rb allows the
        "new issue" transitions for Manager/Developer).  With ``check`` the
        issue is re-read and RedmineIgnoredWrite raised if Redmine silently
        dropped the status or a custom field value.
        """
        granted: dict[str, Any] = {}
        if granted_by is not None and login not in STAFF_LOGINS and custom_fields:
            granted = {k: v for k, v in custom_fields.items() if k in GRANTING_FIELDS and v}
            custom_fields = {k: v for k, v in custom_fields.items() if k not in granted}
        fields = {
            "project": project,
            "tracker": tracker,
            "priority": priority,
            "subject": subject,
            "description": description,
            "custom_fields": custom_fields,
            "assigned_to": assigned_to,
            "status": status,
            **extra,
        }
        data = self.post("/issues.json", {"issue": self._issue_payload(fields)}, login)
        issue_id = int(data["issue"]["id"])
        if check:
            self._check_applied(issue_id, fields, login)
        if granted:
            before = set(self.journal_ids(issue_id))
            self.update(granted_by, issue_id, custom_fields=granted, check=check)
            self._setup_journals[issue_id] = set(self.journal_ids(issue_id)) - before
        return issue_id

    def update(self, login: str, issue_id: int, *, check: bool = True, **payload: Any) -> None:
        """PUT /issues/ID.json as ``login``.  Accepts raw REST attributes
        (``notes``, ``private_notes``, ``status_id``, ...) plus the by-name
        conveniences ``status``, ``tracker``, ``priority``, ``project``,
        ``assigned_to`` (login or group name) and ``custom_fields``
        ({name: value})."""
        self.put(f"/issues/{issue_id}.json", {"issue": self._issue_payload(payload)}, login)
        if check:
            self._check_applied(issue_id, payload, login)

    def add_note(
        self,
        login: str,
        issue_id: int,
        notes: str,
        private: bool = False,
        status: str | None = None,
        *,
        check: bool = True,
        **fields: Any,
    ) -> int | None:
        """Comment as ``login`` (optionally private / with a status change /
        other fields).  Returns the id of the new journal (None if Redmine
        created none)."""
        before = {j["id"] for j in self.journals(issue_id)}
        payload: dict[str, Any] = {"notes": notes, **fields}
        if private:
            payload["private_notes"] = True
        if status is not None:
            payload["status"] = status
        self.update(login, issue_id, check=check, **payload)
        new = [j["id"] for j in self.journals(issue_id) if j["id"] not in before]
        if check and private and new:
            j = next(j for j in self.journals(issue_id) if j["id"] == max(new))
            if not j.get("private_notes"):
                raise RedmineIgnoredWrite(
                    f"note on issue {issue_id} by {login} is not private "
                    "(role lacks set_notes_private?)"
                )
        return max(new) if new else None

    def issue(self, issue_id: int, login: str | None = None) -> dict[str, Any]:
        """The issue as seen by ``login`` (default admin), with journals and watchers."""
        return self.get(f"/issues/{issue_id}.json", login, params={"include": "journals,watchers"})[
            "issue"
        ]

    def journals(self, issue_id: int, login: str | None = None) -> list[dict[str, Any]]:
        return self.issue(issue_id, login).get("journals", [])

    def custom_field_value(self, issue: Mapping[str, Any], name: str) -> Any:
        cf_id = self.custom_field_id(name)
        for cf in issue.get("custom_fields", []):
            if cf["id"] == cf_id:
                return cf.get("value")
        return None

    # ----------------------------------------------------- time travel
    def db_time(self, when: datetime) -> str:
        """An aware datetime in Redmine's SQLite storage format."""
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"naive datetime {when!r}: pass an aware datetime")
        return format_db_time(when.astimezone(self.db_tz).replace(tzinfo=None))

    def parse_db_time(self, value: str) -> datetime:
        return datetime.fromisoformat(value).replace(tzinfo=self.db_tz)

    @contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """A connection to the running instance's DB (commits on success).
        The server keeps using the file, hence the generous busy timeout."""
        with closing(sqlite3.connect(self.db_path, timeout=30)) as conn:
            conn.execute("PRAGMA busy_timeout = 30000")
            with conn:
                yield conn

    def _now_db(self) -> str:
        return self.db_time(datetime.now(UTC))

    def set_created(self, issue_id: int, when: datetime) -> None:
        """Backdate the issue's created_on; bumps updated_on to now (so
        clients polling on updated_on see the change)."""
        with self.db() as conn:
            self._set_created(conn, issue_id, when)
            for jid in self._setup_journals.get(issue_id, ()):
                self._set_journal_created(conn, jid, when)

    def _set_created(self, conn: sqlite3.Connection, issue_id: int, when: datetime) -> None:
        updated = max(self._now_db(), self.db_time(when))
        cur = conn.execute(
            "UPDATE issues SET created_on = ?, updated_on = ? WHERE id = ?",
            (self.db_time(when), updated, issue_id),
        )
        if cur.rowcount != 1:
            raise KeyError(f"no issue {issue_id} in {self.db_path}")

    def set_journal_created(self, journal_id: int, when: datetime) -> None:
        """Backdate one journal (comment / change); bumps its issue's updated_on."""
        with self.db() as conn:
            self._set_journal_created(conn, journal_id, when)

    def _set_journal_created(
        self, conn: sqlite3.Connection, journal_id: int, when: datetime
    ) -> None:
        row = conn.execute(
            "SELECT journalized_id FROM journals WHERE id = ? AND journalized_type = 'Issue'",
            (journal_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no issue journal {journal_id} in {self.db_path}")
        conn.execute(
            "UPDATE journals SET created_on = ? WHERE id = ?", (self.db_time(when), journal_id)
        )
        conn.execute(
            "UPDATE issues SET updated_on = MAX(COALESCE(updated_on, ''), ?) WHERE id = ?",
            (self._now_db(), row[0]),
        )

    def journal_ids(self, issue_id: int) -> list[int]:
        """All journal ids of the issue in creation order, straight from the DB
        (includes private notes and pure attribute changes), but the setup journal in
        which staff gave a client's issue its level or channel (create_issue)."""
        setup = self._setup_journals.get(issue_id, set())
        with self.db() as conn:
            return [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM journals WHERE journalized_type = 'Issue' "
                    "AND journalized_id = ? ORDER BY id",
                    (issue_id,),
                )
                if r[0] not in setup
            ]

    def backdate_issue(
        self, issue_id: int, created: datetime, journal_times: list[datetime]
    ) -> None:
        """Set the issue's creation time and the times of its first
        ``len(journal_times)`` journals (in id order, i.e. every journal
        including private notes and status/field-only changes), in one
        transaction.  Times must be non-decreasing and not before ``created``.
        """
        seq = [created, *journal_times]
        for a, b in itertools.pairwise(seq):
            if b < a:
                raise ValueError(f"times must be non-decreasing: {a.isoformat()} > {b.isoformat()}")
        ids = self.journal_ids(issue_id)
        if len(journal_times) > len(ids):
            raise ValueError(
                f"issue {issue_id} has {len(ids)} journals, got {len(journal_times)} times"
            )
        with self.db() as conn:
            self._set_created(conn, issue_id, created)
            for jid in self._setup_journals.get(issue_id, ()):
                self._set_journal_created(conn, jid, created)
            for jid, when in zip(ids, journal_times, strict=False):
                self._set_journal_created(conn, jid, when)


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return "" if value is None else str(value)
