"""`RedmineAdapter`: the tracker as the service sees it.

It turns Redmine's JSON into `model.IssueSnapshot` / `model.People` (with `convert`) and
the core's decisions back into REST writes; every request goes through `transport`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import Enum
from typing import Any

from sup_sla_sync.adapters.redmine.convert import _journals, _to_snapshot, _utc, _watcher_ids
from sup_sla_sync.adapters.redmine.directory import (
    CustomField,
    Directory,
    IssuePriority,
    IssueStatus,
    ProjectSetup,
)
from sup_sla_sync.adapters.redmine.transport import RequestStats, Transport
from sup_sla_sync.adapters.redmine.writes import RedmineWrites
from sup_sla_sync.config import Settings
from sup_sla_sync.core.model import IssueSnapshot, People, StatusRole
from sup_sla_sync.errors import AuthError, ConfigError, TrackerError, TrackerUnavailable
from sup_sla_sync.logs import register_secret

# The package's name, as before the split into modules: log output is behaviour.
log = logging.getLogger("sup_sla_sync.redmine")

USER_ACTIVE, USER_REGISTERED, USER_LOCKED = 1, 2, 3
# Redmine's updated_on has whole seconds: a change in the same second as a read leaves it
# as it was. A snapshot whose updated_on is this close to the server's clock (its `Date`
# header) when it was read is not remembered, so the next listing reads it again.
UNSETTLED = timedelta(seconds=10)


class _Unset(Enum):
    UNSET = "UNSET"


UNSET = _Unset.UNSET
"""`update_issue(due_date=UNSET)` leaves the due date alone; `None` clears it."""

_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # how Redmine's filters take a UTC time


class RedmineAdapter(RedmineWrites):
    """Reads issues and people from Redmine and writes the tool's changes back: the
    tracker port (`ports.tracker.Tracker`) for Redmine, and Redmine's own calls besides
    (`iter_issues(projects, ...)`, `update_issue`, the directory) that `check`, `init`
    and the write protocol (`writes.RedmineWrites`) use."""

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
        if not config.url:
            raise ConfigError(
                "redmine.url: empty; name the tracker's base URL in the configuration "
                "(the tool has no built-in tracker)"
            )
        key = config.api_key.get_secret_value()
        if not key:
            raise ConfigError("redmine.api_key: empty (set SUP_SLA_REDMINE__API_KEY)")
        register_secret(key)
        self.url = config.url
        self._settings = settings
        self._transport = Transport(
            config.url,
            key,
            timeout_seconds=config.timeout_seconds,
            verify=config.verify_tls,
            sleep=sleep,
            retries=retries,
            backoff=backoff,
            max_backoff=max_backoff,
        )
        self._directory: Directory | None = None
        self._extra_projects: dict[int, str] = {}
        # An agent's own (non-administrator) key, for `queue --mine`: what only
        # administrators may read (custom fields, groups, users) is left out.
        self.limited = False
        # The last snapshot read with journals, by id: lets a listing skip re-reading
        # journals while updated_on is unchanged. A speed-up only; never needed for correctness.
        self._known: dict[int, IssueSnapshot] = {}
        self._listing_started_at: datetime | None = None
        self._due_date_apart: set[int] = set()  # see writes.RedmineWrites

    # --- the tracker port (ports/tracker.py) --------------------------------------------

    @property
    def projects(self) -> list[str]:
        """`redmine.projects`: the identifiers the tool works on (empty: every visible)."""
        return list(self._settings.redmine.projects)

    def list_issues(
        self,
        closed_since: datetime | None,
        *,
        on_error: Callable[[int, Exception], None] | None = None,
        on_listed: Callable[[int], None] | None = None,
    ) -> Iterator[IssueSnapshot]:
        return self.iter_issues(self.projects, closed_since, on_error=on_error, on_listed=on_listed)

    def list_changed(
        self, since: datetime, *, on_error: Callable[[int, Exception], None] | None = None
    ) -> Iterator[IssueSnapshot]:
        return self.iter_changed(self.projects, since, on_error=on_error)

    def list_created(
        self,
        since: date,
        until: date,
        zone: tzinfo,
        *,
        on_listed: Callable[[int], None] | None = None,
    ) -> Iterator[IssueSnapshot]:
        return self.iter_issues_created(self.projects, since, until, zone, on_listed=on_listed)

    def read_issue(self, issue_id: int) -> IssueSnapshot:
        return self.snapshot(issue_id)

    def in_scope(self, issue: IssueSnapshot) -> bool:
        projects = self.projects
        return not projects or issue.project in projects

    scope_setting = "redmine.projects"

    def as_viewer(self) -> tuple[int | None, str | None]:
        user = self.current_user()
        if user.get("admin"):
            return user.get("id"), None
        self.limited = True
        return user.get("id"), (
            f"note: {user['login']!r} is not an administrator, and Redmine shows group "
            "membership only to administrators: only your own notes count as staff "
            "answers and no client is VIP by group, so due times may differ from the "
            "tool's. For the tool's exact order ask an admin for "
            f"`queue --assignee {user['login']}`."
        )

    def issue_url(self, issue_id: int) -> str:
        return f"{self.shown_url}/issues/{issue_id}"

    @property
    def shown_url(self) -> str:
        return self._settings.redmine.shown_url.rstrip("/")

    @property
    def state_key(self) -> str:
        return self._settings.redmine.api_key.get_secret_value()

    @property
    def stats(self) -> RequestStats:
        """HTTP requests sent so far, by kind."""
        return self._transport.stats

    @property
    def timeout(self) -> tuple[float, float]:
        """(connect, read) seconds, as every request is sent with."""
        return self._transport.timeout

    def __repr__(self) -> str:
        return f"RedmineAdapter({self._transport.shown_url!r})"

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> RedmineAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- who and what ------------------------------------------------------------------

    def current_user(self) -> dict[str, Any]:
        """The API key's user: {"id", "login", "admin"}."""
        user = self._transport.get_one(
            "/users/current.json", "user", what="reading the current user"
        )
        user_id = user.get("id")
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
            raise TrackerUnavailable(
                f"the tracker at {self._transport.shown_url}: /users/current.json names no "
                "user id (is redmine.url the tracker's address?)"
            )
        return {
            "id": user_id,
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
        raw = self._transport.get_one(
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
            for s in self._transport.get_list(
                "/issue_statuses.json", "issue_statuses", "issue statuses"
            )
        }
        trackers = {
            t["name"]: int(t["id"])
            for t in self._transport.get_list("/trackers.json", "trackers", "trackers")
        }
        priorities = {
            p["name"]: IssuePriority(int(p["id"]), p["name"], bool(p.get("is_default", False)))
            for p in self._transport.get_list(
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
                trackers=frozenset(int(t["id"]) for t in f["trackers"])
                if isinstance(f.get("trackers"), list)
                else None,
                is_filter=bool(f["is_filter"]) if "is_filter" in f else None,
            )
            for f in self._admin_list(
                "/custom_fields.json",
                "custom_fields",
                "custom fields",
                forbidden=f"reading custom fields {admin}",
            )
            if f.get("customized_type", "issue") == "issue"
        }
        projects = {
            p["identifier"]: int(p["id"])
            for p in self._transport.pages(
                "/projects.json", "projects", {}, kind="other", what="reading projects"
            )
        }
        groups = {
            g["name"]: int(g["id"])
            for g in self._admin_list(
                "/groups.json", "groups", "groups", forbidden=f"reading groups {admin}"
            )
        }
        self._directory = Directory(statuses, trackers, priorities, custom_fields, projects, groups)
        return self._directory

    def check_names(self) -> None:
        """Every status, priority, tracker and field name the configuration gives exists in
        the tracker (as last read): else exit 2 naming the key, before any issue is
        decided. `check` said so once; a name renamed in Redmine since then would turn
        pauses into work and closed issues into breaches (SPEC.md, principle 8)."""
        settings, directory = self._settings, self.directory
        problems = []
        statuses = settings.statuses
        named = [
            *(
                (f"statuses.{role.value}", n)
                for role in StatusRole
                for n in getattr(statuses, role.value)
            ),
            ("statuses.reopen_to", statuses.reopen_to),
            ("statuses.auto_close_to", statuses.auto_close_to),
        ]
        problems += [
            f"{key}: no status {name!r} in the tracker" + _has(directory.statuses)
            for key, name in named
            if name not in directory.statuses
        ]
        for section, have, what in (
            ("priorities", directory.priorities, "priority"),
            ("trackers", directory.trackers, "tracker"),
        ):
            for key, names in getattr(settings, section).model_dump().items():
                problems += [
                    f"{section}.{key}: no {what} {name!r} in the tracker" + _has(have)
                    for name in names
                    if name not in have
                ]
        if not self.limited:  # custom fields are shown to administrators only
            for key, name in settings.fields.model_dump().items():
                if name and name not in directory.custom_fields:
                    problems.append(
                        f"fields.{key}: no issue custom field {name!r} in the tracker"
                        + _has(directory.custom_fields)
                    )
        if problems:
            raise ConfigError(
                "; ".join(problems) + " (renamed in the tracker? `check` lists what it has)"
            )

    def project_setup(self, identifier: str) -> ProjectSetup:
        """The trackers and issue custom fields one project enables (for `check`)."""
        raw = self._transport.get_one(
            f"/projects/{identifier}.json",
            "project",
            params={"include": "trackers,issue_custom_fields"},
            what=f"reading project {identifier!r}",
        )
        trackers = {str(t["name"]): int(t["id"]) for t in raw.get("trackers") or ()}
        fields = frozenset(int(f["id"]) for f in raw.get("issue_custom_fields") or ())
        shown: dict[int, frozenset[int]] = {}
        for tracker_id in trackers.values():
            payload = self._transport.call(
                "get",
                "/issues.json",
                kind="other",
                params={
                    "project_id": identifier,
                    "tracker_id": tracker_id,
                    "status_id": "*",
                    "limit": 1,
                },
                what=f"reading an issue of project {identifier!r}",
            )
            issues = payload.get("issues") if isinstance(payload, dict) else None
            if issues:
                values = issues[0].get("custom_fields") or ()
                shown[tracker_id] = frozenset(int(v["id"]) for v in values)
        return ProjectSetup(identifier, trackers, fields, shown)

    def recent_issue_fields(self) -> list[tuple[str, frozenset[int]]]:
        """(project identifier, ids of the custom fields it shows) of the latest issues of
        every visible project: a field an issue shows in a project that does not tick it is
        "for all projects" (Redmine's API does not say so otherwise)."""
        payload = self._transport.call(
            "get",
            "/issues.json",
            kind="other",
            params={"status_id": "*", "sort": "updated_on:desc", "limit": 100},
            what="reading recent issues",
        )
        out = []
        for raw in (payload.get("issues") if isinstance(payload, dict) else None) or ():
            project = self._project_identifier(int(raw["project"]["id"]))
            out.append((project, frozenset(int(v["id"]) for v in raw.get("custom_fields") or ())))
        return out

    def saved_queries(self) -> list[dict[str, Any]]:
        """The saved issue queries the key's user sees: {"id", "name", "is_public",
        "project_id"} (`/queries.json`; no filters, sort or columns: the API has none)."""
        return list(
            self._transport.pages(
                "/queries.json", "queries", {}, kind="other", what="reading saved queries"
            )
        )

    def query_issue_ids(self, project: str | None, params: dict[str, Any]) -> tuple[int, list[int]]:
        """(total_count, ids of the first issues in order) of an issue query: a saved one
        (`query_id`) or ad-hoc filters and sort, in a project or across all of them."""
        from sup_sla_sync.adapters.redmine.queries import COMPARED

        path = f"/projects/{project}/issues.json" if project else "/issues.json"
        payload = self._transport.call(
            "get",
            path,
            kind="other",
            params={**params, "limit": COMPARED},
            what="reading a saved query's issues",
        )
        issues = payload.get("issues") if isinstance(payload, dict) else None
        total = payload.get("total_count", 0) if isinstance(payload, dict) else 0
        return int(total), [int(i["id"]) for i in issues or ()]

    def _admin_list(
        self, path: str, container: str, label: str, *, forbidden: str
    ) -> list[dict[str, Any]]:
        try:
            return self._transport.get_list(path, container, label, forbidden=forbidden)
        except TrackerUnavailable:
            raise
        except TrackerError:
            if self.limited:
                return []
            raise

    def load_people(
        self,
        staff_groups: list[str],
        vip_groups: list[str],
        lead: str,
        policy_groups: Sequence[str] = (),
    ) -> People:
        """Who is staff, who is VIP, every login, and the lead (`lead` is a login or "");
        and the members of the groups the contract policies name."""
        me = self.current_user()
        if self.limited:
            # Group membership and logins are hidden from this key: the key's user is the
            # only staff member known, and no one is VIP by group. No login is known, so
            # no one counts as a former user either.
            return People(tool_user_id=0, staff_ids=frozenset({me["id"]}))
        groups = self.directory.groups
        problems = [
            f"{key}: group {name!r} does not exist in the tracker"
            for key, names in (
                ("staff.groups", staff_groups),
                ("service_level.vip_groups", vip_groups),
                ("policies.groups", policy_groups),
            )
            for name in dict.fromkeys(names)
            if name not in groups
        ]
        if problems:
            raise TrackerError("; ".join(problems))
        members: dict[str, frozenset[int]] = {}
        for name in dict.fromkeys([*staff_groups, *vip_groups, *policy_groups]):
            members[name] = self._group_members(name, groups[name])
        logins = self.load_logins()
        logins[me["id"]] = me["login"]
        lead_id = None
        if lead:
            lead_id = next((i for i, login in logins.items() if login == lead), None)
            if lead_id is None:
                raise TrackerError(f"staff.lead: no user has the login {lead!r}")
        return People(
            tool_user_id=me["id"],
            staff_ids=frozenset().union(*(members[n] for n in staff_groups)),
            vip_ids=frozenset().union(*(members[n] for n in vip_groups)),
            logins=logins,
            lead_id=lead_id,
            groups={name: members[name] for name in policy_groups},
        )

    def load_logins(self) -> dict[int, str]:
        """id -> login of every user: active, registered (not yet activated) and locked.
        Deleted users have none (Redmine shows their notes as Anonymous's)."""
        logins: dict[int, str] = {}
        for status in (USER_ACTIVE, USER_REGISTERED, USER_LOCKED):
            for user in self._transport.pages(
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
        group = self._transport.get_one(
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
        on_listed: Callable[[int], None] | None = None,
    ) -> Iterator[IssueSnapshot]:
        """Open issues of `projects` (all visible ones if empty), plus those closed and
        updated since `closed_since`, by id, each with its journals and watchers.

        Journals are read only for issues whose `updated_on` changed since this adapter
        last read them. An issue whose read fails goes to `on_error` (default: logged) and
        is skipped; a tracker outage (`TrackerUnavailable`) ends the iteration.
        """
        # A full listing re-reads the directory (a handful of requests), so that a status or
        # field renamed since the last one is seen; an incremental one keeps it.
        if self._directory is not None:
            self.load_directory(refresh=True)
        filters: list[dict[str, Any]] = [{"status_id": "open"}]
        if closed_since is not None:
            if closed_since.tzinfo is None:
                raise ValueError("closed_since must be timezone-aware")
            since = closed_since.astimezone(UTC).strftime(_STAMP)
            filters.append({"status_id": "closed", "updated_on": f">={since}"})
        yield from self._snapshots(projects, filters, on_error, on_listed)

    def iter_changed(
        self,
        projects: list[str],
        since: datetime,
        *,
        on_error: Callable[[int, TrackerError], None] | None = None,
    ) -> Iterator[IssueSnapshot]:
        """Issues of `projects` of any status (closes included) updated at or after `since`
        (the tracker's clock), by id: what an incremental pass looks at."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        changed = {"status_id": "*", "updated_on": f">={since.astimezone(UTC):{_STAMP}}"}
        yield from self._snapshots(projects, [changed], on_error)

    def remember(self, snapshots: Iterable[IssueSnapshot], settled_before: datetime | None) -> None:
        """Take journals read in an earlier run (the daemon's saved state): an issue whose
        `updated_on` is unchanged is not read again. Only issues that had settled (no change
        could still come within their `updated_on` second): by `settled_before`, or, when
        it is None, when they were read (`is_settled` said so then)."""
        for snapshot in snapshots:
            if settled_before is None or snapshot.updated_on < settled_before - UNSETTLED:
                self._known.setdefault(snapshot.id, snapshot)

    def is_settled(self, snapshot: IssueSnapshot) -> bool:
        """This snapshot's journals were read at least UNSETTLED after its updated_on: a
        later change would carry another updated_on."""
        known = self._known.get(snapshot.id)
        return known is not None and known.updated_on == snapshot.updated_on

    def server_now(self) -> datetime:
        """The tracker's clock at its last answer (its `Date` header)."""
        return self._transport.server_now()

    @property
    def listing_started_at(self) -> datetime | None:
        """The tracker's clock (its `Date` header) at the first answer of the last listing:
        anything updated after it may be missing from that listing."""
        return self._listing_started_at

    def _snapshots(
        self,
        projects: Iterable[str],
        filters: list[dict[str, Any]],
        on_error: Callable[[int, TrackerError], None] | None,
        on_listed: Callable[[int], None] | None = None,
    ) -> Iterator[IssueSnapshot]:
        """The listed issues by id as snapshots (`on_listed` is told how many, for a
        progress display, before the first); an issue whose read fails goes to
        `on_error` (default: logged) and is skipped; an outage ends the iteration."""
        self.load_directory()  # its failures concern every issue: they end the iteration
        self.check_names()
        listed = self._list_issues(projects, filters)
        if on_listed is not None:
            on_listed(len(listed))
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
        on_listed: Callable[[int], None] | None = None,
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
        for snapshot in self._snapshots(projects, [created], on_error, on_listed):
            if start <= snapshot.created_on < end:
                yield snapshot

    def count_open_created_before(self, projects: list[str], before: datetime) -> int:
        """How many open issues of `projects` (all visible if empty) were created before
        `before`: one request a project, reading only Redmine's total_count."""
        scopes: list[dict[str, Any]] = [{"project_id": p} for p in projects] or [{}]
        total = 0
        for scope in scopes:
            params = {
                **scope,
                "status_id": "open",
                "created_on": f"<={before.astimezone(UTC):{_STAMP}}",
                "limit": 1,
            }
            payload = self._transport.call(
                "get", "/issues.json", kind="other", params=params, what="counting old issues"
            )
            total += int(payload.get("total_count") or 0) if isinstance(payload, dict) else 0
        return total

    def _list_issues(
        self, projects: Iterable[str], filters: list[dict[str, Any]]
    ) -> dict[int, dict[str, Any]]:
        scopes: list[dict[str, Any]] = [{"project_id": p} for p in projects] or [{}]
        listed: dict[int, dict[str, Any]] = {}
        self._listing_started_at = None
        for scope in scopes:
            project = scope.get("project_id")
            what = f"listing the issues of project {project!r}" if project else "listing issues"
            not_found = f"project {project!r}: not found or not visible" if project else None
            for wanted in filters:
                params = {**scope, **wanted, "sort": "id"}
                # Paging by offset while issues change may repeat one: keep the last copy.
                for raw in self._transport.pages(
                    "/issues.json",
                    "issues",
                    params,
                    kind="list_pages",
                    what=what,
                    not_found=not_found,
                ):
                    if self._listing_started_at is None:
                        self._listing_started_at = self._transport.server_now()
                    issue_id = raw.get("id")
                    if isinstance(issue_id, bool) or not isinstance(issue_id, int):
                        log.warning("%s: an issue without a valid id (%r): skipped", what, issue_id)
                        continue
                    listed[issue_id] = raw
                if self._listing_started_at is None:  # an empty first listing
                    self._listing_started_at = self._transport.server_now()
        return listed

    def _from_listing(self, raw: dict[str, Any]) -> IssueSnapshot:
        issue_id = int(raw["id"])
        known = self._known.get(issue_id)
        if known is not None and known.updated_on == _utc(raw["updated_on"]):
            return self._convert(raw, known)
        return self._read_full(issue_id)

    def _read_full(self, issue_id: int) -> IssueSnapshot:
        raw = self._transport.get_one(
            f"/issues/{issue_id}.json",
            "issue",
            params={"include": "journals,watchers"},
            kind="issue_reads",
            issue_id=issue_id,
            what="reading the issue",
        )
        snapshot = self._convert(raw, None)
        if snapshot.updated_on < self._transport.server_now() - UNSETTLED:
            self._known[issue_id] = snapshot
        else:  # another change may still come within updated_on's second
            self._known.pop(issue_id, None)
        return snapshot

    def _convert(self, raw: dict[str, Any], known: IssueSnapshot | None) -> IssueSnapshot:
        """The snapshot of an issue's JSON, with `known`'s journals and watchers if given."""
        try:
            if known is not None:
                return _to_snapshot(
                    raw, known.journals, known.watcher_ids, self._project_identifier
                )
            watchers = _watcher_ids(raw)
            journals = _journals(raw, self.directory)
            return _to_snapshot(raw, journals, watchers, self._project_identifier)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            detail = f"no {exc.args[0]!r} field" if isinstance(exc, KeyError) else str(exc)
            raise TrackerError(f"issue {raw.get('id')}: unexpected answer: {detail}") from exc

    def _project_identifier(self, project_id: int) -> str:
        known = self.directory.project_identifier(project_id) or self._extra_projects.get(
            project_id
        )
        if known is not None:
            return known
        # A project created after the directory was read.
        try:
            project = self._transport.get_one(
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
        self._transport.call(
            "put",
            f"/issues/{issue_id}.json",
            kind="writes",
            data={"issue": body},
            issue_id=issue_id,
            what="update",
            forbidden="the tracker forbids updating this issue (project closed or archived?)",
        )

    def add_watcher(self, issue_id: int, user_id: int) -> None:
        self._transport.call(
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


def _has(names: Iterable[str]) -> str:
    shown = sorted(names)
    more = f", ... ({len(shown)} in all)" if len(shown) > 12 else ""
    return f"; it has: {', '.join(repr(n) for n in shown[:12])}{more}"
