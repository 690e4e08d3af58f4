"""The rules the core applies, as plain frozen values (SPEC.md, "SLA policy", "Clocks").

Built once from the configuration by `config_rules.rules_from()`; the core never sees the
settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from .calendar import CalendarRules, WorkCalendar
from .faq import Article
from .model import Category, Channel, Priority, ServiceLevel, StatusRole

STOP_ROLES = (StatusRole.RESOLVED, StatusRole.CLOSED)


@dataclass(frozen=True)
class StatusRules:
    """Redmine status names by role, and where the tool moves an issue."""

    new: tuple[str, ...]
    in_progress: tuple[str, ...]
    awaiting_client: tuple[str, ...]
    on_hold: tuple[str, ...]  # paused like awaiting_client, never auto-closed
    resolved: tuple[str, ...]
    closed: tuple[str, ...]
    reopen_to: str
    auto_close_to: str

    def role_of(self, status: str) -> StatusRole | None:
        for role in StatusRole:
            if status in self.names_of(role):
                return role
        return None

    def names_of(self, role: StatusRole) -> tuple[str, ...]:
        names: tuple[str, ...] = getattr(self, role.value)
        return names

    def names(self) -> list[str]:
        """Every status name the rules mention, in role order, then the two destinations."""
        out: list[str] = []
        for role in StatusRole:
            out += self.names_of(role)
        return [*out, self.reopen_to, self.auto_close_to]


@dataclass(frozen=True)
class FieldNames:
    """The Redmine custom fields the tool reads and writes."""

    service_level: str
    channel: str
    category: str
    first_response_due: str
    resolution_due: str
    sla_state: str


@dataclass(frozen=True)
class Targets:
    """Working minutes allowed for each clock."""

    first_response: int
    resolution: int
    # The next public staff note while in work (`[targets.update]`); None: no such clock.
    update: int | None = None


@dataclass(frozen=True)
class TargetTable:
    """The regulation's table of targets, in working minutes (SPEC.md, "SLA policy")."""

    basic_online_assistant: int
    basic_other: int
    vip_online_assistant: int
    vip_normal: int
    vip_urgent: int
    vip_immediate: int
    resolution_basic: int
    resolution_vip: int
    resolution_vip_official_letter: int
    # `[targets.update]` by level; None: off for that level (the default).
    update_basic: int | None = None
    update_vip: int | None = None

    def targets(self, level: ServiceLevel, channel: Channel, priority: Priority) -> Targets:
        update = self.update_vip if level is ServiceLevel.VIP else self.update_basic
        return replace(self._regulation_targets(level, channel, priority), update=update)

    def _regulation_targets(
        self, level: ServiceLevel, channel: Channel, priority: Priority
    ) -> Targets:
        if level is ServiceLevel.BASIC:
            if channel is Channel.ONLINE_ASSISTANT:
                return Targets(self.basic_online_assistant, self.resolution_basic)
            return Targets(self.basic_other, self.resolution_basic)
        if channel is Channel.ONLINE_ASSISTANT:
            return Targets(self.vip_online_assistant, self.resolution_vip)
        by_priority = {
            Priority.NORMAL: self.vip_normal,
            Priority.URGENT: self.vip_urgent,
            Priority.IMMEDIATE: self.vip_immediate,
        }[priority]
        if channel is Channel.OFFICIAL_LETTER:
            # Regulation: the one-day VIP closing time excludes official letters.
            return Targets(by_priority, self.resolution_vip_official_letter)
        return Targets(by_priority, self.resolution_vip)


@dataclass(frozen=True)
class AutoClose:
    enabled: bool
    after_working_hours: float
    warn_before_working_hours: float = 0  # 0: no warning to the client

    @property
    def after_working_minutes(self) -> float:
        return self.after_working_hours * 60

    @property
    def warn_before_working_minutes(self) -> float:
        return self.warn_before_working_hours * 60


@dataclass(frozen=True)
class Policy:
    """A contract policy (`[[policies]]`): which issues it takes, and its targets and hours.

    It takes an issue when any one of its matchers does: the project, a group of the author,
    or the service-level field's value.
    """

    name: str
    targets: TargetTable  # the policy's keys over `[targets]`
    calendar: CalendarRules | None = None  # None: the `[calendar]` of the defaults
    projects: frozenset[str] = frozenset()
    groups: tuple[str, ...] = ()  # Redmine group names; members come from People.groups
    field_values: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Escalation:
    """`[escalation]`: further private notes after a breach, at these working minutes past
    the due time (level N is the N-th offset), naming these logins."""

    after_breach_working_minutes: tuple[int, ...] = ()  # ascending
    logins: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntakeSwitches:
    """Which intake checks run: the `[intake]` keys that are on."""

    enabled: frozenset[str]

    def on(self, switch: str) -> bool:
        return switch in self.enabled


@dataclass(frozen=True)
class Rules:
    """Everything the decision core needs to know besides the issue, the calendar, the
    people and `now`."""

    statuses: StatusRules
    trackers: Mapping[str, Category]  # Redmine tracker name -> category
    priorities: Mapping[str, Priority]  # Redmine priority name -> role
    priority_names: Mapping[Priority, tuple[str, ...]]  # role -> Redmine names, as configured
    channels: Mapping[str, Channel]  # channel field value -> channel
    category_values: Mapping[Category, str]  # what the category field shows
    fields: FieldNames
    vip_values: frozenset[str]
    vip_projects: frozenset[str]
    targets: TargetTable
    reminders: tuple[float, ...]  # fractions of a target, ascending
    auto_close: AutoClose
    intake: IntakeSwitches
    language: str
    apply_priority: bool
    since: date | None = None  # go-live: issues created before this local date get fields only
    faq: tuple[Article, ...] = ()  # the help centre's articles; () = no suggestions
    max_suggestions: int = 3
    policies: tuple[Policy, ...] = ()  # contract policies, first match wins
    # Each distinct policy calendar, built once (by config_rules.rules_from()) and shared.
    calendars: Mapping[CalendarRules, WorkCalendar] = field(default_factory=dict)
    escalation: Escalation = Escalation()
    acknowledge: bool = False  # `[acknowledge] enabled`: a public receipt for each new request

    @property
    def update_clock(self) -> bool:
        """Whether `[targets.update]` (or a policy's) sets the update clock for any level."""
        tables = [self.targets, *(policy.targets for policy in self.policies)]
        return any(t.update_basic is not None or t.update_vip is not None for t in tables)

    def status_role(self, status: str) -> StatusRole | None:
        return self.statuses.role_of(status)

    def calendar_of(self, policy: Policy | None, default: WorkCalendar) -> WorkCalendar:
        """The working-time calendar of an issue under `policy` (`default`: `[calendar]`)."""
        if policy is None or policy.calendar is None:
            return default
        return self.calendars[policy.calendar]

    def category_of_value(self, value: str | None) -> Category | None:
        for category, shown in self.category_values.items():
            if shown == value:
                return category
        return None
