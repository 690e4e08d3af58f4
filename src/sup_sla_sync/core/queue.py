"""The order agents work in (regulation rule 21): VIP first, then priority, earliest due,
then arrival."""

from __future__ import annotations

from datetime import datetime

from .clocks import Clock, SlaView
from .model import PRIORITY_RANK, ServiceLevel


def next_clock(view: SlaView) -> Clock | None:
    """The clock an agent must beat next: the first response until it is given."""
    if view.first_response.running:
        return view.first_response
    if view.resolution.running or view.resolution.paused:
        return view.resolution
    return None


def queue_order(views: list[SlaView]) -> list[SlaView]:
    """The regulation's order: VIP first (rule 21), then priority, earliest due, arrival."""

    def key(view: SlaView) -> tuple[int, int, bool, datetime, datetime, int]:
        clock = next_clock(view)
        due = clock.due if clock is not None else None
        return (
            0 if view.classification.level is ServiceLevel.VIP else 1,
            PRIORITY_RANK[view.classification.priority],
            due is None,
            due or view.issue.created_on,
            view.issue.created_on,
            view.issue.id,
        )

    return sorted(views, key=key)
