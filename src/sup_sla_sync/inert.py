"""Client text printed inert on a terminal (SPEC.md, principle 8).

Subjects, notes and names are written by strangers: on a terminal an escape sequence
clears the screen or sets the window title, a carriage return overwrites the row, a
newline forges a log line, U+202E reverses what follows. In every text output they are
shown as visible escapes instead; JSON stays exact and HTML is escaped where it is built.
"""

from __future__ import annotations

import re

# C0 controls but tab and the line breaks, DEL, C1 controls; the bidi controls (embeddings,
# overrides, isolates, marks), and U+2028/U+2029 (line and paragraph separators).
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_UNSAFE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
FOLD = " ⏎ "  # where a line break was


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: object) -> str:
    """`text` safe to print on one terminal line: line breaks folded to a visible mark,
    tabs to a space, every other control and bidi character as a visible escape
    (`\\x1b`, `\\u202e`). Plain text comes back unchanged."""
    shown = str(text)
    if shown.isprintable():
        return shown
    shown = _LINE_BREAKS.sub(FOLD, shown).replace("\t", " ")
    return _UNSAFE.sub(_escape, shown)
