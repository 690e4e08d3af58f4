"""`init`: a first configuration guessed from what the tracker has (SPEC.md, "CLI").

`guess_config` is pure: the tracker's directory in, the TOML text out. Every guess carries
a `# review:` comment; what could not be guessed is left with the tracker's own names to
choose from, so the admin edits a file instead of writing one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sup_sla_sync.adapters.redmine import Directory, RedmineAdapter
from sup_sla_sync.config import RedmineConfig, Settings
from sup_sla_sync.errors import ConfigError

# Lower-case name fragments by role, Russian, Kazakh and English; the first matching role wins.
STATUS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("awaiting_client", ("отклик", "обратная связь", "ожида", "feedback", "жауап", "awaiting")),
    ("on_hold", ("отлож", "разработ", "on hold", "hold", "пауз", "кейінге")),
    ("resolved", ("решен", "resolved", "шешіл", "выполнен", "done")),
    ("closed", ("закрыт", "отклон", "closed", "rejected", "жабық", "қабылданбады")),
    ("new", ("нов", "new", "жаңа")),
    ("in_progress", ("в работе", "progress", "жұмыста", "процес", "орындал")),
)
TRACKER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("defect", ("ошибк", "bug", "defect", "қате", "инцидент", "incident")),
    ("consultation", ("поддерж", "support", "консульт", "вопрос", "question", "кеңес", "қолдау")),
)
PRIORITY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("immediate", ("немедлен", "immediate", "дереу", "критич", "critical")),
    ("urgent", ("высок", "срочн", "high", "urgent", "жоғары", "шұғыл")),
    ("normal", ("низк", "нормал", "обычн", "low", "normal", "төмен", "қалыпты")),
)
REFUSED_WORDS = ("отклон", "reject", "қабылданбады")
STAFF_GROUP_WORDS: tuple[str, ...] = (
    "поддерж",
    "support",
    "агент",
    "agent",
    "сотрудник",
    "staff",
    "оператор",
    "helpdesk",
    "қолдау",
    "service desk",
)

# The tool's fields, found under the default (English) name or a Russian one.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "service_level": ("SLA level", "Уровень SLA"),
    "channel": ("Channel", "Канал"),
    "category": ("Category", "Категория"),
    "first_response_due": ("SLA first response due", "SLA: первый ответ до"),
    "resolution_due": ("SLA resolution due", "SLA: решение до"),
    "sla_state": ("SLA state", "SLA: состояние"),
}
LIST_VALUES = {
    "en": {
        "category": ("Consultation", "Defect"),
        "channel": ("Online assistant", "Official letter"),
        "staff": "Support",
    },
    "ru": {
        "category": ("Консультация", "Ошибка"),
        "channel": ("Онлайн-ассистент", "Официальное письмо"),
        "staff": "Поддержка",
    },
}
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)


@dataclass
class _Section:
    lines: list[str] = field(default_factory=list)

    def key(self, name: str, value: object, comment: str = "") -> None:
        line = f"{name} = {_toml(value)}"
        self.lines.append(f"{line:<40} # {comment}" if comment else line)

    def note(self, comment: str) -> None:
        self.lines.append(f"# {comment}")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def guess_role(name: str, table: Iterable[tuple[str, tuple[str, ...]]]) -> str | None:
    lowered = name.lower()
    for role, words in table:
        if any(word in lowered for word in words):
            return role
    return None


def _listed(names: Iterable[str]) -> str:
    return ", ".join(names) or "(none)"


def guess_config(
    directory: Directory,
    url: str,
    projects: Sequence[str],
    today: date,
) -> str:
    """The commented TOML configuration `init` writes for this tracker."""
    names = [*directory.statuses, *directory.trackers, *directory.priorities]
    language = "ru" if any(_CYRILLIC.search(n) for n in names) else "en"
    values = LIST_VALUES[language]
    out: list[str] = [
        "# sup-sla-sync configuration written by `sup-sla-sync init` from "
        f"{url} on {today.isoformat()}.",
        "# Every line marked `# review:` is a guess from the tracker's names: check it.",
        "# config.example.toml documents every key; `sup-sla-sync setup-script` prints a Ruby",
        "# script creating the fields and groups named here that the tracker lacks;",
        "# `sup-sla-sync check` then lists whatever still does not match.",
        "",
    ]

    redmine = _Section()
    redmine.key("url", url)
    redmine.note("api_key: keep it out of this file: export SUP_SLA_REDMINE__API_KEY=...")
    if projects:
        redmine.key("projects", list(projects))
    else:
        redmine.key(
            "projects",
            [],
            "review: [] = every visible project; the tracker has: " + _listed(directory.projects),
        )
    _emit(out, "redmine", redmine)

    statuses, awaiting = _statuses(directory)
    _emit(out, "statuses", statuses)
    if not awaiting:
        auto_close = _Section()
        auto_close.key(
            "enabled", False, "review: no awaiting-client status recognised, so no auto-close"
        )
        _emit(out, "auto_close", auto_close)
    _emit(out, "trackers", _mapping("trackers", directory.trackers, TRACKER_WORDS))
    _emit(out, "priorities", _priorities(directory))

    fields = _Section()
    found: dict[str, str] = {}
    for key, candidates in FIELD_NAMES.items():
        existing = next((c for c in candidates if c in directory.custom_fields), None)
        if existing is not None:
            found[key] = existing
            fields.key(key, existing, "review: found in the tracker")
        else:
            proposed = candidates[1] if language == "ru" else candidates[0]
            fields.key(key, proposed, "not in the tracker yet: setup-script creates it")
    if not found:
        fields.note("the tracker's issue custom fields: " + _listed(directory.custom_fields))
    _emit(out, "fields", fields)

    category = _Section()
    category_field = directory.custom_fields.get(found.get("category", ""))
    consultation, defect = values["category"]
    if category_field is not None and len(category_field.possible_values) >= 2:
        consultation, defect = category_field.possible_values[:2]
        category.note("review: the values of the existing field, in its order")
    category.key("consultation", consultation)
    category.key("defect", defect)
    _emit(out, "category_values", category)

    channels = _Section()
    online, letter = values["channel"]
    channels.key("online_assistant", [online])
    channels.key("official_letter", [letter])
    _emit(out, "channels", channels)

    staff_groups = [g for g in directory.groups if _matches(g, STAFF_GROUP_WORDS)]
    vip_groups = [g for g in directory.groups if "vip" in g.lower()]
    staff = _Section()
    if staff_groups:
        staff.key("groups", staff_groups, "review: guessed from the group names")
    else:
        staff.key(
            "groups",
            [values["staff"]],
            "not in the tracker yet: setup-script creates it; the tracker has: "
            + _listed(directory.groups),
        )
    staff.key("lead", "", "review: the login told of breaches")
    _emit(out, "staff", staff)

    level = _Section()
    level.key("vip_values", ["VIP"])
    if vip_groups:
        level.key("vip_groups", vip_groups, "review: guessed from the group names")
    else:
        level.key("vip_groups", [], "e.g. a group of VIP clients; none looks like one")
    _emit(out, "service_level", level)

    notes = _Section()
    notes.key("language", language, "ru, kk or en: the language of the notes")
    _emit(out, "notes", notes)

    sync = _Section()
    sync.key(
        "since",
        today.isoformat(),
        "go-live: issues created before this local date get their fields stamped only",
    )
    _emit(out, "sync", sync)
    return "\n".join(out).rstrip() + "\n"


def read_tracker(url: str, key: str, projects: Sequence[str]) -> Directory:
    """The tracker's names, read with `key`; a refused key or an unreachable tracker raises
    TrackerUnavailable (exit 3); an unknown `--project` is a usage error (exit 2)."""
    try:
        redmine = RedmineConfig(url=url, api_key=key, projects=list(projects))
    except ValueError as exc:
        raise ConfigError(f"--url: {url!r}: must be an http:// or https:// URL") from exc
    # model_construct: only [redmine] matters here, and no SUP_SLA_* variable may change it.
    settings = Settings.model_construct(redmine=redmine)
    with RedmineAdapter(settings) as adapter:
        adapter.current_user()
        directory = adapter.load_directory()
    unknown = [p for p in projects if p not in directory.projects]
    if unknown:
        raise ConfigError(
            f"--project: no project {', '.join(map(repr, unknown))} visible to the key; "
            f"the tracker has: {_listed(directory.projects)}"
        )
    return directory


def _emit(out: list[str], name: str, section: _Section) -> None:
    out.append(f"[{name}]")
    out.extend(section.lines)
    out.append("")


def _matches(name: str, words: Iterable[str]) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in words)


def _statuses(directory: Directory) -> tuple[_Section, bool]:
    roles: dict[str, list[str]] = {
        r: [] for r in ("new", "in_progress", "awaiting_client", "on_hold", "resolved", "closed")
    }
    unmatched: list[str] = []
    for status in directory.statuses.values():
        role = guess_role(status.name, STATUS_WORDS)
        if status.is_closed and role not in ("resolved", "closed"):
            role = "closed"  # the tracker's own closed flag outranks the name
        if role is None:
            unmatched.append(status.name)
        else:
            roles[role].append(status.name)
    open_names = [s.name for s in directory.statuses.values() if not s.is_closed]
    if not roles["in_progress"] and not roles["new"] and open_names:
        # reopen_to needs a working status: the first open one, to review.
        first = next((n for n in open_names if n in unmatched), open_names[0])
        if first in unmatched:
            unmatched.remove(first)
        roles["new"].append(first)
    section = _Section()
    for role, found in roles.items():
        comment = "review: guessed from the names and the closed flag" if found else ""
        if not found:
            comment = "none recognised" + ("; see the names below" if unmatched else "")
        section.key(role, found, comment)
    reopen_to = (roles["in_progress"] or roles["new"] or [""])[0]
    section.key("reopen_to", reopen_to, "review: where a client reply moves a waiting issue")
    ends = roles["closed"] or roles["resolved"]
    # «Закрыта»/Closed rather than «Отклонена»/Rejected: the request was not refused.
    closed = next((n for n in ends if not _matches(n, REFUSED_WORDS)), ends[0] if ends else "")
    section.key("auto_close_to", closed, "review: where auto-close moves a waiting issue")
    if unmatched:
        section.note("not guessed, add each to a role above or leave out: " + _listed(unmatched))
    section.note("the tracker has: " + _listed(directory.statuses))
    return section, bool(roles["awaiting_client"])


def _mapping(
    what: str, names: Iterable[str], table: tuple[tuple[str, tuple[str, ...]], ...]
) -> _Section:
    roles: dict[str, list[str]] = {role: [] for role, _ in table}
    unmatched: list[str] = []
    for name in names:
        role = guess_role(name, table)
        (roles[role] if role else unmatched).append(name)
    section = _Section()
    for role in sorted(roles):
        found = roles[role]
        section.key(role, found, "review: guessed from the names" if found else "none recognised")
    if unmatched:
        section.note(
            f"not mapped (the keyword classifier decides for these {what}): " + _listed(unmatched)
        )
    return section


def _priorities(directory: Directory) -> _Section:
    roles: dict[str, list[str]] = {"normal": [], "urgent": [], "immediate": []}
    unmatched: list[str] = []
    for priority in directory.priorities.values():
        role = "normal" if priority.is_default else guess_role(priority.name, PRIORITY_WORDS)
        (roles[role] if role else unmatched).append(priority.name)
    section = _Section()
    default = next((p.name for p in directory.priorities.values() if p.is_default), None)
    for role, found in roles.items():
        comment = "review: guessed from the names" if found else "none recognised"
        if role == "normal" and default:
            comment = f"review: {default!r} is the tracker's default priority"
        section.key(role, found, comment)
    if unmatched:
        section.note("not guessed (an unknown name counts as normal): " + _listed(unmatched))
    return section
