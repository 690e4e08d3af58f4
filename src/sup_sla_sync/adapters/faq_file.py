"""The help centre's articles: the `[faq] file` read into plain values for the core.

A file the desk keeps by hand, so every problem is a ConfigError (exit 2) naming the file
and the line: tomllib's line for a TOML error, the `[[article]]` header's line for an
article that lacks a key or holds a wrong type.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from sup_sla_sync.config import Settings
from sup_sla_sync.core.faq import Article, keyword_pattern
from sup_sla_sync.errors import ConfigError

KEYS = ("title", "url", "keywords")
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_HEADER = re.compile(r"""^\s*\[\[\s*(?:article|"article"|'article')\s*\]\]""")
_INLINE = re.compile(r"""^\s*(?:article|"article"|'article')\s*=""")
_URL = re.compile(r"^https?://\S+$")


MAX_FAQ_BYTES = 4 * 1024**2  # the example's 600 articles take 21 KB


def load_faq(settings: Settings, config_dir: Path) -> tuple[Article, ...]:
    """The articles of `faq.file` (relative to `config_dir`); () when the key is empty."""
    if not settings.faq.file:
        return ()
    return load_articles(config_dir / settings.faq.file)


def load_articles(path: Path) -> tuple[Article, ...]:
    """Every `[[article]]` of the TOML file at `path`, in the file's order."""
    where = f"faq.file: {path}"
    try:
        with path.open("rb") as file:  # bounded: /dev/zero or a log file is no help centre
            data_bytes = file.read(MAX_FAQ_BYTES + 1)
        if len(data_bytes) > MAX_FAQ_BYTES:
            raise ConfigError(f"{where}: larger than {MAX_FAQ_BYTES // 1024**2} MiB")
        raw = data_bytes.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: help-centre file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot be read: {exc}") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = _AT_LINE.search(message)
        at = f", line {line[1]}" if line else ""
        raise ConfigError(f"{where}{at}: not valid TOML: {_AT_LINE.sub('', message)}") from None
    lines = _article_lines(raw)
    unknown = sorted(set(data) - {"article"})
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; the file holds [[article]] tables")
    items = data.get("article")
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{where}: no [[article]] tables (each with title, url and keywords)")
    return tuple(
        _article(item, f"{where}, line {lines[i]}" if i < len(lines) else where, i + 1)
        for i, item in enumerate(items)
    )


def _article_lines(raw: str) -> list[int]:
    """The line of each `[[article]]` header, in order (or of an inline `article = [...]`)."""
    numbered = list(enumerate(raw.splitlines(), start=1))
    headers = [n for n, line in numbered if _HEADER.match(line)]
    return headers or [n for n, line in numbered if _INLINE.match(line)][:1]


def _article(item: Any, where: str, number: int) -> Article:
    label = f"{where}: article {number}"
    if not isinstance(item, dict):
        raise ConfigError(f"{label}: not a table with title, url and keywords")
    unknown = sorted(set(item) - set(KEYS))
    if unknown:
        raise ConfigError(f"{label}: unknown key {unknown[0]!r}; expected title, url, keywords")
    missing = [key for key in KEYS if key not in item]
    if missing:
        raise ConfigError(f"{label} has no {missing[0]}")
    title, url, keywords = item["title"], item["url"], item["keywords"]
    if not isinstance(title, str) or not title.strip():
        raise ConfigError(f"{label}: title must be a non-empty string")
    if not isinstance(url, str) or not _URL.match(url):
        raise ConfigError(f"{label}: url must be an http:// or https:// address")
    if not isinstance(keywords, list) or not keywords:
        raise ConfigError(f"{label}: keywords must be a non-empty list of words or phrases")
    for keyword in keywords:
        if not isinstance(keyword, str) or not keyword_pattern(keyword):
            raise ConfigError(f"{label}: keyword {keyword!r} is not a word or phrase")
    return Article(title.strip(), url, tuple(keywords))
