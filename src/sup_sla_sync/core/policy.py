"""The SLA policy: how an issue is classified and which targets apply (SPEC.md, "SLA policy").

Pure: built once from the settings, then asked about snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sup_sla_sync.core.classify import classify_category
from sup_sla_sync.config import Settings
from sup_sla_sync.core.model import (
    Category,
    Channel,
    IssueSnapshot,
    People,
    Priority,
    ServiceLevel,
    StatusRole,
    cf,
)

# The same subjects come back every pass; the classifier is pure.
_classify_category = lru_cache(16_384)(classify_category)


@dataclass(frozen=True)
class Targets:
    """Working minutes allowed for each clock."""

    first_response: int
    resolution: int


@dataclass(frozen=True)
class Classification:
    level: ServiceLevel
    channel: Channel
    priority: Priority
    category: Category
    category_source: str  # "person", "tracker" or "keywords"


class Policy:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._priority = _invert(settings.priorities.model_dump(), Priority)
        self._channel = _invert(settings.channels.model_dump(), Channel)
        self._tracker = _invert(settings.trackers.model_dump(), Category)
        values = settings.category_values
        self._category_value = {
            values.consultation: Category.CONSULTATION,
            values.defect: Category.DEFECT,
        }

    # --- classification ---------------------------------------------------------------

    def status_role(self, status: str) -> StatusRole | None:
        return self.settings.statuses.role_of(status)

    def priority(self, name: str) -> Priority:
        # An unknown priority name counts as normal: the longest target, never a false breach.
        return self._priority.get(name, Priority.NORMAL)

    def knows_priority(self, name: str) -> bool:
        return name in self._priority

    def channel(self, issue: IssueSnapshot) -> Channel:
        value = issue.field(self.settings.fields.channel)
        return self._channel.get(value or "", Channel.OTHER)

    def level(self, issue: IssueSnapshot, people: People) -> ServiceLevel:
        config = self.settings.service_level
        if issue.field(self.settings.fields.service_level) in config.vip_values:
            return ServiceLevel.VIP
        if issue.author_id in people.vip_ids or issue.project in config.vip_projects:
            return ServiceLevel.VIP
        return ServiceLevel.BASIC

    def category_value(self, category: Category) -> str:
        return getattr(self.settings.category_values, category.value)

    def category(self, issue: IssueSnapshot, tool_user_id: int) -> tuple[Category, str]:
        """The person's choice first, then the tracker mapping, then the keyword classifier."""
        name = self.settings.fields.category
        value = issue.field(name)
        if value in self._category_value and not set_by_tool(issue, cf(name), tool_user_id):
            return self._category_value[value], "person"
        if issue.tracker in self._tracker:
            return self._tracker[issue.tracker], "tracker"
        return _classify_category(issue.subject, issue.description).category, "keywords"

    def classify(self, issue: IssueSnapshot, people: People) -> Classification:
        category, source = self.category(issue, people.tool_user_id)
        return Classification(
            level=self.level(issue, people),
            channel=self.channel(issue),
            priority=self.priority(issue.priority),
            category=category,
            category_source=source,
        )

    # --- targets ----------------------------------------------------------------------

    def targets(self, level: ServiceLevel, channel: Channel, priority: Priority) -> Targets:
        first = self.settings.targets.first_response
        resolution = self.settings.targets.resolution
        if level is ServiceLevel.BASIC:
            if channel is Channel.ONLINE_ASSISTANT:
                return Targets(first.basic_online_assistant, resolution.basic)
            return Targets(first.basic_other, resolution.basic)
        if channel is Channel.ONLINE_ASSISTANT:
            return Targets(first.vip_online_assistant, resolution.vip)
        by_priority = {
            Priority.NORMAL: first.vip_normal,
            Priority.URGENT: first.vip_urgent,
            Priority.IMMEDIATE: first.vip_immediate,
        }[priority]
        if channel is Channel.OFFICIAL_LETTER:
            # Regulation: the one-day VIP closing time excludes official letters.
            return Targets(by_priority, resolution.vip_official_letter)
        return Targets(by_priority, resolution.vip)


def set_by_tool(issue: IssueSnapshot, name: str, tool_user_id: int) -> bool:
    """Whether the current value of attribute `name` was last written by the tool.

    A value present since creation was set by the issue's author, a person.
    """
    for journal in reversed(issue.journals):
        if journal.change_of(name) is not None:
            return journal.user_id == tool_user_id
    return False


def owned_by_tool(issue: IssueSnapshot, name: str, tool_user_id: int, current: object) -> bool:
    """The tool may write `name`: it is empty and never set, or the tool set it last."""
    for journal in reversed(issue.journals):
        if journal.change_of(name) is not None:
            return journal.user_id == tool_user_id or current in (None, "")
    return current in (None, "")


def _invert(roles: dict[str, list[str]], enum: type) -> dict:
    return {name: enum(role) for role, names in roles.items() for name in names}
