"""HTTP to the tracker: timeouts, retries and the mapping of HTTP failures to `errors.py`,
once, for every request the adapter sends.

python-redmine 2.5.0 is used for its engine only (session, API-key header, JSON bodies,
response decoding), not for its resource objects: those give naive datetimes, and their
lazy result sets read every page before the first item.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urljoin

import requests
from redminelib import Redmine  # type: ignore[import-untyped]
from redminelib import exceptions as rm_exceptions  # type: ignore[import-untyped]
from redminelib.engines.sync import SyncEngine  # type: ignore[import-untyped]

from sup_sla_sync.errors import AuthError, TrackerError, TrackerUnavailable, UpdateRefused
from sup_sla_sync.logs import display_url

# The package's name, as before the split into modules: log output is behaviour.
log = logging.getLogger("sup_sla_sync.redmine")

PAGE_SIZE = 100  # Redmine's own maximum for `limit`
# At most this many pages of one listing (100,000 items: ten times the largest tracker the
# benchmarks run): a tracker that claims more is not believed (SPEC.md, principle 8).
MAX_PAGES = 1_000
CONNECT_TIMEOUT_CAP = 10.0  # a TCP handshake that takes longer will not succeed
RETRY_STATUSES = frozenset({429, 502, 503, 504})

Kind = Literal["list_pages", "issue_reads", "writes", "other"]


@dataclass
class RequestStats:
    """HTTP requests sent to the tracker, by kind (every attempt counts; `retries` too)."""

    list_pages: int = 0
    issue_reads: int = 0
    writes: int = 0
    other: int = 0
    retries: int = 0

    @property
    def total(self) -> int:
        return self.list_pages + self.issue_reads + self.writes + self.other

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "total": self.total}


class _HttpStatusError(Exception):
    """A non-2xx answer, with what is needed to explain it (never the request headers)."""

    def __init__(self, response: requests.Response) -> None:
        self.status = response.status_code
        self.reason = response.reason or ""
        self.messages = _error_messages(response)
        self.retry_after = _retry_after(response)
        super().__init__(f"{self.status} {self.reason}".strip())


class _Redirect(Exception):
    """A 3xx answer: never followed, since the key and the write would go with it."""

    def __init__(self, response: requests.Response) -> None:
        self.status = response.status_code
        self.location = response.headers.get("Location", "")
        super().__init__(f"{self.status} redirect")


class _Engine(SyncEngine):  # type: ignore[misc]
    """python-redmine's engine, plus what it lacks: a timeout on every request, and the
    status code of every failed answer (its own exceptions drop it for most codes)."""

    def __init__(self, *, timeout: tuple[float, float], verify: bool, **options: Any) -> None:
        self.timeout = timeout
        self.verify = verify
        self.server_time: str | None = None  # the `Date` header of the last answer
        super().__init__(**options)

    # `requests={"timeout": ...}` only sets an attribute requests.Session ignores, and a
    # session's verify=False loses to REQUESTS_CA_BUNDLE: both go with every request.
    def construct_request_kwargs(
        self, method: str, headers: Any, params: Any, data: Any
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = SyncEngine.construct_request_kwargs(method, headers, params, data)
        kwargs["timeout"] = self.timeout
        kwargs["verify"] = self.verify
        # No redirect is followed (SPEC.md, principle 7): requests would resend the
        # X-Redmine-API-Key header, and a 302 turns a PUT into a GET that "succeeds".
        kwargs["allow_redirects"] = False
        return kwargs

    def process_response(self, response: requests.Response) -> Any:
        self.server_time = response.headers.get("Date")
        if response.is_redirect or 300 <= response.status_code < 400:
            raise _Redirect(response)
        if response.status_code not in (200, 201, 204):
            raise _HttpStatusError(response)
        return super().process_response(response)


@dataclass(frozen=True)
class _Failure:
    error: type[TrackerError]
    text: str
    retryable: bool = False
    retry_after: float | None = None


class Transport:
    """Requests to one tracker: every one with timeouts, GETs retried with exponential
    backoff on transient failures, and every failure raised as an `errors.py` exception
    whose text never holds the API key."""

    def __init__(
        self,
        url: str,
        key: str,
        *,
        timeout_seconds: float,
        verify: bool,
        sleep: Callable[[float], None],
        retries: int,
        backoff: float,
        max_backoff: float,
    ) -> None:
        self._key = key
        self.url = url
        self.shown_url = display_url(url)
        self.timeout = (min(timeout_seconds, CONNECT_TIMEOUT_CAP), timeout_seconds)
        # The key goes in the X-Redmine-API-Key header (python-redmine's `key=`), never in a URL.
        self._redmine = Redmine(
            url,
            key=key,
            engine=_Engine,
            timeout=self.timeout,
            verify=verify,
        )
        self._sleep = sleep
        self._retries = max(0, retries)
        self._backoff = backoff
        self._max_backoff = max_backoff
        self.stats = RequestStats()

    def close(self) -> None:
        self._redmine.engine.session.close()

    def server_now(self) -> datetime:
        """The tracker's clock at its last answer (its `Date` header), else this machine's."""
        stamp = self._redmine.engine.server_time
        if stamp:
            try:
                when = parsedate_to_datetime(stamp)
            except (TypeError, ValueError):
                pass
            else:
                if when.tzinfo is not None:
                    return when.astimezone(UTC)
        return datetime.now(UTC)

    def get_one(
        self,
        path: str,
        container: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        kind: Kind = "other",
        issue_id: int | None = None,
        forbidden: str | None = None,
    ) -> dict[str, Any]:
        payload = self.call(
            "get",
            path,
            kind=kind,
            params=params,
            issue_id=issue_id,
            what=what,
            forbidden=forbidden,
        )
        item = payload.get(container)
        if not isinstance(item, dict):
            raise TrackerError(_prefix(issue_id) + f"{what}: unexpected answer (no {container!r})")
        return item

    def get_list(
        self, path: str, container: str, label: str, *, forbidden: str | None = None
    ) -> list[dict[str, Any]]:
        return list(
            self.pages(
                path, container, {}, kind="other", what=f"reading {label}", forbidden=forbidden
            )
        )

    def pages(
        self,
        path: str,
        container: str,
        params: dict[str, Any],
        *,
        kind: Kind,
        what: str,
        forbidden: str | None = None,
        not_found: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a listing, page by page (a listing without total_count is one page).

        Bounded whatever the tracker says: a page that brings no item not seen before ends
        the listing (a `total_count` that lies), and so does the MAX_PAGES-th page, with a
        warning naming the endpoint; a `total_count` that is not a count is an error."""
        offset = 0
        seen: set[Any] = set()
        for number in range(1, MAX_PAGES + 1):
            page = self.call(
                "get",
                path,
                kind=kind,
                params={**params, "limit": PAGE_SIZE, "offset": offset},
                what=what,
                forbidden=forbidden,
                not_found=not_found,
            )
            items = page.get(container)
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise TrackerError(f"{what}: unexpected answer (no {container!r} list of objects)")
            ids = [item.get("id") for item in items]
            if items and all(i in seen for i in ids if i is not None) and None not in ids:
                log.warning(
                    "%s: %s page %d (offset %d) brought nothing new; the listing ends there",
                    what,
                    path,
                    number,
                    offset,
                )
                return
            seen.update(ids)
            yield from items
            offset += len(items)
            total = _count(page.get("total_count"), what)
            if not items or total is None or offset >= total:
                return
        log.warning(
            "%s: %s has more than %d pages (total_count %s); stopped after %d items",
            what,
            path,
            MAX_PAGES,
            page.get("total_count"),
            offset,
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        kind: Kind,
        what: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        issue_id: int | None = None,
        forbidden: str | None = None,
        not_found: str | None = None,
    ) -> Any:
        """One request; GETs are retried with exponential backoff on transient failures."""
        retries = self._retries if method == "get" else 0
        attempt = 0
        while True:
            setattr(self.stats, kind, getattr(self.stats, kind) + 1)
            try:
                result = self._redmine.engine.request(
                    method, self.url + path, params=params, data=data
                )
                if method == "get" and not isinstance(result, dict):
                    raise rm_exceptions.JSONDecodeError(None)
                return result
            except Exception as exc:
                if method != "get" and isinstance(exc, rm_exceptions.JSONDecodeError):
                    return None  # a 2xx answer to a write: its body is not needed
                failure = self._explain(exc, method, path, what, issue_id, forbidden, not_found)
                error = failure.error(self._scrub(failure.text))
                if not failure.retryable or attempt >= retries:
                    raise error from exc
            delay = min(self._max_backoff, self._backoff * 2**attempt)
            if failure.retry_after is not None:
                delay = max(delay, min(failure.retry_after, self._max_backoff))
            attempt += 1
            self.stats.retries += 1
            log.warning(
                "%s; retry %d of %d in %.1f s",
                error,
                attempt,
                retries,
                delay,
                extra={"issue": issue_id} if issue_id is not None else None,
            )
            self._sleep(delay)

    def _explain(
        self,
        exc: Exception,
        method: str,
        path: str,
        what: str,
        issue_id: int | None,
        forbidden: str | None,
        not_found: str | None,
    ) -> _Failure:
        """What to tell about a failed request, and whether a retry may help."""
        prefix = _prefix(issue_id)
        unreachable = f"{prefix}cannot reach the tracker at {self.shown_url}"
        if isinstance(exc, _Redirect):
            target = urljoin(self.url + path, exc.location) if exc.location else "(no Location)"
            text = (
                f"the tracker at {self.shown_url} redirects to {display_url(target)} "
                f"({method.upper()} {path} got {exc.status}): set redmine.url"
            )
            if method != "get":
                text += "; nothing was written"
            return _Failure(TrackerUnavailable, text)
        if isinstance(exc, _HttpStatusError):
            status = f"{exc.status} {exc.reason}".strip()
            if exc.status == 401:
                return _Failure(AuthError, f"{prefix}the tracker refused the API key")
            if exc.status == 403 and path == "/users/current.json":
                text = "the tracker refused the API key (403: is the REST API enabled?)"
                return _Failure(AuthError, text)
            if exc.status == 403:
                return _Failure(TrackerError, prefix + (forbidden or f"{what}: forbidden (403)"))
            if exc.status == 404 and issue_id is not None:
                return _Failure(TrackerError, f"{prefix}not found or not visible")
            if exc.status == 404:
                return _Failure(TrackerError, not_found or f"{what}: not found (404)")
            if exc.status == 422:
                reasons = "; ".join(exc.messages) or status
                return _Failure(UpdateRefused, f"{prefix}{what} refused: {reasons}")
            if exc.status in RETRY_STATUSES:
                text = f"{unreachable}: {method.upper()} {path} got {status}"
                return _Failure(TrackerUnavailable, text, True, exc.retry_after)
            return _Failure(TrackerError, f"{prefix}{what}: the tracker answered {status}")
        if isinstance(exc, rm_exceptions.JSONDecodeError):
            if path == "/users/current.json":
                # The first request of every command: no JSON here means that what answers
                # at redmine.url is not the tracker's REST API (a login page, a proxy's
                # error page): the tracker is unavailable to us, exit 3, not a bug.
                text = (
                    f"{unreachable}: {path} did not answer with JSON "
                    "(is redmine.url the tracker's address, and the REST API enabled?)"
                )
                return _Failure(TrackerUnavailable, text, retryable=True)
            text = f"{prefix}{what}: the tracker's answer is not JSON (is redmine.url right?)"
            return _Failure(TrackerError, text, retryable=True)
        if isinstance(exc, rm_exceptions.HTTPProtocolError):
            text = f"{unreachable}: it redirects between http and https; fix redmine.url"
            return _Failure(TrackerUnavailable, text)
        if isinstance(exc, requests.exceptions.SSLError):
            return _Failure(TrackerUnavailable, f"{unreachable}: TLS: {_reason(exc)}")
        if isinstance(exc, requests.exceptions.ReadTimeout):
            text = f"{unreachable}: no answer within {self.timeout[1]:g} s"
            if method != "get":
                text += " (the change may or may not have been made)"
            return _Failure(TrackerUnavailable, text, retryable=True)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            text = f"{unreachable}: no connection within {self.timeout[0]:g} s"
            return _Failure(TrackerUnavailable, text, retryable=True)
        if isinstance(
            exc,
            requests.exceptions.ConnectionError
            | requests.exceptions.Timeout
            | requests.exceptions.ChunkedEncodingError,
        ):
            return _Failure(TrackerUnavailable, f"{unreachable}: {_reason(exc)}", retryable=True)
        if isinstance(exc, requests.exceptions.RequestException):
            return _Failure(TrackerUnavailable, f"{unreachable}: {_reason(exc)}")
        if isinstance(exc, rm_exceptions.BaseRedmineError):
            return _Failure(TrackerError, f"{prefix}{what}: {exc}")
        raise exc

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***")


def _count(value: Any, what: str) -> int | None:
    """A listing's `total_count`: None when absent; an error when not a count."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TrackerError(f"{what}: unexpected answer (total_count {value!r} is not a count)")
    try:
        count = int(value)
    except ValueError:
        raise TrackerError(
            f"{what}: unexpected answer (total_count {value!r} is not a count)"
        ) from None
    if count < 0:
        raise TrackerError(f"{what}: unexpected answer (total_count {value!r} is not a count)")
    return count


def _prefix(issue_id: int | None) -> str:
    return f"issue {issue_id}: " if issue_id is not None else ""


def _error_messages(response: requests.Response) -> list[str]:
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        return []
    if not isinstance(errors, list):
        return []
    return [": ".join(map(str, e)) if isinstance(e, list) else str(e) for e in errors]


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


_ERRNO = re.compile(r"\[Errno -?\d+\][^'\")]*")


def _reason(exc: Exception) -> str:
    """The useful part of a requests error ("[Errno 111] Connection refused")."""
    text = str(exc)
    match = _ERRNO.search(text)
    if match:
        return match.group(0).strip()
    return f"{type(exc).__name__}: {text}"[:300]
