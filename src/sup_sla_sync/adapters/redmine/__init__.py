"""The Redmine adapter: the only module that talks to the tracker (and imports redminelib).

It turns Redmine's JSON into `model.IssueSnapshot` / `model.People` (names, not ids; aware
UTC datetimes) and the core's decisions back into REST writes. Timeouts, retries and the
mapping of HTTP failures to `errors.py` live here, once.

python-redmine 2.5.0 is used for its engine only (session, API-key header, JSON bodies,
response decoding), not for its resource objects: those give naive datetimes, and their
lazy result sets read every page before the first item.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from enum import Enum
from functools import cached_property
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import requests
from redminelib import Redmine  # type: ignore[import-untyped]
from redminelib import exceptions as rm_exceptions  # type: ignore[import-untyped]
from redminelib.engines.sync import SyncEngine  # type: ignore[import-untyped]

from sup_sla_sync.config import Settings
from sup_sla_sync.errors import AuthError, ConfigError, TrackerError, TrackerUnavailable
from sup_sla_sync.logs import register_secret
from sup_sla_sync.core.model import (
    ASSIGNED_TO,
    ATTACHMENT,
    DUE_DATE,
    PRIORITY,
    STATUS,
    TRACKER,
    FieldChange,
    IssueSnapshot,
    Journal,
    People,
    cf,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # Redmine's own maximum for `limit`
CONNECT_TIMEOUT_CAP = 10.0  # a TCP handshake that takes longer will not succeed
RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_ACTIVE, USER_LOCKED = 1, 3
# Redmine's updated_on has whole seconds: a change in the same second as a read leaves it
# as it was. A snapshot whose updated_on is this close to the server's clock (its `Date`
# header) when it was read is not remembered, so the next listing reads it again.
UNSETTLED = timedelta(seconds=10)

Kind = Literal["list_pages", "issue_reads", "writes", "other"]


class _Unset(Enum):
    UNSET = "UNSET"


UNSET = _Unset.UNSET
"""`update_issue(due_date=UNSET)` leaves the due date alone; `None` clears it."""


# --- values the adapter hands out -------------------------------------------------------


@dataclass
class RequestStats:
    """HTTP requests sent to the tracker, by kind (every attempt counts; `retries` too)."""

    list_pages: int = 0
    issue_reads: int = 0
    writes: int = 0
    other: int = 0
    retries: int = 0

    @property
    def total(self) -> int:
        return self.list_pages + self.issue_reads + self.writes + self.other

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "total": self.total}


@dataclass(frozen=True)
class IssueStatus:
    id: int
    name: str
    is_closed: bool = False


@dataclass(frozen=True)
class IssuePriority:
    id: int
    name: str
    is_default: bool = False


@dataclass(frozen=True)
class CustomField:
    id: int
    name: str
    field_format: str = "string"
    possible_values: tuple[str, ...] = ()
    multiple: bool = False


@dataclass(frozen=True)
class Directory:
    """The tracker's names and ids (issue custom fields only), as read by `load_directory`."""

    statuses: Mapping[str, IssueStatus] = field(default_factory=dict)
    trackers: Mapping[str, int] = field(default_factory=dict)
    priorities: Mapping[str, IssuePriority] = field(default_factory=dict)
    custom_fields: Mapping[str, CustomField] = field(default_factory=dict)
    projects: Mapping[str, int] = field(default_factory=dict)  # identifier -> id
    groups: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def _status_names(self) -> dict[int, str]:
        return {s.id: s.name for s in self.statuses.values()}

    @cached_property
    def _tracker_names(self) -> dict[int, str]:
        return {i: name for name, i in self.trackers.items()}

    @cached_property
    def _priority_names(self) -> dict[int, str]:
        return {p.id: p.name for p in self.priorities.values()}

    @cached_property
    def custom_field_names(self) -> dict[int, str]:
        return {f.id: f.name for f in self.custom_fields.values()}

    @cached_property
    def _project_identifiers(self) -> dict[int, str]:
        return {i: ident for ident, i in self.projects.items()}

    # An id the directory does not know (a deleted status, ...) stays its id string.
    def status_name(self, status_id: str | int | None) -> str | None:
        return _lookup(self._status_names, status_id)

    def tracker_name(self, tracker_id: str | int | None) -> str | None:
        return _lookup(self._tracker_names, tracker_id)

    def priority_name(self, priority_id: str | int | None) -> str | None:
        return _lookup(self._priority_names, priority_id)

    def project_identifier(self, project_id: int) -> str | None:
        return self._project_identifiers.get(project_id)


def _lookup(names: Mapping[int, str], key: str | int | None) -> str | None:
    if key is None or key == "":
        return None
    try:
        return names.get(int(key), str(key))
    except ValueError:
        return str(key)


# --- HTTP ----------------------------------------------------------------------------


class _HttpStatusError(Exception):
    """A non-2xx answer, with what is needed to explain it (never the request headers)."""

    def __init__(self, response: requests.Response) -> None:
        self.status = response.status_code
        self.reason = response.reason or ""
        self.messages = _error_messages(response)
        self.retry_after = _retry_after(response)
        super().__init__(f"{self.status} {self.reason}".strip())


class _Engine(SyncEngine):  # type: ignore[misc]
    """python-redmine's engine, plus what it lacks: a timeout on every request, and the
    status code of every failed answer (its own exceptions drop it for most codes)."""

    def __init__(self, *, timeout: tuple[float, float], verify: bool, **options: Any) -> None:
        self.timeout = timeout
        self.verify = verify
        self.server_time: str | None = None  # the `Date` header of the last answer
        super().__init__(**options)

    # `requests={"timeout": ...}` only sets an attribute requests.Session ignores, and a
    # session's verify=False loses to REQUESTS_CA_BUNDLE: both go with every request.
    def construct_request_kwargs(
        self, method: str, headers: Any, params: Any, data: Any
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = SyncEngine.construct_request_kwargs(method, headers, params, data)
        kwargs["timeout"] = self.timeout
        kwargs["verify"] = self.verify
        return kwargs

    def process_response(self, response: requests.Response) -> Any:
        self.server_time = response.headers.get("Date")
        if response.status_code not in (200, 201, 204):
            raise _HttpStatusError(response)
        return super().process_response(response)


@dataclass(frozen=True)
class _Failure:
    error: type[TrackerError]
    text: str
    retryable: bool = False
    retry_after: float | None = None


_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # how Redmine's filters take a UTC time


# --- the adapter ---------------------------------------------------------------------


class RedmineAdapter:
    """Reads issues and people from Redmine and writes the tool's changes back."""

    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
    ) -> None:
        config = settings.redmine
        key = config.api_key.get_secret_value()
        if not key:
            raise ConfigError("redmine.api_key: empty (set SUP_SLA_REDMINE__API_KEY)")
        register_secret(key)
        self._key = key
        self.url = config.url
        self._shown_url = _without_userinfo(config.url)
        self.timeout = (min(config.timeout_seconds, CONNECT_TIMEOUT_CAP), config.timeout_seconds)
        # The key goes in the X-Redmine-API-Key header (python-redmine's `key=`), never in a URL.
        self._redmine = Redmine(
            config.url,
            key=key,
            engine=_Engine,
            timeout=self.timeout,
            verify=config.verify_tls,
        )
        self._sleep = sleep
        self._retries = max(0, retries)
        self._backoff = backoff
        self._max_backoff = max_backoff
        self.stats = RequestStats()
        self._directory: Directory | None = None
        self._extra_projects: dict[int, str] = {}
        # The last snapshot read with journals, by id: lets a listing skip re-reading
        # journals while updated_on is unchanged. A speed-up only; never needed for correctness.
        self._known: dict[int, IssueSnapshot] = {}

    def __repr__(self) -> str:
        return f"RedmineAdapter({self._shown_url!r})"

    def close(self) -> None:
        self._redmine.engine.session.close()

    def __enter__(self) -> RedmineAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- who and what ------------------------------------------------------------------

    def current_user(self) -> dict[str, Any]:
        """The API key's user: {"id", "login", "admin"}."""
        user = self._get_one("/users/current.json", "user", what="reading the current user")
        return {
            "id": int(user["id"]),
            "login": user.get("login") or "",
            "admin": bool(user.get("admin", False)),
        }

    def is_reachable(self) -> bool:
        """Whether the tracker answers at all: tells one issue's failure from an outage.

        A refused key is not an outage of one issue: AuthError goes up to the caller.
        """
        try:
            self.current_user()
        except AuthError:
            raise
        except TrackerUnavailable:
            return False
        return True

    def allowed_statuses(self, issue_id: int) -> frozenset[str] | None:
        """The statuses the key's user may move the issue to; None where the tracker does not
        say (Redmine before 5.0)."""
        raw = self._get_one(
            f"/issues/{issue_id}.json",
            "issue",
            params={"include": "allowed_statuses"},
            issue_id=issue_id,
            what="reading the allowed statuses",
        )
        allowed = raw.get("allowed_statuses")
        if allowed is None:
            return None
        return frozenset(str(s.get("name")) for s in allowed)

    @property
    def directory(self) -> Directory:
        return self._directory or self.load_directory()

    def load_directory(self, *, refresh: bool = False) -> Directory:
        """Statuses, trackers, priorities, issue custom fields, projects and groups.

        Read once per adapter (unless `refresh`); custom fields and groups need an
        administrator's key.
        """
        if self._directory is not None and not refresh:
            return self._directory
        admin = "needs an administrator's key"
        statuses = {
            s["name"]: IssueStatus(int(s["id"]), s["name"], bool(s.get("is_closed", False)))
            for s in self._get_list("/issue_statuses.json", "issue_statuses", "issue statuses")
        }
        trackers = {
            t["name"]: int(t["id"])
            for t in self._get_list("/trackers.json", "trackers", "trackers")
        }
        priorities = {
            p["name"]: IssuePriority(int(p["id"]), p["name"], bool(p.get("is_default", False)))
            for p in self._get_list(
                "/enumerations/issue_priorities.json", "issue_priorities", "issue priorities"
            )
        }
        custom_fields = {
            f["name"]: CustomField(
                id=int(f["id"]),
                name=f["name"],
                field_format=f.get("field_format") or "string",
                possible_values=tuple(
                    str(v.get("value", "")) for v in f.get("possible_values") or ()
                ),
                multiple=bool(f.get("multiple", False)),
            )
            for f in self._get_list(
                "/custom_fields.json",
                "custom_fields",
                "custom fields",
                forbidden=f"reading custom fields {admin}",
            )
            if f.get("customized_type", "issue") == "issue"
        }
        projects = {
            p["identifier"]: int(p["id"])
            for p in self._pages(
                "/projects.json", "projects", {}, kind="other", what="reading projects"
            )
        }
        groups = {
            g["name"]: int(g["id"])
            for g in self._get_list(
                "/groups.json", "groups", "groups", forbidden=f"reading groups {admin}"
            )
        }
        self._directory = Directory(statuses, trackers, priorities, custom_fields, projects, groups)
        return self._directory

    def load_people(self, staff_groups: list[str], vip_groups: list[str], lead: str) -> People:
        """Who is staff, who is VIP, every login, and the lead (`lead` is a login or "")."""
        me = self.current_user()
        groups = self.directory.groups
        problems = [
            f"{key}: group {name!r} does not exist in the tracker"
            for key, names in (
                ("staff.groups", staff_groups),
                ("service_level.vip_groups", vip_groups),
            )
            for name in names
            if name not in groups
        ]
        if problems:
            raise TrackerError("; ".join(problems))
        members: dict[str, frozenset[int]] = {}
        for name in dict.fromkeys([*staff_groups, *vip_groups]):
            members[name] = self._group_members(name, groups[name])
        logins = self.load_logins()
        logins[me["id"]] = me["login"]
        lead_id = None
        if lead:
            lead_id = next((i for i, login in logins.items() if login == lead), None)
            if lead_id is None:
                raise TrackerError(f"staff.lead: no active or locked user has the login {lead!r}")
        return People(
            tool_user_id=me["id"],
            staff_ids=frozenset().union(*(members[n] for n in staff_groups)),
            vip_ids=frozenset().union(*(members[n] for n in vip_groups)),
            logins=logins,
            lead_id=lead_id,
        )

    def load_logins(self) -> dict[int, str]:
        """id -> login of every active and locked user (deleted users have none)."""
        logins: dict[int, str] = {}
        for status in (USER_ACTIVE, USER_LOCKED):
            for user in self._pages(
                "/users.json",
                "users",
                {"status": status},
                kind="other",
                what="reading users",
                forbidden="reading users needs an administrator's key",
            ):
                logins[int(user["id"])] = user.get("login") or ""
        return logins

    def _group_members(self, name: str, group_id: int) -> frozenset[int]:
        group = self._get_one(
            f"/groups/{group_id}.json",
            "group",
            params={"include": "users"},
            what=f"reading the members of group {name!r}",
            forbidden="reading group members needs an administrator's key",
        )
        return frozenset(int(u["id"]) for u in group.get("users") or ())

    # --- issues ------------------------------------------------------------------------

    def iter_issues(
        self,
        projects: list[str],
        closed_since: datetime | None,
        *,
        on_error: Callable[[int, TrackerError], None] | None = None,
    ) -> Iterator[IssueSnapshot]:
        """Open issues of `projects` (all visible ones if empty), plus those closed and
        updated since `closed_since`, by id, each with its journals and watchers.

        Journals are read only for issues whose `updated_on` changed since this adapter
        last read them. An issue whose read fails goes to `on_error` (default: logged) and
        is skipped; a tracker outage (`TrackerUnavailable`) ends the iteration.
        """
        filters: list[dict[str, Any]] = [{"status_id": "open"}]
        if closed_since is not None:
            if closed_since.tzinfo is None:
                raise ValueError("closed_since must be timezone-aware")
            since = closed_since.astimezone(UTC).strftime(_STAMP)
            filters.append({"status_id": "closed", "updated_on": f">={since}"})
        yield from self._snapshots(projects, filters, on_error)

    def _snapshots(
        self,
        projects: Iterable[str],
        filters: list[dict[str, Any]],
        on_error: Callable[[int, TrackerError], None] | None,
    ) -> Iterator[IssueSnapshot]:
        """The listed issues by id as snapshots; an issue whose read fails goes to
        `on_error` (default: logged) and is skipped; an outage ends the iteration."""
        self.load_directory()  # its failures concern every issue: they end the iteration
        listed = self._list_issues(projects, filters)
        for issue_id in sorted(listed):
            try:
                try:
                    snapshot = self._from_listing(listed[issue_id])
                except AuthError:
                    raise
                except TrackerUnavailable as exc:
                    # One issue that always times out must not look like an outage.
                    if not self.is_reachable():
                        raise
                    raise TrackerError(str(exc)) from exc
            except TrackerUnavailable:
                raise
            except TrackerError as exc:
                if on_error is None:
                    log.error("%s", exc, extra={"issue": issue_id})
                else:
                    on_error(issue_id, exc)
                continue
            yield snapshot

    def snapshot(self, issue_id: int, fresh: bool = True) -> IssueSnapshot:
        """One issue with journals and watchers; read again unless `fresh` is False and this
        adapter already read it."""
        if not fresh and issue_id in self._known:
            return self._known[issue_id]
        return self._read_full(issue_id)

    def iter_issues_created(
        self,
        projects: list[str],
        since: date,
        until: date,
        zone: tzinfo,
        *,
        on_error: Callable[[int, TrackerError], None] | None = None,
    ) -> Iterator[IssueSnapshot]:
        """Issues of `projects` (all visible ones if empty) of any status, created from
        `since` 00:00 to `until` 23:59:59 local time in `zone`, by id, with journals.

        Redmine takes `created_on=><FROM|TO` with UTC timestamps, both ends inclusive (an
        offset such as +05:00 is refused). TO is the next local midnight, so a creation time
        stored with a fraction of a second still matches; the exact local dates are then
        kept here. Errors are handled as in `iter_issues`.
        """
        start = datetime(since.year, since.month, since.day, tzinfo=zone).astimezone(UTC)
        after = until + timedelta(days=1)
        end = datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(UTC)
        created = {"status_id": "*", "created_on": f"><{start:{_STAMP}}|{end:{_STAMP}}"}
        for snapshot in self._snapshots(projects, [created], on_error):
            if start <= snapshot.created_on < end:
                yield snapshot

    def _list_issues(
        self, projects: Iterable[str], filters: list[dict[str, Any]]
    ) -> dict[int, dict[str, Any]]:
        scopes: list[dict[str, Any]] = [{"project_id": p} for p in projects] or [{}]
        listed: dict[int, dict[str, Any]] = {}
        for scope in scopes:
            project = scope.get("project_id")
            what = f"listing the issues of project {project!r}" if project else "listing issues"
            not_found = f"project {project!r}: not found or not visible" if project else None
            for wanted in filters:
                params = {**scope, **wanted, "sort": "id"}
                # Paging by offset while issues change may repeat one: keep the last copy.
                for raw in self._pages(
                    "/issues.json",
                    "issues",
                    params,
                    kind="list_pages",
                    what=what,
                    not_found=not_found,
                ):
                    listed[int(raw["id"])] = raw
        return listed

    def _from_listing(self, raw: dict[str, Any]) -> IssueSnapshot:
        issue_id = int(raw["id"])
        known = self._known.get(issue_id)
        if known is not None and known.updated_on == _utc(raw["updated_on"]):
            return self._convert(raw, known)
        return self._read_full(issue_id)

    def _read_full(self, issue_id: int) -> IssueSnapshot:
        raw = self._get_one(
            f"/issues/{issue_id}.json",
            "issue",
            params={"include": "journals,watchers"},
            kind="issue_reads",
            issue_id=issue_id,
            what="reading the issue",
        )
        snapshot = self._convert(raw, None)
        if snapshot.updated_on < self._server_now() - UNSETTLED:
            self._known[issue_id] = snapshot
        else:  # another change may still come within updated_on's second
            self._known.pop(issue_id, None)
        return snapshot

    def _server_now(self) -> datetime:
        """The tracker's clock at its last answer (its `Date` header), else this machine's."""
        stamp = self._redmine.engine.server_time
        if stamp:
            try:
                when = parsedate_to_datetime(stamp)
            except (TypeError, ValueError):
                pass
            else:
                if when.tzinfo is not None:
                    return when.astimezone(UTC)
        return datetime.now(UTC)

    def _convert(self, raw: dict[str, Any], known: IssueSnapshot | None) -> IssueSnapshot:
        """The snapshot of an issue's JSON, with `known`'s journals and watchers if given."""
        try:
            if known is not None:
                return self._to_snapshot(raw, known.journals, known.watcher_ids)
            watchers = frozenset(int(w["id"]) for w in raw.get("watchers") or () if "id" in w)
            return self._to_snapshot(raw, self._journals(raw), watchers)
        except (KeyError, TypeError, ValueError) as exc:
            raise TrackerError(f"issue {raw.get('id')}: unexpected answer: {exc!r}") from exc

    def _to_snapshot(
        self, raw: dict[str, Any], journals: tuple[Journal, ...], watchers: frozenset[int]
    ) -> IssueSnapshot:
        return IssueSnapshot(
            id=int(raw["id"]),
            subject=raw.get("subject") or "",
            tracker=_name(raw.get("tracker")),
            status=_name(raw.get("status")),
            priority=_name(raw.get("priority")),
            author_id=_ref_id(raw.get("author")) or 0,
            created_on=_utc(raw["created_on"]),
            updated_on=_utc(raw["updated_on"]),
            project=self._project_identifier(raw.get("project")),
            description=raw.get("description") or "",
            assigned_to_id=_ref_id(raw.get("assigned_to")),
            due_date=date.fromisoformat(raw["due_date"]) if raw.get("due_date") else None,
            custom_fields={
                f["name"]: _field_value(f.get("value")) for f in raw.get("custom_fields") or ()
            },
            journals=journals,
            watcher_ids=watchers,
        )

    def _journals(self, raw: dict[str, Any]) -> tuple[Journal, ...]:
        directory = self.directory
        # The issue names its own fields, which covers a field created after the directory.
        field_names = {
            **directory.custom_field_names,
            **{int(f["id"]): f["name"] for f in raw.get("custom_fields") or ()},
        }
        journals = [
            Journal(
                id=int(j["id"]),
                user_id=_ref_id(j.get("user")) or 0,
                created_on=_utc(j["created_on"]),
                notes=j.get("notes") or "",
                private=bool(j.get("private_notes", False)),
                changes=tuple(_change(d, directory, field_names) for d in j.get("details") or ()),
            )
            for j in raw.get("journals") or ()
        ]
        return tuple(sorted(journals, key=lambda j: (j.created_on, j.id)))

    def _project_identifier(self, ref: dict[str, Any] | None) -> str:
        project_id = _ref_id(ref)
        if project_id is None:
            return ""
        known = self.directory.project_identifier(project_id) or self._extra_projects.get(
            project_id
        )
        if known is not None:
            return known
        # A project created after the directory was read.
        try:
            project = self._get_one(
                f"/projects/{project_id}.json", "project", what=f"reading project {project_id}"
            )
            identifier = str(project.get("identifier") or project_id)
        except TrackerUnavailable:
            raise
        except TrackerError as exc:
            log.warning("%s; the project is shown by its id", exc)
            identifier = str(project_id)
        self._extra_projects[project_id] = identifier
        return identifier

    # --- writes (never retried: a repeated PUT could post a note twice) -----------------

    def update_issue(
        self,
        issue_id: int,
        *,
        custom_fields: Mapping[str, str | None] | None = None,
        due_date: date | _Unset | None = UNSET,
        status: str | None = None,
        priority: str | None = None,
        notes: str | None = None,
        private_notes: bool = False,
    ) -> None:
        """One PUT with every change given by name; `None`/UNSET arguments change nothing
        (but `due_date=None` clears the due date, and a custom field value None empties it)."""
        directory = self.directory
        body: dict[str, Any] = {}
        unknown: list[str] = []
        if custom_fields:
            values = []
            for name, value in custom_fields.items():
                if name in directory.custom_fields:
                    values.append({"id": directory.custom_fields[name].id, "value": value or ""})
                else:
                    unknown.append(f"custom field {name!r}")
            body["custom_fields"] = values
        if due_date is not UNSET:
            body["due_date"] = due_date.isoformat() if isinstance(due_date, date) else None
        if status is not None:
            if status in directory.statuses:
                body["status_id"] = directory.statuses[status].id
            else:
                unknown.append(f"status {status!r}")
        if priority is not None:
            if priority in directory.priorities:
                body["priority_id"] = directory.priorities[priority].id
            else:
                unknown.append(f"priority {priority!r}")
        if unknown:
            raise TrackerError(
                f"issue {issue_id}: the tracker has no {', '.join(unknown)}; nothing was written"
            )
        if notes:
            body["notes"] = notes
            if private_notes:
                body["private_notes"] = True
        if not body:
            return
        self._known.pop(issue_id, None)
        self._call(
            "put",
            f"/issues/{issue_id}.json",
            kind="writes",
            data={"issue": body},
            issue_id=issue_id,
            what="update",
            forbidden="the tracker forbids updating this issue (project closed or archived?)",
        )

    def add_watcher(self, issue_id: int, user_id: int) -> None:
        self._call(
            "post",
            f"/issues/{issue_id}/watchers.json",
            kind="writes",
            data={"user_id": user_id},
            issue_id=issue_id,
            what=f"adding user {user_id} as a watcher",
        )
        known = self._known.get(issue_id)
        if known is not None:  # adding a watcher does not touch updated_on
            self._known[issue_id] = replace(known, watcher_ids=known.watcher_ids | {user_id})

    # --- requests ----------------------------------------------------------------------

    def _get_one(
        self,
        path: str,
        container: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        kind: Kind = "other",
        issue_id: int | None = None,
        forbidden: str | None = None,
    ) -> dict[str, Any]:
        payload = self._call(
            "get",
            path,
            kind=kind,
            params=params,
            issue_id=issue_id,
            what=what,
            forbidden=forbidden,
        )
        item = payload.get(container)
        if not isinstance(item, dict):
            raise TrackerError(_prefix(issue_id) + f"{what}: unexpected answer (no {container!r})")
        return item

    def _get_list(
        self, path: str, container: str, label: str, *, forbidden: str | None = None
    ) -> list[dict[str, Any]]:
        return list(
            self._pages(
                path, container, {}, kind="other", what=f"reading {label}", forbidden=forbidden
            )
        )

    def _pages(
        self,
        path: str,
        container: str,
        params: dict[str, Any],
        *,
        kind: Kind,
        what: str,
        forbidden: str | None = None,
        not_found: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a listing, page by page (a listing without total_count is one page)."""
        offset = 0
        while True:
            page = self._call(
                "get",
                path,
                kind=kind,
                params={**params, "limit": PAGE_SIZE, "offset": offset},
                what=what,
                forbidden=forbidden,
                not_found=not_found,
            )
            items = page.get(container)
            if not isinstance(items, list):
                raise TrackerError(f"{what}: unexpected answer (no {container!r} list)")
            yield from items
            offset += len(items)
            total = page.get("total_count")
            if not items or total is None or offset >= int(total):
                return

    def _call(
        self,
        method: str,
        path: str,
        *,
        kind: Kind,
        what: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        issue_id: int | None = None,
        forbidden: str | None = None,
        not_found: str | None = None,
    ) -> Any:
        """One request; GETs are retried with exponential backoff on transient failures."""
        retries = self._retries if method == "get" else 0
        attempt = 0
        while True:
            setattr(self.stats, kind, getattr(self.stats, kind) + 1)
            try:
                result = self._redmine.engine.request(
                    method, self.url + path, params=params, data=data
                )
                if method == "get" and not isinstance(result, dict):
                    raise rm_exceptions.JSONDecodeError(None)
                return result
            except Exception as exc:
                if method != "get" and isinstance(exc, rm_exceptions.JSONDecodeError):
                    return None  # a 2xx answer to a write: its body is not needed
                failure = self._explain(exc, method, path, what, issue_id, forbidden, not_found)
                error = failure.error(self._scrub(failure.text))
                if not failure.retryable or attempt >= retries:
                    raise error from exc
            delay = min(self._max_backoff, self._backoff * 2**attempt)
            if failure.retry_after is not None:
                delay = max(delay, min(failure.retry_after, self._max_backoff))
            attempt += 1
            self.stats.retries += 1
            log.warning(
                "%s; retry %d of %d in %.1f s",
                error,
                attempt,
                retries,
                delay,
                extra={"issue": issue_id} if issue_id is not None else None,
            )
            self._sleep(delay)

    def _explain(
        self,
        exc: Exception,
        method: str,
        path: str,
        what: str,
        issue_id: int | None,
        forbidden: str | None,
        not_found: str | None,
    ) -> _Failure:
        """What to tell about a failed request, and whether a retry may help."""
        prefix = _prefix(issue_id)
        unreachable = f"{prefix}cannot reach the tracker at {self._shown_url}"
        if isinstance(exc, _HttpStatusError):
            status = f"{exc.status} {exc.reason}".strip()
            if exc.status == 401:
                return _Failure(AuthError, f"{prefix}the tracker refused the API key")
            if exc.status == 403 and path == "/users/current.json":
                text = "the tracker refused the API key (403: is the REST API enabled?)"
                return _Failure(AuthError, text)
            if exc.status == 403:
                return _Failure(TrackerError, prefix + (forbidden or f"{what}: forbidden (403)"))
            if exc.status == 404 and issue_id is not None:
                return _Failure(TrackerError, f"{prefix}not found or not visible")
            if exc.status == 404:
                return _Failure(TrackerError, not_found or f"{what}: not found (404)")
            if exc.status == 422:
                reasons = "; ".join(exc.messages) or status
                return _Failure(TrackerError, f"{prefix}{what} refused: {reasons}")
            if exc.status in RETRY_STATUSES:
                text = f"{unreachable}: {method.upper()} {path} got {status}"
                return _Failure(TrackerUnavailable, text, True, exc.retry_after)
            return _Failure(TrackerError, f"{prefix}{what}: the tracker answered {status}")
        if isinstance(exc, rm_exceptions.JSONDecodeError):
            text = f"{prefix}{what}: the tracker's answer is not JSON (is redmine.url right?)"
            return _Failure(TrackerError, text, retryable=True)
        if isinstance(exc, rm_exceptions.HTTPProtocolError):
            text = f"{unreachable}: it redirects between http and https; fix redmine.url"
            return _Failure(TrackerUnavailable, text)
        if isinstance(exc, requests.exceptions.SSLError):
            return _Failure(TrackerUnavailable, f"{unreachable}: TLS: {_reason(exc)}")
        if isinstance(exc, requests.exceptions.ReadTimeout):
            text = f"{unreachable}: no answer within {self.timeout[1]:g} s"
            if method != "get":
                text += " (the change may or may not have been made)"
            return _Failure(TrackerUnavailable, text, retryable=True)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            text = f"{unreachable}: no connection within {self.timeout[0]:g} s"
            return _Failure(TrackerUnavailable, text, retryable=True)
        if isinstance(
            exc,
            requests.exceptions.ConnectionError
            | requests.exceptions.Timeout
            | requests.exceptions.ChunkedEncodingError,
        ):
            return _Failure(TrackerUnavailable, f"{unreachable}: {_reason(exc)}", retryable=True)
        if isinstance(exc, requests.exceptions.RequestException):
            return _Failure(TrackerUnavailable, f"{unreachable}: {_reason(exc)}")
        if isinstance(exc, rm_exceptions.BaseRedmineError):
            return _Failure(TrackerError, f"{prefix}{what}: {exc}")
        raise exc

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***")


# --- conversions ---------------------------------------------------------------------

_ATTRIBUTES = {"priority_id": PRIORITY, "tracker_id": TRACKER, "due_date": DUE_DATE}


def _change(detail: dict[str, Any], directory: Directory, fields: Mapping[int, str]) -> FieldChange:
    prop = detail.get("property")
    key = str(detail.get("name", ""))
    old, new = _text(detail.get("old_value")), _text(detail.get("new_value"))
    if prop == "attr":
        if key == "status_id":
            return FieldChange(STATUS, directory.status_name(old), directory.status_name(new))
        if key == "priority_id":
            return FieldChange(PRIORITY, directory.priority_name(old), directory.priority_name(new))
        if key == "tracker_id":
            return FieldChange(TRACKER, directory.tracker_name(old), directory.tracker_name(new))
        if key == "assigned_to_id":
            return FieldChange(ASSIGNED_TO, old, new)
        return FieldChange(_ATTRIBUTES.get(key, key), old, new)
    if prop == "cf":
        name = fields.get(int(key), key) if key.isdigit() else key
        return FieldChange(cf(name), old, new)
    if prop == "attachment":
        return FieldChange(ATTACHMENT, old, new)
    return FieldChange(f"{prop}:{key}", old, new)  # relations and the like


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _field_value(value: Any) -> str | None:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v not in (None, ""))
    return _text(value)


def _name(ref: Any) -> str:
    if isinstance(ref, dict):
        return str(ref.get("name") or ref.get("id") or "")
    return ""


def _ref_id(ref: Any) -> int | None:
    if isinstance(ref, dict) and ref.get("id") is not None:
        return int(ref["id"])
    return None


def _utc(value: str) -> datetime:
    """Redmine writes UTC with a Z; an offset or a naive time is made aware UTC too."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _prefix(issue_id: int | None) -> str:
    return f"issue {issue_id}: " if issue_id is not None else ""


def _error_messages(response: requests.Response) -> list[str]:
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        return []
    if not isinstance(errors, list):
        return []
    return [": ".join(map(str, e)) if isinstance(e, list) else str(e) for e in errors]


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


_ERRNO = re.compile(r"\[Errno -?\d+\][^'\")]*")


def _reason(exc: Exception) -> str:
    """The useful part of a requests error ("[Errno 111] Connection refused")."""
    text = str(exc)
    match = _ERRNO.search(text)
    if match:
        return match.group(0).strip()
    return f"{type(exc).__name__}: {text}"[:300]


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
