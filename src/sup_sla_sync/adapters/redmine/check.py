"""`check`: does the tracker have everything the configuration names?"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from sup_sla_sync.adapters.notify import url_problems
from sup_sla_sync.adapters.redmine.init import (
    PRIORITY_WORDS,
    STAFF_GROUP_WORDS,
    STATUS_WORDS,
    TRACKER_WORDS,
    guess_role,
)
from sup_sla_sync.config import Settings
from sup_sla_sync.core.model import SlaState, StatusRole
from sup_sla_sync.errors import TrackerError, TrackerUnavailable

STRING_FORMATS = {"string", "text"}


class Inspectable(Protocol):
    def current_user(self) -> dict[str, Any]: ...

    def load_directory(self) -> Any: ...

    def load_logins(self) -> dict[int, str]: ...

    def project_setup(self, identifier: str) -> Any: ...

    def recent_issue_fields(self) -> list[tuple[str, frozenset[int]]]: ...


def check_tracker(
    settings: Settings, tracker: Inspectable, doubts: list[str] | None = None
) -> list[str]:
    """Every problem found, each naming the configuration key; [] when all is well.
    What the tracker's API cannot settle is added to `doubts` (shown as warnings).

    An unreachable tracker or a refused key raises (exit 3) instead.
    """
    problems: list[str] = url_problems(settings)  # [notify] urls: parsed, nothing sent
    try:
        me = tracker.current_user()
    except TrackerError as exc:
        if "(404)" not in str(exc):
            raise
        raise TrackerUnavailable(
            f"{exc}: nothing answers at {settings.redmine.shown_url}/users/current.json; check "
            "redmine.url (a base path such as /redmine missing or extra?)"
        ) from exc
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
    status_names = list(directory.statuses)
    for role in StatusRole:
        for name in getattr(statuses, role.value):
            if name not in directory.statuses:
                problems.append(
                    f"statuses.{role.value}: no status {name!r} in the tracker"
                    + _instead(name, status_names, STATUS_WORDS, role.value)
                )
    for key, role_name in (("reopen_to", "in_progress"), ("auto_close_to", "closed")):
        name = getattr(statuses, key)
        if name not in directory.statuses:
            problems.append(
                f"statuses.{key}: no status {name!r} in the tracker"
                + _instead(name, status_names, STATUS_WORDS, role_name)
            )
    for key, names in settings.trackers.model_dump().items():
        problems += [
            f"trackers.{key}: no tracker {n!r} in the tracker"
            + _instead(n, list(directory.trackers), TRACKER_WORDS, key)
            for n in names
            if n not in directory.trackers
        ]
    for key, names in settings.priorities.model_dump().items():
        problems += [
            f"priorities.{key}: no priority {n!r} in the tracker"
            + _instead(n, list(directory.priorities), PRIORITY_WORDS, key)
            for n in names
            if n not in directory.priorities
        ]
    problems += _field_problems(settings, directory)
    for project in settings.redmine.projects:
        if project not in directory.projects:
            problems.append(
                f"redmine.projects: no project {project!r} visible to the key"
                + _instead(project, list(directory.projects))
            )
    problems += _enabled_problems(settings, directory, tracker, [] if doubts is None else doubts)
    groups = list(directory.groups)
    for key, names, words in (
        ("staff.groups", settings.staff.groups, (("staff", STAFF_GROUP_WORDS),)),
        ("service_level.vip_groups", settings.service_level.vip_groups, (("vip", ("vip",)),)),
    ):
        problems += [
            f"{key}: no group {n!r} in the tracker" + _instead(n, groups, words, words[0][0])
            for n in names
            if n not in directory.groups
        ]
    problems += _login_problems(settings, tracker)
    problems += _policy_problems(settings, directory)
    return problems


def _policy_problems(settings: Settings, directory: Any) -> list[str]:
    """The projects, author groups and service-level values the contract policies match on
    must exist, or the policy silently takes no issue."""
    problems: list[str] = []
    level_field = directory.custom_fields.get(settings.fields.service_level)
    values = level_field.possible_values if level_field is not None else None
    listed = level_field is not None and level_field.field_format == "list"
    for index, policy in enumerate(settings.policies):
        key = f"policies[{index}]"
        problems += [
            f"{key}.projects: no project {p!r} visible to the key (policy {policy.name!r})"
            + _instead(p, list(directory.projects))
            for p in policy.projects
            if p not in directory.projects
        ]
        problems += [
            f"{key}.groups: no group {g!r} in the tracker (policy {policy.name!r})"
            + _instead(g, list(directory.groups))
            for g in policy.groups
            if g not in directory.groups
        ]
        if not listed:
            continue  # a free-text field holds any value; a missing field is reported above
        problems += [
            f"{key}.field_values: the custom field {settings.fields.service_level!r} has no "
            f"value {v!r} (policy {policy.name!r})" + _instead(v, list(values or ()))
            for v in policy.field_values
            if v not in (values or ())
        ]
    return problems


def _instead(
    name: str,
    available: Collection[str],
    words: Iterable[tuple[str, tuple[str, ...]]] = (),
    role: str = "",
) -> str:
    """What to write instead of `name`: "; the tracker has: A, B — did you mean 'A'?".

    The closest spelling (difflib) first; else a name the tracker has in the same role,
    recognised as `init` does (`New` and «Новая» share no letter, but both mean new).
    """
    if not available:
        return "; the tracker has none"
    text = "; the tracker has: " + ", ".join(available)
    close = difflib.get_close_matches(name, list(available), n=1, cutoff=0.6)
    if not close and role:
        table = tuple(words)
        close = [a for a in available if guess_role(a, table) == role][:1]
    if close:
        text += f" — did you mean {close[0]!r}?"
    return text


def _enabled_problems(
    settings: Settings, directory: Any, tracker: Inspectable, doubts: list[str]
) -> list[str]:
    """Every field the tool writes must be enabled for each configured project and each
    mapped tracker that project uses: Redmine drops a value for a field that is not, so
    every pass would fail on its issues. What cannot be told from the API goes to `doubts`."""
    written = [
        ("category", settings.fields.category),
        ("first_response_due", settings.fields.first_response_due),
        ("resolution_due", settings.fields.resolution_due),
        ("sla_state", settings.fields.sla_state),
    ]
    fields = [(k, directory.custom_fields[n]) for k, n in written if n in directory.custom_fields]
    mapped = [*settings.trackers.consultation, *settings.trackers.defect]
    problems: list[str] = []
    for name in mapped:
        tracker_id = directory.trackers.get(name)
        if tracker_id is None:
            continue
        for key, field in fields:
            if field.trackers is not None and tracker_id not in field.trackers:
                problems.append(
                    f"fields.{key}: custom field {field.name!r} is not enabled for the tracker "
                    f"{name!r} (trackers.*); tick it in the field's settings"
                )
    setups: dict[str, Any] = {}

    def setup_of(project: str) -> Any:
        if project not in setups:
            setups[project] = tracker.project_setup(project)
        return setups[project]

    recent: list[tuple[str, frozenset[int]]] | None = None

    def for_all(field_id: int) -> bool:
        # Redmine's API hides "For all projects": an issue showing the field in a project
        # that does not tick it is the proof.
        nonlocal recent
        if recent is None:
            recent = tracker.recent_issue_fields()
        return any(
            field_id in ids and field_id not in setup_of(project).custom_field_ids
            for project, ids in recent
        )

    for project in settings.redmine.projects:
        if project not in directory.projects:
            continue
        try:
            setup = setup_of(project)
        except TrackerUnavailable:
            raise
        except TrackerError as exc:
            problems.append(f"redmine.projects: {exc}")
            continue
        for key, field in fields:
            if field.id in setup.custom_field_ids:
                continue
            samples = [ids for t, ids in setup.issue_fields.items() if _enabled(field, t)]
            if any(field.id in ids for ids in samples) or (not samples and for_all(field.id)):
                continue
            where = (
                f"custom field {field.name!r} is not enabled for the project {project!r} "
                "(redmine.projects)"
            )
            if samples:  # an issue of a tracker it is enabled for does not show it
                problems.append(f"fields.{key}: {where}; tick it in the project's settings")
            else:
                doubts.append(
                    f"fields.{key}: {where}, unless it is for all projects (the project has "
                    "no issue to tell); tick it in the project's settings to be sure"
                )
    return problems


def _enabled(field: Any, tracker_id: int) -> bool:
    return field.trackers is None or tracker_id in field.trackers


def _login_problems(settings: Settings, tracker: Inspectable) -> list[str]:
    named = [("staff.lead", settings.staff.lead)] if settings.staff.lead else []
    escalation = getattr(settings, "escalation", None)
    named += [("escalation.logins", login) for login in getattr(escalation, "logins", ())]
    if not named:
        return []
    try:
        logins = set(tracker.load_logins().values())
    except TrackerUnavailable:
        raise
    except TrackerError as exc:
        return [f"{named[0][0]}: {exc}"]
    problems = []
    for key, login in named:
        if login in logins:
            continue
        close = difflib.get_close_matches(login, sorted(logins), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.append(f"{key}: no user with the login {login!r}{hint}")
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


def transport_warnings(settings: Settings) -> list[str]:
    """The key travels in the clear, or to a host whose certificate is not checked."""
    out = []
    parts = urlsplit(settings.redmine.url)
    if parts.scheme == "http" and not _loopback(parts.hostname or ""):
        out.append(
            f"redmine.url: plain http:// to {parts.hostname}: the API key and the clients' "
            "data cross the network unencrypted; use https://"
        )
    if not settings.redmine.verify_tls:
        out.append(
            "redmine.verify_tls: false: anybody between this machine and the tracker can "
            "pose as it and receive the API key; install the tracker's CA instead"
        )
    return out


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_warnings(settings: Settings, tracker: Countable, now: datetime) -> list[str]:
    """Things worth a look that do not make the configuration wrong."""
    warnings = transport_warnings(settings)
    if settings.sync.since is not None:
        return warnings
    old = tracker.count_open_created_before(
        settings.redmine.projects, now - timedelta(days=HISTORY_DAYS)
    )
    if not old:
        return warnings
    return [
        *warnings,
        f"sync.since: empty, and the projects hold {old} open issue(s) created more than "
        f"{HISTORY_DAYS} days ago; the first pass would post reminders, breach notes and "
        "auto-closes for all of them. Set sync.since to the go-live date (older issues then "
        "get their fields stamped and nothing else), and run `sync --dry-run` first",
    ]
