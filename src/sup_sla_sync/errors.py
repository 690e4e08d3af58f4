"""One exception hierarchy; the CLI maps each kind to its exit code (SPEC.md, "Exit codes")."""

from __future__ import annotations


class SlaSyncError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = 1


class ConfigError(SlaSyncError):
    """The configuration is missing, malformed or inconsistent; the message names the key."""

    exit_code = 2


class CalendarError(SlaSyncError):
    """The working-time calendar cannot answer (e.g. no working day for years)."""

    exit_code = 2


class TrackerError(SlaSyncError):
    """The tracker answered with an error for one request."""

    exit_code = 1


class UpdateRefused(TrackerError):
    """The tracker refused what a write asked for (422), e.g. a due date before the start."""


class TrackerUnavailable(TrackerError):
    """The tracker could not be reached, or refused the API key."""

    exit_code = 3


class AuthError(TrackerUnavailable):
    """The tracker refused the API key (401/403 on a request every key may make)."""


class LockBusy(SlaSyncError):
    """Another pass holds the lock for this configuration."""

    exit_code = 1


class LockUnavailable(LockBusy):
    """The lock service could not be reached: this pass is skipped, as if the lock were held."""
