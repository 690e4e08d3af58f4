"""The SLA policy: how an issue is classified and which targets apply (SPEC.md, "SLA policy").

Pure functions of the snapshot, the rules and the people.
"""

from __future__ import annotations

from dataclasses import dataclass

from .classify import classify_category, examined
from .memo import MemoFn, no_memo
from .model import Category, Channel, IssueSnapshot, People, Priority, ServiceLevel, cf
from .rules import Policy, Rules, Targets


@dataclass(frozen=True)
class Classification:
    level: ServiceLevel
    channel: Channel
    priority: Priority
    category: Category
    category_source: str  # "person", "tracker" or "keywords"
    # Field values that grant service (level, channel) set by a client: not believed
    # (SPEC.md, principle 8). (field name, value) pairs, for `explain`.
    disbelieved: tuple[tuple[str, str], ...] = ()
    # The service-level field's value as believed (None: none staff or the tool set).
    level_value: str | None = None


def trusted_author(user_id: int, people: People) -> bool:
    """The tool or a staff member: whose field values grant service."""
    return user_id == people.tool_user_id or people.is_staff(user_id)


def believed_field(issue: IssueSnapshot, name: str, people: People) -> str | None:
    """Custom field `name`'s value as the tool or staff last set it (None: never).

    The value a client set (at creation, or in a journal of theirs) is not believed; the
    value staff set before it still is. A value present since creation was set by the
    issue's author."""
    key = cf(name)
    first: str | None = issue.field(name)
    seen_change = False
    for journal in sorted(issue.journals, key=lambda j: (j.created_on, j.id), reverse=True):
        change = journal.change_of(key)
        if change is None:
            continue
        if not seen_change and trusted_author(journal.user_id, people):
            return issue.field(name)
        seen_change = True
        if trusted_author(journal.user_id, people):
            return change.new or None
        first = change.old or None
    return first if trusted_author(issue.author_id, people) else None


def priority_of(name: str, rules: Rules) -> Priority:
    # An unknown priority name counts as normal: the longest target, never a false breach.
    return rules.priorities.get(name, Priority.NORMAL)


def _level(value: str | None, issue: IssueSnapshot, rules: Rules, people: People) -> ServiceLevel:
    if value in rules.vip_values:
        return ServiceLevel.VIP
    if issue.author_id in people.vip_ids or issue.project in rules.vip_projects:
        return ServiceLevel.VIP
    return ServiceLevel.BASIC


def category_of(
    issue: IssueSnapshot, rules: Rules, tool_user_id: int, memo: MemoFn = no_memo
) -> tuple[Category, str]:
    """The person's choice first, then the tracker mapping, then the keyword classifier."""
    name = rules.fields.category
    chosen = rules.category_of_value(issue.field(name))
    if chosen is not None and not set_by_tool(issue, cf(name), tool_user_id):
        return chosen, "person"
    if issue.tracker in rules.trackers:
        return rules.trackers[issue.tracker], "tracker"
    subject, description = examined(issue.subject), examined(issue.description)
    return memo(classify_category, subject, description).category, "keywords"


def classify(
    issue: IssueSnapshot, rules: Rules, people: People, memo: MemoFn = no_memo
) -> Classification:
    category, source = category_of(issue, rules, people.tool_user_id, memo)
    # Each believed value is worked out once (a walk over the journals each).
    level_value = believed_field(issue, rules.fields.service_level, people)
    channel_value = believed_field(issue, rules.fields.channel, people)
    disbelieved = tuple(
        (name, value)
        for name, believed in (
            (rules.fields.service_level, level_value),
            (rules.fields.channel, channel_value),
        )
        if (value := issue.field(name)) is not None and believed != value
    )
    return Classification(
        level=_level(level_value, issue, rules, people),
        channel=rules.channels.get(channel_value or "", Channel.OTHER),
        priority=priority_of(issue.priority, rules),
        category=category,
        category_source=source,
        disbelieved=disbelieved,
        level_value=level_value,
    )


def policy_of(
    issue: IssueSnapshot, rules: Rules, people: People, level_value: str | None
) -> Policy | None:
    """The first contract policy that takes `issue` (None: the defaults). Any one matcher
    is enough: the project, a group of the author, or the service-level field's value
    (`level_value`: as believed, `Classification.level_value`)."""
    for policy in rules.policies:
        if issue.project in policy.projects or (
            level_value is not None and level_value in policy.field_values
        ):
            return policy
        if any(issue.author_id in people.groups.get(group, ()) for group in policy.groups):
            return policy
    return None


def targets_for(rules: Rules, c: Classification, policy: Policy | None = None) -> Targets:
    table = rules.targets if policy is None else policy.targets
    return table.targets(c.level, c.channel, c.priority)


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
