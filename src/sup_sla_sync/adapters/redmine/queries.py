"""The agents' saved issue queries (issue 19): the processing order inside the tracker.

`setup-script` creates three public Redmine `IssueQuery`s per configured project (one global
set when `redmine.projects` is empty), visible to the staff roles, named in
`notes.language`:

- ``queue``: the open issues, in the order `queue` prints them as far as Redmine's sort
  allows (see :func:`order`);
- ``mine``: the same, assigned to the viewer (``assigned_to_id = me``);
- ``breached``: the open issues whose `sla_state` field is ``breached``.

Each shows subject, status, priority, assignee and the three SLA fields.

Redmine sorts by the stored values only, and by three criteria at most
(`Redmine::SortCriteria#normalize!`), then by id descending. The level is the service-level
custom field's stored value, compared as text: it goes first, descending, when every VIP value
sorts after every other value of the field (``VIP`` > ``Basic``); otherwise (``Базовый`` sorts
after ``VIP``) no direction puts VIP first, and the level only groups the list (list fields
are groupable; the groups then come in the field's ascending order). This module holds that
rule for `check`; the Ruby in setup_script.py applies the same rule to the field as it is
when the script runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sup_sla_sync.config import Settings
from sup_sla_sync.core.texts import text
from sup_sla_sync.errors import TrackerError, TrackerUnavailable

QUERY_KEYS = ("queue", "mine", "breached")


def query_names(language: str) -> dict[str, str]:
    return {key: text(language, f"query.{key}") for key in QUERY_KEYS}


def level_descending(vip_values: Sequence[str], possible_values: Sequence[str]) -> bool:
    """Whether sorting the level field descending puts every VIP value before every other
    value (and before no value, which sorts as ''). Code-point order, as Ruby's and SQLite's;
    a database collating otherwise (PostgreSQL, MySQL) may differ on mixed scripts."""
    others = [v for v in possible_values if v not in vip_values]
    return bool(vip_values) and all(v > o for v in vip_values for o in others)


def order(
    settings: Settings, level: Any, first: Any, resolution: Any
) -> tuple[list[tuple[str, str]], str | None]:
    """(sort criteria, group_by column) for the fields as the tracker has them (a field
    missing is left out)."""

    def cf(field: Any) -> str | None:
        return f"cf_{field.id}" if field is not None else None

    group = cf(level) if level is not None and level.field_format == "list" else None
    vip = list(settings.service_level.vip_values)
    if level is not None and level_descending(vip, list(level.possible_values)):
        sort = [(cf(level), "desc"), ("priority", "desc"), (cf(first), "asc")]
    else:
        sort = [("priority", "desc"), (cf(first), "asc"), (cf(resolution), "asc")]
    return [(c, d) for c, d in sort if c is not None], group


class QueryReader(Protocol):
    def load_directory(self) -> Any: ...

    def saved_queries(self) -> list[dict[str, Any]]: ...

    def query_issue_ids(
        self, project: str | None, params: dict[str, Any]
    ) -> tuple[int, list[int]]: ...


# How many issues of each query `check` compares with the order setup-script makes.
COMPARED = 100


def query_warnings(settings: Settings, tracker: QueryReader) -> list[str]:
    """A saved query missing, no longer public, or listing other issues or another order
    than the filters and sort setup-script gives it (compared on its first issues, with the
    same filters and sort sent as an ad-hoc query). Columns and the roles a query is visible
    to are not in Redmine's API: those changes go unseen."""
    try:
        directory = tracker.load_directory()
        saved = tracker.saved_queries()
    except TrackerUnavailable:
        raise
    except TrackerError as exc:
        return [f"saved queries: could not read them ({exc}); run setup-script to create them"]
    fields = settings.fields
    level = directory.custom_fields.get(fields.service_level)
    first = directory.custom_fields.get(fields.first_response_due)
    resolution = directory.custom_fields.get(fields.resolution_due)
    state = directory.custom_fields.get(fields.sla_state)
    sort, group = order(settings, level, first, resolution)
    names = query_names(settings.notes.language)
    scopes: list[str | None] = list(settings.redmine.projects) or [None]
    out: list[str] = []
    if state is not None and getattr(state, "is_filter", None) is False:
        out.append(
            f"fields.sla_state: custom field {state.name!r} is not used as a filter: the "
            f"saved query {names['breached']!r} cannot filter on it; tick 'Used as a filter'"
        )
    for project in scopes:
        where = f"project {project!r}" if project else "all projects"
        project_id = directory.projects.get(project) if project else None
        if project and project_id is None:
            continue  # reported by check as a missing project
        for key, name in names.items():
            found = [
                q
                for q in saved
                if q.get("name") == name and (q.get("project_id") or None) == project_id
            ]
            if not found:
                out.append(
                    f"saved query {name!r} ({where}) is missing: run setup-script to create it"
                )
                continue
            query = found[0]
            if not query.get("is_public"):
                out.append(
                    f"saved query {name!r} ({where}, id {query['id']}) is private: agents "
                    "do not see it (setup-script makes it public for the staff roles)"
                )
                continue
            if key == "breached" and state is None:
                continue
            params = _adhoc(key, sort, group, state)
            try:
                got = tracker.query_issue_ids(project, {"query_id": query["id"]})
                want = tracker.query_issue_ids(project, params)
            except TrackerUnavailable:
                raise
            except TrackerError as exc:
                out.append(f"saved query {name!r} ({where}, id {query['id']}): {exc}")
                continue
            if got != want:
                out.append(
                    f"saved query {name!r} ({where}, id {query['id']}) was changed: it lists "
                    f"{got[0]} issue(s) in another order than the {want[0]} its filters and "
                    "sort from setup-script list (delete it and run setup-script to restore it)"
                )
    return out


def _adhoc(key: str, sort: list[tuple[str, str]], group: str | None, state: Any) -> dict[str, Any]:
    """The query setup-script saves, as the parameters of an ad-hoc `/issues.json` query."""
    filters = [("status_id", "o", [""])]
    if key == "mine":
        filters.append(("assigned_to_id", "=", ["me"]))
    if key == "breached" and state is not None:
        filters.append((f"cf_{state.id}", "=", ["breached"]))
    params: dict[str, Any] = {"set_filter": "1", "f[]": [f for f, _, _ in filters]}
    for field, op, values in filters:
        params[f"op[{field}]"] = op
        params[f"v[{field}][]"] = values
    params["sort"] = ",".join(f"{c}:{d}" for c, d in sort)
    if group:
        params["group_by"] = group
    return params
