"""A progress bar on stderr for a long `sync` or `report` (tqdm): issues done of the total,
time left. Only on a terminal, never for `--format json`, only once the work has lasted a few
seconds: a quick pass, a pipe or a log file never see it."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

SHOW_AFTER_SECONDS = 3.0


def wanted(fmt: str, stream: TextIO | None = None) -> bool:
    """A bar only for a person watching: not `--format json`, stderr a terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return fmt != "json" and callable(isatty) and bool(isatty())


class ProgressBar:
    """The service's progress callback (done, total) drawn as a tqdm bar, which appears
    only once SHOW_AFTER_SECONDS have passed since this object was made."""

    def __init__(
        self,
        what: str,
        stream: TextIO,
        show_after: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.stream = stream
        self.clock = clock
        self.deadline = clock() + (SHOW_AFTER_SECONDS if show_after is None else show_after)
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(
                total=total,
                desc=self.what,
                unit="issue",
                file=self.stream,
                # The listing may have taken part of the few seconds already.
                delay=max(0.0, self.deadline - self.clock()),
                leave=False,  # the summary that follows says how it ended
                dynamic_ncols=True,
            )
        if total != self.bar.total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def progress_bar(what: str, fmt: str) -> Iterator[ProgressBar | None]:
    """The bar for one command, or None where none is wanted; log lines printed meanwhile
    go above the bar instead of through it."""
    if not wanted(fmt):
        yield None
        return
    bar = ProgressBar(what, sys.stderr)
    with ExitStack() as stack:
        stack.enter_context(logging_redirect_tqdm([logging.getLogger()]))
        stack.callback(bar.close)
        yield bar
