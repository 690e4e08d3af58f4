"""The command line: parse options, load the configuration, call one function, print."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sup_sla_sync.config import Settings, load_settings, resolve_config_path
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.texts import LANGUAGES
from sup_sla_sync.errors import SlaSyncError
from sup_sla_sync.inert import inert
from sup_sla_sync.logs import redact, register_secret, setup_logging

if TYPE_CHECKING:
    from sup_sla_sync.adapters.trackers import TrackerKind
    from sup_sla_sync.core.faq import Article
    from sup_sla_sync.ports.tracker import Tracker
    from sup_sla_sync.service.sync import SyncService

log = logging.getLogger("sup_sla_sync")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    config_path: str | None
    _settings: Settings | None = field(default=None, repr=False)
    # Every command but `calendar` (and `init`, which reads none) needs a configuration file.
    file_required: bool = True

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path, require_file=self.file_required)
            for secret in self.kind.secrets(self._settings):
                register_secret(secret)
        return self._settings

    @property
    def kind(self) -> TrackerKind:
        """The configured tracker's kind (adapters/trackers.py): its port and commands."""
        from sup_sla_sync.adapters.trackers import tracker_kind

        return tracker_kind(self._settings)

    @property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_rules(self.settings.calendar_rules())

    @property
    def config_dir(self) -> Path:
        path, _ = resolve_config_path(self.config_path)
        return path.resolve().parent

    def tracker(self) -> Tracker:
        return self.kind.open(self.settings)

    def clock(self) -> datetime:
        """The real time: what `sync`, `run` and `explain`/`queue` without --at evaluate at."""
        return datetime.now(UTC)

    def service(
        self,
        tracker: Tracker | None = None,
        on_notification: Callable[[str], None] | None = None,
    ) -> SyncService:
        """The service on `tracker` (default: the configured one), handed the `[notify]`
        notifier (`on_notification` is told each send's outcome: `run`'s metrics)."""
        from sup_sla_sync.adapters.notify import Notifier
        from sup_sla_sync.service.sync import SyncService

        faq = self.faq()  # a bad help-centre file fails before the tracker is contacted
        tracker = tracker if tracker is not None else self.tracker()
        # `[notify]`: a bad URL fails here, naming notify.urls[N], before any pass.
        notifier = Notifier.from_settings(self.settings, tracker, on_notification)
        state = self.settings.daemon.state_dir
        return SyncService(
            self.settings,
            tracker,
            self.calendar,
            clock=self.clock,
            faq=faq,
            state_dir=self.config_dir / state if state else None,
            notifications=notifier,
        )

    def faq(self) -> tuple[Article, ...]:
        """The help centre's articles (`[faq] file`, relative to the configuration's folder)."""
        from sup_sla_sync.adapters.faq_file import load_faq

        return load_faq(self.settings, self.config_dir)


def handle_errors(func: F) -> F:
    """Our errors become a one-line message and their exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SlaSyncError as exc:
            click.echo(f"error: {redact(str(exc))}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Configuration file [default: sup-sla-sync.toml, or $SUP_SLA_CONFIG].",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.version_option(package_name="sup-sla-sync")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int, log_format: str) -> None:
    """Enforce the support regulation's SLA inside a Redmine tracker."""
    setup_logging(verbose, log_format)
    ctx.obj = App(config_path)


SINCE_OPTION = click.option("--since", type=click.DateTime(["%Y-%m-%d"]), required=True)
UNTIL_OPTION = click.option("--until", type=click.DateTime(["%Y-%m-%d"]), required=True)
# About ten years: a longer period is a typo, and would take long to list or read.
MAX_PERIOD_DAYS = 3660


def parse_period(since: datetime, until: datetime) -> tuple[date, date]:
    """`--since`/`--until` as dates, checked alike for every command that takes them."""
    first, last = since.date(), until.date()
    if last < first:
        raise click.UsageError("--until is before --since")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise click.UsageError("--since/--until: at most ten years at a time")
    return first, last


@main.command("calendar")
@SINCE_OPTION
@UNTIL_OPTION
@FORMAT_OPTION
@click.pass_obj
@handle_errors
def calendar_cmd(app: App, since: datetime, until: datetime, fmt: str) -> None:
    """The working days and holidays the tool uses."""
    app.file_required = False  # the defaults serve without a configuration file
    first, last = parse_period(since, until)
    days = list(app.calendar.days(first, last))
    if fmt == "json":
        emit_json(
            [{"date": d.date.isoformat(), "working": d.working, "reason": d.reason} for d in days]
        )
        return
    for d in days:
        mark = "working" if d.working else "off"
        click.echo(f"{d.date.isoformat()}  {d.date:%a}  {mark:<7}  {d.reason}")


@main.command("config")
@click.pass_obj
@handle_errors
def config_cmd(app: App) -> None:
    """The effective configuration (file plus environment), API key masked."""
    emit_json(app.settings.redacted())


@main.command("check")
@click.pass_obj
@handle_errors
def check_cmd(app: App) -> None:
    """Validate the configuration and the tracker; list every problem (exit 1 if any)."""
    app.faq()  # a help-centre file that cannot be read or parsed: exit 2, naming the line
    tracker = app.tracker()
    doubts: list[str] = []
    problems = app.kind.check(app.settings, tracker, doubts)
    for problem in problems:
        click.echo(f"problem: {problem}")
    warnings = doubts + app.kind.warnings(app.settings, tracker, app.clock())
    if problems:
        for warning in warnings:
            click.echo(f"warning: {warning}")
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo(
        f"ok: {tracker.shown_url} has every status, tracker, priority, "
        "field and group the configuration names"
    )
    for warning in warnings:
        click.echo(f"warning: {warning}")


@main.command("sync")
@click.option("--dry-run", is_flag=True, help="Print the planned writes; write nothing.")
@click.option("--issue", "issue_ids", type=int, multiple=True, help="Only this issue (repeat).")
@FORMAT_OPTION
@click.pass_obj
@handle_errors
def sync_cmd(app: App, dry_run: bool, issue_ids: tuple[int, ...], fmt: str) -> None:
    """One pass over open issues (and those closed since the last pass)."""
    from sup_sla_sync.adapters.locks import pass_lock
    from sup_sla_sync.core.decide import count_writes
    from sup_sla_sync.entrypoints.progress import progress_bar

    service = app.service()
    with pass_lock(app.settings, app.config_dir), progress_bar("sync", fmt) as progress:
        result = service.run_pass(issue_ids, dry_run=dry_run, progress=progress)
    if fmt == "json":
        emit_json(result.as_json(dry_run))
    else:
        if dry_run:
            counts = count_writes(result.planned)
            shown = ", ".join(f"{kind}: {n}" for kind, n in counts.items()) or "nothing"
            click.echo(f"dry run would write: {shown}")
        for write in result.planned:
            click.echo(_describe_write(write))
        for wait in result.waits:
            click.echo(f"#{wait['issue']} {inert(wait['wait'])}")
        click.echo(
            ("dry run: " if dry_run else "")
            + f"seen {result.seen}, updated {result.updated}, reminders {result.reminders}, "
            f"breaches {result.breaches}, reopened {result.reopened}, closed {result.closed}, "
            f"errors {len(result.errors)}"
            + (
                f", notifications sent {result.notifications['sent']}, "
                f"failed {result.notifications['failed']}"
                if result.notifications is not None
                else ""
            )
        )
        for error in result.errors:
            click.echo(f"error: {inert(error['error'])}", err=True)
    if result.errors:
        sys.exit(1)


def _describe_write(write: dict[str, Any]) -> str:
    head = f"#{write['issue']} {write['write']}"
    if write["write"] == "fields":
        values = ", ".join(f"{k}={v!r}" for k, v in write["fields"].items())
        due = f", due date {write['due_date']}" if write.get("due_date") else ""
        return f"{head}: {values}{due}"
    if write["write"] == "watcher":
        return f"{head}: add user {write['user_id']}"
    change = ""
    if write.get("status"):
        change = f" status -> {write['status']};"
    if write.get("priority"):
        change += f" priority -> {write['priority']};"
    privacy = "private" if write.get("private") else "public"
    first_line = inert(write["note"].splitlines()[0])
    return f"{head}:{change} {privacy} note {first_line}"


@main.command("run")
@click.pass_obj
@handle_errors
def run_cmd(app: App) -> None:
    """The daemon until SIGINT/SIGTERM: it looks for changes every daemon.interval_minutes
    and wakes in between at each known issue's next instant."""
    from sup_sla_sync.adapters.locks import pass_lock
    from sup_sla_sync.service.daemon import Daemon

    settings = app.settings
    heartbeat = None
    if settings.daemon.heartbeat_file:
        heartbeat = app.config_dir / settings.daemon.heartbeat_file
    metrics = server = None
    if settings.daemon.metrics_port:
        from sup_sla_sync.service.metrics import Metrics

        metrics = Metrics(settings.daemon.interval_minutes * 60)
        server = metrics.serve(settings.daemon.metrics_host, settings.daemon.metrics_port)
        log.info("metrics: http://%s:%d/metrics and /healthz", server.host, server.port)
    service = app.service(on_notification=metrics.count_notification if metrics else None)
    daemon = Daemon(
        service,
        settings.daemon.interval_minutes,
        lambda: pass_lock(settings, app.config_dir),
        heartbeat,
        metrics,
    )
    daemon.install_signal_handlers()
    log.info(
        "running: looking for changes every %s min, and at each issue's next instant, against %s",
        settings.daemon.interval_minutes,
        service.tracker.shown_url,
    )
    try:
        daemon.run()
    finally:
        if server is not None:
            server.close()


AT_OPTION = click.option(
    "--at",
    "at",
    default=None,
    metavar="TIME",
    help="Evaluate as of this local time (YYYY-MM-DD HH:MM, or ISO 8601 with an offset); "
    "read-only.",
)


def parse_at(value: str | None, calendar: WorkCalendar) -> datetime | None:
    """`--at`: a local wall time in the calendar's zone, or an ISO time with its offset."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a time like 2026-11-30 17:00 or 2026-11-30T17:00+05:00",
            param_hint="--at",
        ) from None
    if not 1970 <= moment.year <= 9998:
        raise click.BadParameter(f"{value!r}: a year from 1970 to 9998", param_hint="--at")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.zone)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise click.BadParameter(f"{value!r} is out of range", param_hint="--at") from None


@main.command("explain")
@click.argument("issue_id", type=int)
@AT_OPTION
@FORMAT_OPTION
@click.pass_obj
@handle_errors
def explain_cmd(app: App, issue_id: int, at: str | None, fmt: str) -> None:
    """An issue's SLA timeline: targets, clock intervals, due times, state, next writes
    (with --at: as they would be at that time; nothing is written either way)."""
    from sup_sla_sync.entrypoints.render.explain import explain_json, explain_lines

    service = app.service()
    decision = service.explain(issue_id, at=parse_at(at, service.calendar))
    view, planned = decision.view, decision.writes()
    if fmt == "json":
        emit_json({**explain_json(view, planned), "waits": list(decision.waits)})
    else:
        for line in explain_lines(view, planned):
            click.echo(line)
        for wait in decision.waits:  # e.g. "waits for working hours: auto-close at ..."
            click.echo(f"  {wait}")


@main.command("queue")
@click.option(
    "--mine",
    is_flag=True,
    help="Only issues assigned to the API key's user (an agent's own key will do).",
)
@click.option("--assignee", metavar="LOGIN", default=None, help="Only issues assigned to LOGIN.")
@AT_OPTION
@FORMAT_OPTION
@click.pass_obj
@handle_errors
def queue_cmd(app: App, mine: bool, assignee: str | None, at: str | None, fmt: str) -> None:
    """Open issues in processing order: VIP first, then priority, earliest due, arrival."""
    from sup_sla_sync.entrypoints.render.queue import queue_lines, queue_rows

    if mine and assignee:
        raise click.UsageError("--mine and --assignee: give one of them")
    tracker = app.tracker()
    me: int | None = None
    if mine:
        me, note = tracker.as_viewer()
        if note:
            click.echo(note, err=True)
    service = app.service(tracker)
    views, people = service.open_views(at=parse_at(at, service.calendar))
    if assignee is not None:
        ids = [i for i, login in people.logins.items() if login == assignee]
        if not ids:
            raise click.BadParameter(
                f"no user with the login {assignee!r}", param_hint="--assignee"
            )
        me = ids[0]
    if me is not None:
        views = [v for v in views if v.issue.assigned_to_id == me]
    rows = queue_rows(views, dict(people.logins))
    if fmt == "json":
        emit_json(rows)
    else:
        for line in queue_lines(rows):
            click.echo(line)


@main.command("report")
@SINCE_OPTION
@UNTIL_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "html"]),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--by",
    "by_spec",
    default="level,priority,category",
    show_default=True,
    metavar="DIMENSIONS",
    help="Group by these, comma-separated, in this order: level, priority, category, "
    "policy, assignee.",
)
@click.option(
    "--language",
    type=click.Choice(sorted(LANGUAGES)),
    default=None,
    help="Language of the table and the HTML [default: notes.language].",
)
@click.pass_obj
@handle_errors
def report_cmd(
    app: App,
    since: datetime,
    until: datetime,
    fmt: str,
    output: str | None,
    by_spec: str,
    language: str | None,
) -> None:
    """SLA compliance of the issues created from --since to --until (local dates, inclusive),
    grouped --by level, priority, category, contract policy or assignee; breached issues
    listed."""
    from sup_sla_sync.core.report import parse_by, report_figures
    from sup_sla_sync.entrypoints.progress import progress_bar
    from sup_sla_sync.entrypoints.render.report import (
        report_csv,
        report_html,
        report_json,
        report_table,
    )

    try:
        by = parse_by(by_spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--by'") from exc
    first, last = parse_period(since, until)
    language = language or app.settings.notes.language
    service = app.service()
    with progress_bar("report", fmt) as progress:
        views, people = service.report_views(first, last, progress=progress)
    logins = dict(people.logins)
    now = views[0].now if views else service.clock()
    zone = service.calendar.zone
    updates = service.rules.update_clock  # off: the report as before, without its figure
    report = report_figures(views, first, last, zone, now, by, logins, updates=updates)
    if fmt == "json":
        text = report_json(report)
    elif fmt == "csv":
        text = report_csv(report)
    elif fmt == "html":
        text = report_html(report, service.tracker.issue_url, language)
    else:
        text = "\n".join(report_table(report, language)) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from exc
    click.echo(f"wrote {output}: {len(views)} issues, {len(report.breached)} breached", err=True)


@main.command("init")
@click.option("--url", required=True, help="The tracker's base URL (with its base path, if any).")
@click.option("--project", "projects", multiple=True, help="A project identifier (repeat).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    default="sup-sla-sync.toml",
    show_default=True,
    help="Where to write the configuration.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_obj
@handle_errors
def init_cmd(app: App, url: str, projects: tuple[str, ...], output: str, force: bool) -> None:
    """Write a first configuration guessed from the tracker (key from
    SUP_SLA_REDMINE__API_KEY); every guess is marked `# review:`."""
    import os

    from sup_sla_sync.core.calendar import load_zone

    target = Path(output)
    if target.exists() and not force:
        raise click.UsageError(f"--output: {output} exists; use --force to overwrite it")
    kind = app.kind
    key = os.environ.get(kind.key_variable, "")
    register_secret(key)
    today = app.clock().astimezone(load_zone("Asia/Almaty")).date()
    text = kind.init(url.rstrip("/"), key, projects, today)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from exc
    guesses = text.count("# review:")
    click.echo(f"wrote {output}: {guesses} guesses to review (lines marked '# review:')")
    click.echo(
        "next: review it, `sup-sla-sync --config "
        f"{output} setup-script`, then `sup-sla-sync --config {output} check`"
    )


@main.command("setup-script")
@click.option(
    "--staff-only-role",
    "roles",
    multiple=True,
    metavar="ROLE",
    help="Make the three SLA fields visible to this Redmine role only (repeat).",
)
@click.pass_obj
@handle_errors
def setup_script_cmd(app: App, roles: tuple[str, ...]) -> None:
    """Print a Ruby script for `bin/rails runner -e production` creating the custom fields
    and groups the configuration names and the tracker lacks (it changes nothing that exists)."""
    click.echo(app.kind.setup_script(app.settings, roles))
