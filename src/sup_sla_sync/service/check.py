"""`check`: does the tracker have everything the configuration names?"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sup_sla_sync.config import Settings
from sup_sla_sync.core.model import SlaState, StatusRole
from sup_sla_sync.errors import TrackerError, TrackerUnavailable

STRING_FORMATS = {"string", "text"}


class Inspectable(Protocol):
    def current_user(self) -> dict[str, Any]: ...

    def load_directory(self) -> Any: ...

    def load_logins(self) -> dict[int, str]: ...


def check_tracker(settings: Settings, tracker: Inspectable) -> list[str]:
    """Every problem found, each naming the configuration key; [] when all is well.

    An unreachable tracker or a refused key raises (exit 3) instead.
    """
    problems: list[str] = []
    me = tracker.current_user()
    if not me["admin"]:
        problems.append(
            f"redmine.api_key: the key's user {me['login']!r} is not an administrator; "
            "Redmine shows group membership and every status transition only to "
            "administrators (use a dedicated administrator account)"
        )
    try:
        directory = tracker.load_directory()
    except TrackerUnavailable:
        raise
    except TrackerError as exc:
        problems.append(f"redmine.api_key: {exc}")
        return problems

    statuses = settings.statuses
    for role in StatusRole:
        for name in getattr(statuses, role.value):
            if name not in directory.statuses:
                problems.append(f"statuses.{role.value}: no status {name!r} in the tracker")
    for key in ("reopen_to", "auto_close_to"):
        name = getattr(statuses, key)
        if name not in directory.statuses:
            problems.append(f"statuses.{key}: no status {name!r} in the tracker")
    for key, names in settings.trackers.model_dump().items():
        problems += [
            f"trackers.{key}: no tracker {n!r} in the tracker"
            for n in names
            if n not in directory.trackers
        ]
    for key, names in settings.priorities.model_dump().items():
        problems += [
            f"priorities.{key}: no priority {n!r} in the tracker"
            for n in names
            if n not in directory.priorities
        ]
    problems += _field_problems(settings, directory)
    for project in settings.redmine.projects:
        if project not in directory.projects:
            problems.append(f"redmine.projects: no project {project!r} visible to the key")
    for key, names in (
        ("staff.groups", settings.staff.groups),
        ("service_level.vip_groups", settings.service_level.vip_groups),
    ):
        problems += [
            f"{key}: no group {n!r} in the tracker" for n in names if n not in directory.groups
        ]
    if settings.staff.lead:
        try:
            logins = set(tracker.load_logins().values())
        except TrackerUnavailable:
            raise
        except TrackerError as exc:
            problems.append(f"staff.lead: {exc}")
        else:
            if settings.staff.lead not in logins:
                problems.append(f"staff.lead: no user with the login {settings.staff.lead!r}")
    return problems


def _field_problems(settings: Settings, directory: Any) -> list[str]:
    problems: list[str] = []
    fields = settings.fields
    expected_values = {
        "category": [settings.category_values.consultation, settings.category_values.defect],
        "sla_state": [state.value for state in SlaState],
        "service_level": list(settings.service_level.vip_values),
        "channel": [*settings.channels.online_assistant, *settings.channels.official_letter],
    }
    for key, name in fields.model_dump().items():
        field = directory.custom_fields.get(name)
        if field is None:
            problems.append(f"fields.{key}: no issue custom field {name!r} in the tracker")
            continue
        written_as_text = key in ("first_response_due", "resolution_due")
        if written_as_text and field.field_format not in STRING_FORMATS:
            problems.append(
                f"fields.{key}: custom field {name!r} is {field.field_format!r}; it must be a "
                "text field (Redmine has no datetime field)"
            )
        if field.field_format == "list":
            missing = [v for v in expected_values.get(key, []) if v not in field.possible_values]
            if missing:
                problems.append(
                    f"fields.{key}: custom field {name!r} lacks the values "
                    + ", ".join(repr(v) for v in missing)
                )
    return problems


# Issues older than this, still open, mean a tracker with history: the first pass would act
# on all of it unless `[sync] since` says when the tool went live.
HISTORY_DAYS = 30


class Countable(Protocol):
    def count_open_created_before(self, projects: list[str], before: datetime) -> int: ...


def check_warnings(settings: Settings, tracker: Countable, now: datetime) -> list[str]:
    """Things worth a look that do not make the configuration wrong."""
    if settings.sync.since is not None:
        return []
    old = tracker.count_open_created_before(
        settings.redmine.projects, now - timedelta(days=HISTORY_DAYS)
    )
    if not old:
        return []
    return [
        f"sync.since: empty, and the projects hold {old} open issue(s) created more than "
        f"{HISTORY_DAYS} days ago; the first pass would post reminders, breach notes and "
        "auto-closes for all of them. Set sync.since to the go-live date (older issues then "
        "get their fields stamped and nothing else), and run `sync --dry-run` first"
    ]
