"""The command line: parse options, load the configuration, call one function, print."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import click

from .calendar import WorkCalendar
from .config import Settings, load_settings
from .errors import SlaSyncError
from .logs import redact, register_secret, setup_logging

log = logging.getLogger("sup_sla_sync")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    config_path: str | None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
            register_secret(self._settings.redmine.api_key.get_secret_value())
        return self._settings

    @property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_config(self.settings.calendar)


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


@main.command("calendar")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), required=True)
@FORMAT_OPTION
@click.pass_obj
@handle_errors
def calendar_cmd(app: App, since: Any, until: Any, fmt: str) -> None:
    """The working days and holidays the tool uses."""
    first: date = since.date()
    last: date = until.date()
    if last < first:
        raise click.UsageError("--until is before --since")
    if (last - first).days > 3660:
        raise click.UsageError("at most ten years at a time")
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
