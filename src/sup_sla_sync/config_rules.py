"""The configuration's translation into the core's frozen values (core/rules.py,
core/calendar.py).

config.py reads and checks the settings; this module turns checked `Settings` into the
`Rules` and `CalendarRules` the core applies. The core never sees the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from sup_sla_sync.core.calendar import CalendarRules, WorkCalendar
from sup_sla_sync.core.faq import Article
from sup_sla_sync.core.model import Category, Channel, Priority
from sup_sla_sync.core.rules import (
    AutoClose,
    Escalation,
    FieldNames,
    IntakeSwitches,
    Policy,
    Rules,
    StatusRules,
    TargetTable,
)

if TYPE_CHECKING:
    from sup_sla_sync.config import CalendarConfig, Settings, StatusesConfig

E = TypeVar("E")


def rules_from(settings: Settings, faq: Sequence[Article] = ()) -> Rules:
    """The frozen rules the core applies, built from `settings` and the help centre's
    articles (read from `faq.file` by the caller: adapters/faq_file.py)."""
    first, resolution = settings.targets.first_response, settings.targets.resolution
    priorities = settings.priorities.model_dump()
    policies = policies_from(settings)
    calendars = {p.calendar for p in policies if p.calendar is not None}
    return Rules(
        statuses=status_rules_from(settings.statuses),
        trackers=_invert(settings.trackers.model_dump(), Category),
        priorities=_invert(priorities, Priority),
        priority_names={Priority(k): tuple(v) for k, v in priorities.items()},
        channels=_invert(settings.channels.model_dump(), Channel),
        category_values={
            Category.CONSULTATION: settings.category_values.consultation,
            Category.DEFECT: settings.category_values.defect,
        },
        fields=FieldNames(**settings.fields.model_dump()),
        vip_values=frozenset(settings.service_level.vip_values),
        vip_projects=frozenset(settings.service_level.vip_projects),
        targets=_target_table(
            first.model_dump(), resolution.model_dump(), settings.targets.update.model_dump()
        ),
        reminders=tuple(settings.reminders.at),
        auto_close=AutoClose(
            settings.auto_close.enabled,
            settings.auto_close.after_working_hours,
            settings.auto_close.warn_before_working_hours,
        ),
        since=settings.sync.since,
        intake=IntakeSwitches(frozenset(k for k, on in settings.intake.model_dump().items() if on)),
        language=settings.notes.language,
        apply_priority=settings.classify.apply_priority,
        faq=tuple(faq) if settings.faq.file else (),
        max_suggestions=settings.faq.max_suggestions,
        policies=policies,
        calendars={c: WorkCalendar.from_rules(c) for c in calendars},
        escalation=Escalation(
            tuple(settings.escalation.after_breach_working_minutes),
            tuple(settings.escalation.logins),
        ),
        acknowledge=settings.acknowledge.enabled,
    )


def status_rules_from(statuses: StatusesConfig) -> StatusRules:
    """`[statuses]` as the core takes it."""
    return StatusRules(
        new=tuple(statuses.new),
        in_progress=tuple(statuses.in_progress),
        awaiting_client=tuple(statuses.awaiting_client),
        on_hold=tuple(statuses.on_hold),
        resolved=tuple(statuses.resolved),
        closed=tuple(statuses.closed),
        reopen_to=statuses.reopen_to,
        auto_close_to=statuses.auto_close_to,
    )


def calendar_rules_from(calendar: CalendarConfig) -> CalendarRules:
    """A `[calendar]` section (or a policy's, merged over it) as the core takes it."""
    return CalendarRules(
        timezone=calendar.timezone,
        work_start=calendar.work_start,
        work_end=calendar.work_end,
        country=calendar.country,
        extra_holidays=frozenset(calendar.extra_holidays),
        extra_workdays=frozenset(calendar.extra_workdays),
        mode=calendar.mode,
    )


def policy_calendar_from(settings: Settings, index: int) -> CalendarRules | None:
    """`policies[index]`'s calendar: its keys merged over `[calendar]`; None when it
    changes nothing."""
    merged = settings.policy_calendar_config(index)
    if merged is None:
        return None
    rules = calendar_rules_from(merged)
    return None if rules == calendar_rules_from(settings.calendar) else rules


def policies_from(settings: Settings) -> tuple[Policy, ...]:
    """The contract policies as the core takes them: targets and calendars merged over
    the defaults."""
    out = []
    for index, policy in enumerate(settings.policies):
        first = settings.targets.first_response.model_dump()
        first.update(policy.targets.first_response.model_dump(exclude_none=True))
        resolution = settings.targets.resolution.model_dump()
        resolution.update(policy.targets.resolution.model_dump(exclude_none=True))
        update = settings.targets.update.model_dump()
        update.update(policy.targets.update.model_dump(exclude_none=True))
        out.append(
            Policy(
                name=policy.name,
                targets=_target_table(first, resolution, update),
                calendar=policy_calendar_from(settings, index),
                projects=frozenset(policy.projects),
                groups=tuple(policy.groups),
                field_values=frozenset(policy.field_values),
            )
        )
    return tuple(out)


def _target_table(
    first: dict[str, int], resolution: dict[str, int], update: dict[str, int]
) -> TargetTable:
    return TargetTable(
        **first,
        **{f"resolution_{key}": minutes for key, minutes in resolution.items()},
        # 0 is off: the core knows no such clock (None).
        **{f"update_{key}": minutes or None for key, minutes in update.items()},
    )


def _invert(roles: dict[str, list[str]], enum: Callable[[str], E]) -> dict[str, E]:
    return {name: enum(role) for role, names in roles.items() for name in names}
