"""Notifications outside the tracker (`[notify]`): some notes, and failed passes, sent
through Apprise URLs (Telegram, e-mail, Slack, a JSON webhook, ...). The notifications port
(`ports.notifications.Notifications`) over Apprise: the CLI builds one and hands it to the
service.

The note in the tracker is the record: an issue event is sent once, right after its note was
written, and a failed send is logged and counted, never retried (a retry could only make a
duplicate). The URLs hold secrets (tokens, passwords): they are shown masked everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sup_sla_sync.core.model import IssueSnapshot
from sup_sla_sync.core.notekinds import PASS_FAILED, PASS_FAILED_TAG, RECOVERED_TAG, event_of
from sup_sla_sync.core.tags import render
from sup_sla_sync.core.writes import Note
from sup_sla_sync.errors import ConfigError
from sup_sla_sync.logs import display_url, mask_url, redact, register_secret, url_secrets

if TYPE_CHECKING:
    from sup_sla_sync.config import Settings
    from sup_sla_sync.ports.tracker import Tracker

log = logging.getLogger("sup_sla_sync.notify")

# Which note sends which `[notify] events` name (event_of), and the tags of the daemon's
# own messages (PASS_FAILED_TAG, RECOVERED_TAG): the registry of note kinds,
# core/notekinds.py. Re-exported here for the callers of this module.
__all__ = [
    "PASS_FAILED",
    "PASS_FAILED_TAG",
    "RECOVERED_TAG",
    "Counts",
    "Notifier",
    "event_of",
    "url_problem",
    "url_problems",
]


# --- logging ---------------------------------------------------------------------------


class _RedactApprise(logging.Filter):
    """Apprise's own lines may show a URL's path or a URL it cannot parse, where tokens
    live: mask what we know is secret, whatever handler reads them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        shown = redact(message)
        if shown != message:
            record.msg, record.args = shown, ()
        return True


def _guard_apprise_logger() -> None:
    logger = logging.getLogger("apprise")
    if not any(isinstance(f, _RedactApprise) for f in logger.filters):
        logger.addFilter(_RedactApprise())


# --- validation -----------------------------------------------------------------------


def url_problem(url: str) -> str | None:
    """Why Apprise cannot use `url` (None when it can); parses it, sends nothing."""
    import apprise

    for secret in url_secrets(url):
        register_secret(secret)
    _guard_apprise_logger()
    apprise_log = logging.getLogger("apprise")
    quiet, apprise_log.disabled = apprise_log.disabled, True  # our message says it, masked
    try:
        plugin = apprise.Apprise.instantiate(url)
    except Exception as exc:  # a plugin that raises on a malformed URL
        return f"{mask_url(url)} is not a usable Apprise URL ({type(exc).__name__})"
    finally:
        apprise_log.disabled = quiet
    if plugin is None:
        return (
            f"{mask_url(url)} is not an Apprise URL Apprise can use (unknown scheme, or a "
            "required part missing: see https://github.com/caronc/apprise/wiki)"
        )
    return None


def url_problems(settings: Settings) -> list[str]:
    """For `check`: each `[notify] urls` entry that Apprise cannot parse, named."""
    problems = []
    for index, secret in enumerate(settings.notify.urls):
        problem = url_problem(secret.get_secret_value())
        if problem:
            problems.append(f"notify.urls[{index}]: {problem}")
    return problems


# --- sending --------------------------------------------------------------------------


@dataclass
class Counts:
    sent: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed}


@dataclass(frozen=True)
class _Target:
    shown: str  # the masked URL: all that logs and errors ever show
    apprise: Any  # an apprise.Apprise holding this one URL


class Notifier:
    """Sends the configured events to every URL; counts the outcomes of a pass.

    `tracker_url` is the tracker's address as it may be shown; `issue_url` where a person
    opens an issue (the tracker's own scheme; by default `tracker_url/issues/ID`);
    `on_outcome` is told each send's outcome ("sent", "failed"), e.g. `run`'s metrics.
    """

    def __init__(
        self,
        urls: Sequence[str],
        events: Sequence[str],
        tracker_url: str,
        issue_url: Callable[[int], str] | None = None,
        on_outcome: Callable[[str], None] | None = None,
    ) -> None:
        self.events = frozenset(events)
        self.tracker_url = display_url(tracker_url).rstrip("/")
        self._issue_url = issue_url
        self.on_outcome = on_outcome
        self._counts = Counts()
        self._outage_told = False
        self._targets: list[_Target] = []
        if urls and self.events:
            self._targets = _targets(urls)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        tracker: Tracker,
        on_outcome: Callable[[str], None] | None = None,
    ) -> Notifier:
        """`[notify]` for `tracker`; a bad URL fails here, naming notify.urls[N]."""
        urls = [secret.get_secret_value() for secret in settings.notify.urls]
        return cls(urls, settings.notify.events, tracker.shown_url, tracker.issue_url, on_outcome)

    @property
    def enabled(self) -> bool:
        return bool(self._targets)

    def reset(self) -> None:
        self._counts = Counts()

    def counts(self) -> dict[str, int]:
        return self._counts.as_dict()

    def issue_url(self, issue_id: int) -> str:
        if self._issue_url is not None:
            return display_url(self._issue_url(issue_id))
        return f"{self.tracker_url}/issues/{issue_id}"

    def note_written(self, issue: IssueSnapshot, note: Note) -> None:
        """Call right after `note` was written to `issue` (never for a dry run)."""
        event = event_of(note.tag)
        if not self._targets or event not in self.events:
            return
        title = f"[sla:{note.tag}] #{issue.id} {issue.subject}"
        body = f"{note.text}\n\n{self.issue_url(issue.id)}"
        for target in self._targets:
            ok = self._send(target, title, body, f"issue {issue.id}: {event}")
            self._counts.sent += ok
            self._counts.failed += not ok

    def pass_failed(self, reason: str) -> None:
        """A pass of `run` failed: told once per outage."""
        if not self._targets or PASS_FAILED not in self.events or self._outage_told:
            return
        self._outage_told = True
        title = render(PASS_FAILED_TAG, f"sup-sla-sync: a pass failed ({self.tracker_url})")
        body = f"{redact(reason)}\n\n{_now()}: the daemon retries with backoff."
        for target in self._targets:
            self._send(target, title, body, PASS_FAILED)

    def pass_succeeded(self) -> None:
        """A pass of `run` succeeded: if an outage was told, tell its end, once."""
        if not self._outage_told:
            return
        self._outage_told = False
        title = render(RECOVERED_TAG, f"sup-sla-sync: passes succeed again ({self.tracker_url})")
        body = f"{_now()}: a pass succeeded after the failure reported before."
        for target in self._targets:
            self._send(target, title, body, "pass recovered")

    def _send(self, target: _Target, title: str, body: str, what: str) -> bool:
        import apprise

        try:
            ok = bool(
                target.apprise.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
            )
        except Exception as exc:  # a notification never breaks a pass
            log.warning("%s: sending to %s raised %s", what, target.shown, type(exc).__name__)
            ok = False
        if ok:
            log.info("%s: notification sent to %s", what, target.shown)
        else:
            log.warning(
                "%s: notification to %s failed (counted, not retried: the note in the "
                "tracker is the record)",
                what,
                target.shown,
            )
        if self.on_outcome is not None:  # counted when `run` serves metrics
            self.on_outcome("sent" if ok else "failed")
        return ok


def _targets(urls: Sequence[str]) -> list[_Target]:
    """One Apprise object per URL (each outcome is known); ConfigError naming the key."""
    import apprise

    targets = []
    for index, url in enumerate(urls):
        problem = url_problem(url)  # also registers the URL's secrets for the logs
        if problem:
            raise ConfigError(f"notify.urls[{index}]: {problem}")
        one = apprise.Apprise()
        one.add(url)
        targets.append(_Target(mask_url(url), one))
    return targets


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
