"""Every text the tool writes into the tracker: one module per language (`ru.py`, `kk.py`,
`en.py`), each a `TEXTS` table with the same keys.

A language is a two-letter module in this package: adding `xx.py` adds the language to
:data:`LANGUAGES` and to what `notes.language` accepts, with nothing else to change.

Plain sentences and `-` lists only, so the notes read the same under Markdown and Textile.
Each note starts with its machine-readable tag (added by the planner, not here).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping, Sequence


def _load() -> dict[str, Mapping[str, str]]:
    tables: dict[str, Mapping[str, str]] = {}
    for module in pkgutil.iter_modules(__path__):
        name = module.name
        if len(name) == 2 and name.isascii() and name.isalpha() and name.islower():
            table: Mapping[str, str] = importlib.import_module(f"{__name__}.{name}").TEXTS
            tables[name] = table
    # A language file missing a text would fail in the middle of a pass: fail at import.
    every = set().union(*tables.values())
    gaps = {lang: lack for lang, table in tables.items() if (lack := sorted(every - set(table)))}
    if gaps:
        raise ImportError(f"language files lack texts: {gaps}")
    return tables


TEXTS: Mapping[str, Mapping[str, str]] = _load()
LANGUAGES: tuple[str, ...] = tuple(TEXTS)

# Shown in the resolution-due field while the clock is paused (SPEC.md, fixed wording).
PAUSED_FIELD = "paused, {minutes} min left"


def text(language: str, key: str, **params: object) -> str:
    return TEXTS[language][key].format(**params).strip()


def duration(language: str, minutes: float) -> str:
    whole = max(0, int(minutes))
    hours, rest = divmod(whole, 60)
    if hours:
        return text(language, "hours", h=hours, m=rest)
    return text(language, "minutes", m=rest)


def mentions(logins: Sequence[str | None]) -> str:
    seen: list[str] = []
    for login in logins:
        if login and login not in seen:
            seen.append(login)
    return " ".join(f"@{login}" for login in seen)


def quote(words: Sequence[str]) -> str:
    return ", ".join(f"«{w}»" for w in words)


def snippet(note: str, limit: int = 120) -> str:
    """The first line of a note, shortened for a list of actions."""
    line = next((ln.strip() for ln in note.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
