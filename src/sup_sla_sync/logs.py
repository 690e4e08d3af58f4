"""Logging to stderr as text or JSON lines, with secrets masked in every record."""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from sup_sla_sync.inert import inert

_SECRETS: set[str] = set()
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def register_secret(secret: str) -> None:
    """Mask `secret` wherever it would appear in a log line from now on."""
    if secret and len(secret) >= 4:
        _SECRETS.add(secret)


def redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "***")
    return text


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # One record, one line: client text in a message (a subject, a note, a server's
        # answer) cannot forge another line nor drive the terminal (SPEC.md, principle 8).
        record = logging.makeLogRecord(
            {**record.__dict__, "msg": inert(record.getMessage()), "args": None}
        )
        extra = {k: inert(v) for k, v in record.__dict__.items() if k not in _RESERVED}
        line = super().format(record)
        if extra:
            line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return redact(line)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(data, ensure_ascii=False, default=str))


def setup_logging(verbosity: int, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(_TextFormatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    root.setLevel(level)
    logging.getLogger("sup_sla_sync").setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
    # Chatty third-party loggers stay quiet unless asked twice.
    for name in ("urllib3", "requests", "apprise"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity > 2 else logging.WARNING)


# --- URLs with credentials (the `[notify] urls`) ---------------------------------------

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$", re.S)
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[^:\[\]]*)(:\d+)?$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")
# Query parameters whose values are credentials in Apprise URLs.
_SECRET_PARAMS = re.compile(r"token|key|pass|secret|auth|webhook|hook|sid|bearer", re.I)
# A token is long and mixes letters and digits; a plain word ("notifications") is not
# masked, or it would be masked in every log line.
_TOKEN = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z]).{8,}$", re.S)


def display_url(url: str) -> str:
    """The tracker's `url` as every output shows it (SPEC.md, principle 7): without its
    user info (a password for basic auth in front of Redmine), query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an invalid URL)"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc, query="", fragment=""))


def mask_url(url: str) -> str:
    """`json://127.0.0.1:8080/***` for `json://user:pw@127.0.0.1:8080/hook/TOKEN`.

    Only the scheme and a host that is a real host name or address are kept: in many
    Apprise URLs the "host" is itself a token (`tgram://BOTTOKEN/CHAT`, `slack://T/B/C`).
    """
    match = _URL.match(url.strip())
    if not match:
        return "***"
    scheme, netloc, rest = match.groups()
    _, at, host_port = netloc.rpartition("@")
    parts = _HOST_PORT.match(host_port)
    shown = host_port if parts and _is_host(parts[1]) else "***"
    tail = "/***" if (at or rest.strip("/")) else ""
    return f"{scheme.lower()}://{shown}{tail}"


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    if host.lower() == "localhost":
        return True
    labels = host.split(".")
    return len(labels) >= 2 and labels[-1].isalpha() and all(map(_LABEL.match, labels))


def url_secrets(url: str) -> list[str]:
    """The parts of a URL that may be credentials: the whole URL, user info, a host that
    is a token, long path segments and credential parameters."""
    found = [url, url.strip()]
    match = _URL.match(url.strip())
    if match:
        _, netloc, rest = match.groups()
        userinfo, _, host_port = netloc.rpartition("@")
        user, colon, password = userinfo.partition(":")
        found += [unquote(password), password] if colon else []
        found += [unquote(user)] if _TOKEN.match(user) else []  # `pover://USERKEY@TOKEN`
        parts = _HOST_PORT.match(host_port)
        if not (parts and _is_host(parts[1])):
            found += [host_port, unquote(host_port)]
        path, _, query = rest.partition("?")
        found += [unquote(s) for s in path.split("/") if _TOKEN.match(s)]
        query = query.split("#", 1)[0]
        found += [v for k, v in parse_qsl(query) if _SECRET_PARAMS.search(k)]
    return [secret for secret in found if secret]
