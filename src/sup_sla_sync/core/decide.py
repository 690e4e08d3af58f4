"""The decision: from an issue snapshot to every write a pass would make (SPEC.md, "What
the tool writes in Redmine").

`decide` is the one decision path: `sync` applies what it returns, `sync --dry-run` and
`explain` print it, and the re-read before an auto-close calls it again. Pure: no I/O,
no clock; `now` is a parameter.

Status and priority changes (client reply, auto-close, identity request, raised priority)
come first, each simulated on the snapshot, because they move the clocks the fields show;
then the field stamps, notes and watchers. The acknowledgement (the client's receipt) is
the one note a client reads that goes out at any hour. Idempotency comes from comparing
with what the tracker holds and from the notes' tags.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .acknowledge import acknowledgement
from .calendar import WorkCalendar
from .classify import suggest_priority, urgency_words
from .clocks import Clock, ClockName, SlaView, evaluate
from .faq import faq_note
from .intake import client_request, intake_notes, lead_watches
from .memo import MemoFn, no_memo
from .model import (
    DUE_DATE,
    PRIORITY,
    STATUS,
    FieldChange,
    IssueSnapshot,
    Journal,
    People,
    Priority,
    StatusRole,
    cf,
)
from .policy import believed_field, owned_by_tool, policy_of
from .rules import Rules
from .tags import (
    ACKNOWLEDGE,
    AUTO_CLOSE,
    AUTO_CLOSE_WARNING,
    RAISE_PRIORITY,
    REOPEN,
    breach,
    escalation,
    escalation_level,
    is_breach,
    kind_of,
    parse,
    reminder_percent,
    tag,
)
from .texts import PAUSED_FIELD, duration, mentions, quote, snippet, text
from .timeline import build_timeline
from .wakeup import ceil_minute, wake_up
from .writes import Note, Plan, Transition

CLOCK_NAMES = frozenset(name.value for name in ClockName)
# Transitions one issue may go through in a pass (e.g. a client reply, then a priority raise).
MAX_TRANSITIONS = 3


@dataclass(frozen=True)
class Context:
    """What the decision needs besides the issue and `now`."""

    rules: Rules
    calendar: WorkCalendar  # the issue's own (its contract policy's, else `[calendar]`)
    people: People
    memo: MemoFn = no_memo
    default_calendar: WorkCalendar | None = None  # `[calendar]`'s (None: `calendar`)

    @property
    def language(self) -> str:
        return self.rules.language


@dataclass(frozen=True)
class Decision:
    """Everything a pass would do to one issue now, in order: the transitions, then the
    plan (field stamps, notes, watchers) as the issue would be after them."""

    view: SlaView  # the issue as it is now
    transitions: tuple[Transition, ...]
    plan: Plan
    # Writes due now but held for working hours ("auto-close at 09:00+05:00").
    waits: tuple[str, ...] = ()
    # When the answer may next change while the issue does not (None: only a change of
    # the issue can change it): the daemon evaluates an unchanged issue again only then.
    # With a write held, the instant it may go (the start of working hours).
    wake_at: datetime | None = None
    # Breach notes that fell due before the transitions (a breach found only when the
    # issue is closed, after downtime): written first, in the order they fell due, since
    # after the close the stopped clock would no longer ask for them. The acknowledgement
    # of a request moved this pass comes first of all: the client reads the receipt first.
    before: Plan | None = None

    @property
    def issue_id(self) -> int:
        return self.view.issue.id

    @property
    def empty(self) -> bool:
        return not self.transitions and self.plan.empty and self.before is None

    def writes(self) -> list[dict[str, Any]]:
        """The writes as plain values, in order (what `--dry-run` and `explain` print)."""
        out = describe_plan(self.before) if self.before is not None else []
        out += [describe_transition(self.issue_id, t) for t in self.transitions]
        return out + describe_plan(self.plan)


def decide(
    issue: IssueSnapshot,
    rules: Rules,
    calendar: WorkCalendar,
    people: People,
    now: datetime,
    *,
    memo: MemoFn = no_memo,
    max_transitions: int = MAX_TRANSITIONS,
) -> Decision:
    """Every write a pass would make to `issue` at `now`, in order.

    `max_transitions` bounds the status/priority changes taken in one pass; a service that
    has already written some of them this pass asks for the rest. `calendar` is
    `[calendar]`'s; an issue under a contract policy with its own hours is decided in those.
    """
    first = view = evaluate(issue, calendar, rules, people, now, memo)
    ctx = Context(rules, view.calendar, people, memo, calendar)
    if before_go_live(issue, rules, ctx.calendar):
        # Older than the go-live: its fields tell the truth, but nothing is said or moved.
        plan = plan_updates(view, ctx, now)
        wake = wake_up(view, rules, ctx.calendar, now)
        return Decision(first, (), replace(plan, notes=(), watchers=()), wake_at=wake)
    transitions: list[Transition] = []
    waits: list[str] = []
    working = ctx.calendar.is_working_time(now)
    before: Plan | None = None
    for _ in range(max_transitions):
        transition = decide_transition(view, ctx, now)
        if transition is None:
            break
        if not working and client_facing(transition):
            # What a client reads goes out in working hours only: a night pass holds it.
            waits.append(_held(transition.kind, ctx, now))
            break
        if not transitions and working:
            before = _breaches_before(view, ctx)
            for note in before.notes if before is not None else ():
                issue = simulate_note(issue, note, people.tool_user_id, now)
        transitions.append(transition)
        issue = simulate(issue, transition, people.tool_user_id, now)
        view = evaluate(issue, calendar, rules, people, now, memo)
    plan = plan_updates(view, ctx, now)
    if transitions:
        before = _receipt_first(plan, before)
        plan = replace(plan, notes=tuple(n for n in plan.notes if n.tag != ACKNOWLEDGE))
    if not working:
        if _warning_note(view, ctx, now) is not None:
            waits.append(_held(AUTO_CLOSE_WARNING, ctx, now))
        held, _ = _clock_notes(view, ctx, view.timeline.tags())
        waits += [_held(note.tag, ctx, now) for note in held]
    wake = wake_up(view, rules, ctx.calendar, now)
    if waits:
        # Held writes may go at the start of working hours: the issue is evaluated then,
        # even when its own instants are all past (a close due at 18:00 found at 18:03).
        opening = ceil_minute(ctx.calendar.next_working_instant(now))
        wake = opening if wake is None else min(wake, opening)
    return Decision(first, tuple(transitions), plan, tuple(waits), wake, before)


def _breaches_before(view: SlaView, ctx: Context) -> Plan | None:
    """The breach notes (and the lead's watch) due on the issue as it is, before any
    transition: the close that comes next stops the clock, and a stopped clock asks for
    no breach note; but a breach that happened before the close is told (catch-up)."""
    notes, watchers = _clock_notes(view, ctx, view.timeline.tags())
    breaches = tuple(n for n in notes if is_breach(n.tag))
    if not breaches:
        return None
    return Plan(view.issue.id, {}, None, breaches, tuple(watchers), ())


def _receipt_first(plan: Plan, before: Plan | None) -> Plan | None:
    """The acknowledgement of a request that also gets a move this pass (the identity
    request, a raised priority): written before the move, so that the client reads the
    receipt first. It is worded on the issue as it will be after the move (its priority
    and due time)."""
    receipt = tuple(n for n in plan.notes if n.tag == ACKNOWLEDGE)
    if not receipt:
        return before
    if before is None:
        return Plan(plan.issue_id, notes=receipt)
    return replace(before, notes=receipt + before.notes)


def client_facing(transition: Transition) -> bool:
    """The auto-close and the public requests of the intake checks (the identity request):
    notes a client reads, posted in working time only."""
    return not transition.note.private


def _held(kind: str, ctx: Context, now: datetime) -> str:
    at = ctx.calendar.format(ctx.calendar.next_working_instant(now))
    label = kind.removeprefix("sla:").replace("_", "-").replace(":", " ")
    return f"waits for working hours: {label} at {at}"


def before_go_live(issue: IssueSnapshot, rules: Rules, calendar: WorkCalendar) -> bool:
    """Created before `[sync] since` (a local date): fields only, no note, no move."""
    return rules.since is not None and calendar.local(issue.created_on).date() < rules.since


def reopen_transition(rules: Rules) -> Transition:
    """Back to work after a client reply: the one place the reopen note is built."""
    body = text(rules.language, "reopen", status=rules.statuses.reopen_to)
    return Transition(REOPEN, Note(REOPEN, body, private=True), status=rules.statuses.reopen_to)


def client_replied_during_close(issue: IssueSnapshot, rules: Rules, people: People) -> bool:
    """After an auto-close: whether a client note landed in the wait it ended."""
    timeline = build_timeline(issue, people.tool_user_id)
    periods = timeline.periods
    if len(periods) < 2 or rules.status_role(periods[-2].status) is not (
        StatusRole.AWAITING_CLIENT
    ):
        return False
    return bool(timeline.client_replies_since(periods[-2].entered_by, people))


def simulate(
    issue: IssueSnapshot, transition: Transition, tool: int, now: datetime
) -> IssueSnapshot:
    """The issue as it would be after `transition`, its note a journal by the tool."""
    changes = []
    if transition.status:
        changes.append(FieldChange(STATUS, issue.status, transition.status))
    if transition.priority:
        changes.append(FieldChange(PRIORITY, issue.priority, transition.priority))
    journal = _next_journal(issue, tool, now, transition.note, tuple(changes))
    return replace(
        issue,
        status=transition.status or issue.status,
        priority=transition.priority or issue.priority,
        journals=(*issue.journals, journal),
    )


def simulate_note(issue: IssueSnapshot, note: Note, tool: int, now: datetime) -> IssueSnapshot:
    """The issue as it would be after `note`, a journal by the tool."""
    return replace(issue, journals=(*issue.journals, _next_journal(issue, tool, now, note, ())))


def _next_journal(
    issue: IssueSnapshot,
    tool: int,
    now: datetime,
    note: Note,
    changes: tuple[FieldChange, ...],
) -> Journal:
    """The journal the tracker would add: stamped after every journal it has (its clock
    may be ahead of `now`; a tracker stamps its own journals in order)."""
    stamp = max([now, issue.created_on, *(j.created_on for j in issue.journals)])
    next_id = max((j.id for j in issue.journals), default=0) + 1
    return Journal(next_id, tool, stamp, note.text, note.private, changes)


def describe_transition(issue_id: int, transition: Transition) -> dict[str, Any]:
    return {
        "issue": issue_id,
        "write": transition.kind,
        "status": transition.status,
        "priority": transition.priority,
        "note": transition.note.text,
        "private": transition.note.private,
    }


def describe_plan(plan: Plan) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if plan.fields or plan.due_date:
        out.append(
            {
                "issue": plan.issue_id,
                "write": "fields",
                "fields": plan.fields,
                "due_date": plan.due_date.isoformat() if plan.due_date else None,
            }
        )
    for note in plan.notes:
        out.append(
            {"issue": plan.issue_id, "write": "note", "note": note.text, "private": note.private}
        )
    for user_id in plan.watchers:
        out.append({"issue": plan.issue_id, "write": "watcher", "user_id": user_id})
    return out


def count_writes(writes: list[dict[str, Any]]) -> dict[str, int]:
    """How many writes of each kind (what a dry run shows first): field stamps, closes,
    reopens, other status and priority changes, watchers, and notes by tag."""
    counts: Counter[str] = Counter()
    for write in writes:
        kind = write["write"]
        if kind == "fields":
            counts["field stamps"] += 1
            continue
        if kind == "watcher":
            counts["watchers"] += 1
            continue
        if kind == AUTO_CLOSE:
            counts["closes"] += 1
        elif kind == REOPEN:
            counts["reopens"] += 1
        elif write.get("status"):
            counts["status changes"] += 1
        if write.get("priority"):
            counts["priority changes"] += 1
        counts[f"notes [sla:{parse(write['note'])}]"] += 1
    return dict(sorted(counts.items()))


def format_due(clock: Clock, calendar: WorkCalendar) -> str:
    if clock.due is None:
        return PAUSED_FIELD.format(minutes=max(0, int(clock.minutes_left)))
    return calendar.format(clock.due)


# --- transitions --------------------------------------------------------------------------


def decide_transition(view: SlaView, ctx: Context, now: datetime) -> Transition | None:
    """The one status or priority change this issue needs now, if any."""
    timeline = view.timeline
    period = timeline.current
    rules = ctx.rules
    if rules.status_role(period.status) is StatusRole.AWAITING_CLIENT:
        since = period.entered_by
        if timeline.client_replies_since(since, ctx.people):
            if REOPEN in timeline.tags(since):
                return None  # already moved back once for this wait; a person put it here
            return reopen_transition(rules)
        close_at = auto_close_time(view, ctx)
        if (
            rules.auto_close.enabled
            and close_at is not None
            and now >= close_at
            and AUTO_CLOSE not in timeline.tags(since)
        ):
            body = text(
                ctx.language,
                "auto_close",
                hours=_number(rules.auto_close.after_working_hours),
                actions=_actions(view, ctx),
            )
            return Transition(
                AUTO_CLOSE,
                Note(AUTO_CLOSE, body, private=False),
                status=rules.statuses.auto_close_to,
            )
        return None
    return client_request(view, rules, ctx.people, ctx.memo) or _raise_priority(view, ctx)


def auto_close_time(view: SlaView, ctx: Context) -> datetime | None:
    """When an awaiting-client issue may be closed: the threshold after it entered the
    status; with warnings on, never before the time its warning announced (None: the
    warning has not gone out yet, so no close)."""
    period = view.timeline.current
    auto_close = ctx.rules.auto_close
    threshold = ctx.calendar.add_working_minutes(period.start, auto_close.after_working_minutes)
    if not auto_close.warn_before_working_minutes:
        return threshold
    warning = _warning_journal(view, period.entered_by)
    if warning is None:
        return None
    close = announced_close(threshold, warning.created_on, ctx)
    # Never before the time the warning told the client, whatever changed since (a new
    # level whose policy counts round the clock): the close it announced, in the calendar
    # the issue had when the warning went out.
    then = _calendar_at(view, warning, ctx)
    if then is ctx.calendar:
        return close
    told_ctx = replace(ctx, calendar=then)
    told_threshold = then.add_working_minutes(period.start, auto_close.after_working_minutes)
    return max(close, announced_close(told_threshold, warning.created_on, told_ctx))


def _calendar_at(view: SlaView, journal: Journal, ctx: Context) -> WorkCalendar:
    """The issue's calendar as it was when `journal` was written: its fields rolled back
    through every later journal, its policy found again."""
    issue = view.issue
    order = sorted(issue.journals, key=lambda j: (j.created_on, j.id))
    cut = next(i for i, j in enumerate(order) if j.id == journal.id) + 1
    fields = dict(issue.custom_fields)
    for later in reversed(order[cut:]):
        for change in later.changes:
            if change.name.startswith("cf:"):
                fields[change.name.removeprefix("cf:")] = change.old
    past = replace(issue, journals=tuple(order[:cut]), custom_fields=fields)
    believed = believed_field(past, ctx.rules.fields.service_level, ctx.people)
    policy = policy_of(past, ctx.rules, ctx.people, believed)
    return ctx.rules.calendar_of(policy, ctx.default_calendar or ctx.calendar)


# A warning this late (a share of the notice, in working time) after its own threshold still
# counts as on time and announces the close threshold: a pass or two of delay must not move
# every close. Later than that (the daemon was down), the client gets the full notice.
ON_TIME_SHARE = 0.25


def announced_close(threshold: datetime, warned: datetime, ctx: Context) -> datetime:
    """The close a warning sent at `warned` announces: the threshold for a warning sent on
    time; for one sent late (after downtime), the full notice after the warning itself."""
    notice = ctx.rules.auto_close.warn_before_working_minutes
    after_notice = ctx.calendar.add_working_minutes(warned, notice)
    if ctx.calendar.working_minutes(threshold, after_notice) <= notice * ON_TIME_SHARE:
        return threshold
    return max(threshold, after_notice)


def _warning_journal(view: SlaView, since: int | None) -> Journal | None:
    """The tool's warning of the current wait, if sent."""
    start = 0 if since is None else since + 1
    for journal in view.timeline.journals[start:]:
        if view.timeline.tag_of(journal) == AUTO_CLOSE_WARNING:
            return journal
    return None


def _warning_note(view: SlaView, ctx: Context, now: datetime) -> Note | None:
    """The public warning before an auto-close: once per waiting period, when the wait has
    reached the close threshold less `warn_before_working_hours`."""
    auto_close = ctx.rules.auto_close
    if not (auto_close.enabled and auto_close.warn_before_working_minutes):
        return None
    period = view.timeline.current
    if ctx.rules.status_role(period.status) is not StatusRole.AWAITING_CLIENT:
        return None
    since = period.entered_by
    if view.timeline.client_replies_since(since, ctx.people):
        return None
    if _warning_journal(view, since) is not None or AUTO_CLOSE in view.timeline.tags(since):
        return None
    waited = ctx.calendar.working_minutes(period.start, now)
    if waited < auto_close.after_working_minutes - auto_close.warn_before_working_minutes:
        return None
    threshold = ctx.calendar.add_working_minutes(period.start, auto_close.after_working_minutes)
    close = ctx.calendar.local(announced_close(threshold, now, ctx))
    body = text(
        ctx.language,
        "auto_close.warning",
        when=close.strftime(text(ctx.language, "auto_close.when")),
        hours=_number(auto_close.after_working_hours),
    )
    return Note(AUTO_CLOSE_WARNING, body, private=False)


def _raise_priority(view: SlaView, ctx: Context) -> Transition | None:
    if not ctx.rules.apply_priority or view.resolution.stopped_at is not None:
        return None
    issue = view.issue
    # Only a still-default priority: nobody (person or tool) has ever changed it.
    if any(j.change_of(PRIORITY) for j in issue.journals):
        return None
    if issue.priority not in ctx.rules.priorities or view.classification.priority != "normal":
        return None
    content = f"{issue.subject}\n{issue.description}"
    suggested = suggest_priority(content)
    if suggested is None or RAISE_PRIORITY in view.timeline.tags():
        return None
    names = ctx.rules.priority_names.get(Priority(suggested), ())
    if not names:
        return None
    body = text(ctx.language, "priority", priority=names[0], words=quote(urgency_words(content)))
    return Transition(RAISE_PRIORITY, Note(RAISE_PRIORITY, body, private=True), priority=names[0])


def _actions(view: SlaView, ctx: Context) -> str:
    lines = []
    for journal in view.timeline.journals:
        when = ctx.calendar.local(journal.created_on).strftime("%Y-%m-%d %H:%M")
        if journal.notes.strip() and not journal.private and ctx.people.is_staff(journal.user_id):
            lines.append(text(ctx.language, "action.note", when=when, text=snippet(journal.notes)))
        change = journal.change_of("status")
        if change is not None:
            lines.append(
                text(ctx.language, "action.status", when=when, old=change.old, new=change.new)
            )
    return "\n".join(lines) or text(ctx.language, "auto_close.none")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- field stamps, reminders, breaches ------------------------------------------------------


def plan_updates(view: SlaView, ctx: Context, now: datetime) -> Plan:
    issue = view.issue
    names = ctx.rules.fields
    tool = ctx.people.tool_user_id
    wanted = {
        names.first_response_due: format_due(view.first_response, ctx.calendar),
        names.resolution_due: format_due(view.resolution, ctx.calendar),
        names.sla_state: view.state.value,
    }
    category = view.classification
    if category.category_source != "person" and owned_by_tool(
        issue, cf(names.category), tool, issue.field(names.category)
    ):
        wanted[names.category] = ctx.rules.category_values[category.category]
    unavailable = tuple(k for k in wanted if k not in issue.custom_fields)
    fields = {k: v for k, v in wanted.items() if issue.field(k) != v and k not in unavailable}

    due_date = None
    if view.resolution.due is not None and owned_by_tool(issue, DUE_DATE, tool, issue.due_date):
        local_due = ctx.calendar.local(view.resolution.due).date()
        if local_due != issue.due_date:
            due_date = local_due

    tags = view.timeline.tags()
    # The receipt first, at any hour (it says when work starts); then the intake notes.
    receipt = acknowledgement(view, ctx.rules, tags, now, ctx.memo)
    notes = [receipt] if receipt is not None else []
    notes += intake_notes(view, ctx.rules, ctx.people, ctx.memo, tags)
    if (suggestion := faq_note(view, ctx.rules, ctx.people, tags, ctx.memo)) is not None:
        notes.append(suggestion)
    lead = ctx.people.lead_id
    watchers: list[int] = []
    if lead_watches(notes) and lead and lead not in issue.watcher_ids:
        watchers.append(lead)
    # Reminders, breach notes and the client's warning wait for working hours (found at
    # night: said at 09:00).
    if ctx.calendar.is_working_time(now):
        if (warning := _warning_note(view, ctx, now)) is not None:
            notes.append(warning)
        clock_notes, clock_watchers = _clock_notes(view, ctx, tags)
        notes += clock_notes
        watchers += clock_watchers
    return Plan(
        issue.id, fields, due_date, tuple(notes), tuple(dict.fromkeys(watchers)), unavailable
    )


def _clock_notes(view: SlaView, ctx: Context, tags: set[str]) -> tuple[list[Note], list[int]]:
    """The reminders, breach notes and escalations due now (in working time: the caller
    decides whether they go now or wait), and the watchers they bring."""
    issue = view.issue
    lead = ctx.people.lead_id
    notes: list[Note] = []
    watchers: list[int] = []
    for clock in view.note_clocks:
        update = clock.name is ClockName.UPDATE
        # The update clock's notes are once per interval: only this interval's count.
        own = view.timeline.tags(clock.since_journal) if update else tags
        note = _clock_note(clock, view, ctx, own)
        if note is not None:
            notes.append(note)
            if is_breach(note.tag) and lead and lead not in issue.watcher_ids:
                watchers.append(lead)
        if update:
            continue  # no escalation: the regulation sets no update target to escalate
        if (level_note := _escalation_note(clock, view, ctx, tags)) is not None:
            notes.append(level_note)
            watchers += [u for u in _escalation_ids(ctx) if u not in issue.watcher_ids]
    return notes, watchers


def _clock_note(clock: Clock, view: SlaView, ctx: Context, tags: set[str]) -> Note | None:
    name = clock.name.value
    assignee = ctx.people.login(view.issue.assigned_to_id)
    lead = ctx.people.login(ctx.people.lead_id)
    label = text(ctx.language, f"clock.{name}")
    if clock.breached:
        if clock.stopped_at is not None or breach(name) in tags:
            return None  # answered or resolved late: the state says so, no late alarm
        # A clock paused after its breach shows no due time; the note names the missed one.
        missed = clock.due or clock.target_due
        due = ctx.calendar.format(missed) if missed else format_due(clock, ctx.calendar)
        body = text(
            ctx.language,
            "breach",
            clock=label,
            due=due,
            over=duration(ctx.language, clock.used_minutes - clock.target_minutes),
            mentions=mentions([assignee, lead]),
        )
        return Note(breach(name), _capitalise(body), private=True)
    if not clock.running or not clock.reminders_crossed:
        return None
    fraction = max(clock.reminders_crossed)
    done = {p for t in tags if (p := reminder_percent(t, name)) is not None}
    percent = round(fraction * 100)
    if any(p >= percent for p in done):
        return None
    body = text(
        ctx.language,
        "reminder",
        clock=label,
        due=ctx.calendar.format(clock.due) if clock.due else "",
        left=duration(ctx.language, clock.minutes_left),
        mentions=mentions([assignee or lead]),
    )
    return Note(tag(name, percent), body, private=True)


def _escalation_note(clock: Clock, view: SlaView, ctx: Context, tags: set[str]) -> Note | None:
    """The highest `[escalation]` level a breached, still running clock has passed, once.

    The offsets are working minutes past the due time, in the issue's own calendar; levels
    skipped by downtime are not posted.
    """
    levels = ctx.rules.escalation.after_breach_working_minutes
    if not levels or not clock.breached or not clock.running or clock.due is None:
        return None
    over = ctx.calendar.working_minutes(clock.due, view.now)
    passed = [level for level, after in enumerate(levels, 1) if over >= after]
    if not passed:
        return None
    name = clock.name.value
    level = max(passed)
    if any((done := escalation_level(t, name)) is not None and done >= level for t in tags):
        return None
    body = text(
        ctx.language,
        "escalation",
        level=level,
        clock=text(ctx.language, f"clock.{name}"),
        due=ctx.calendar.format(clock.due) if clock.due else "",
        over=duration(ctx.language, over),
        mentions=mentions(
            [
                ctx.people.login(view.issue.assigned_to_id) or ctx.people.login(ctx.people.lead_id),
                *ctx.rules.escalation.logins,
            ]
        ),
    )
    return Note(escalation(name, level), body, private=True)


def _escalation_ids(ctx: Context) -> list[int]:
    """The user ids of the `[escalation] logins`, in their order (unknown logins: none)."""
    ids = {login: user_id for user_id, login in ctx.people.logins.items()}
    return [ids[login] for login in ctx.rules.escalation.logins if login in ids]


def _capitalise(body: str) -> str:
    return body[:1].upper() + body[1:]


def is_clock_note(note: Note) -> bool:
    return kind_of(note.tag) in CLOCK_NAMES
