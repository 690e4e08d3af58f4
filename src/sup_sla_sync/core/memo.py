"""Answers of the pure text checks, kept between passes by whoever owns the memo.

The same subjects and descriptions come back every pass; the checks are pure, so their
answers can be kept (most of a warm pass' CPU was the insult scan of unchanged texts).
The core holds no cache of its own: the service owns a `Memo` and hands it to `decide`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")

TEXTS_KEPT = 16_384
# What `decide` takes as its memo: a `Memo`, or `no_memo`.
MemoFn = Callable[..., Any]


class Memo:
    """`memo(check, *args)` is `check(*args)`, remembered per check (LRU, `size` each)."""

    def __init__(self, size: int = TEXTS_KEPT) -> None:
        self.size = size
        self._kept: dict[Callable[..., Any], Callable[..., Any]] = {}

    def __call__(self, check: Callable[..., T], *args: Any) -> T:
        kept = self._kept.get(check)
        if kept is None:
            kept = self._kept[check] = lru_cache(self.size)(check)
        result: T = kept(*args)
        return result


def no_memo(check: Callable[..., T], *args: Any) -> T:
    """A memo that remembers nothing: for one-off decisions."""
    return check(*args)
