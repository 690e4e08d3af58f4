"""Working time: Kazakh working days, 09:00-18:00 Astana time (regulation rule 5).

All arithmetic is done on UTC instants, one working window (a day) at a time, so a
target of several working days costs a handful of steps, never a loop over minutes.

In the "24x7" mode every day is a working day whose window is the whole day, midnight
to midnight: working minutes are wall-clock minutes, with no other code path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import holidays

from sup_sla_sync.errors import CalendarError

_ZONE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")
# How far to look for the next working day before declaring the calendar broken.
_MAX_DAYS_WITHOUT_WORK = 366
# `mode`: working hours on working days (the regulation), or every minute of every day.
HOURS = "hours"
ROUND_THE_CLOCK = "24x7"
MODES = (HOURS, ROUND_THE_CLOCK)


def load_zone(key: str) -> ZoneInfo:
    """The IANA zone from the `tzdata` package, never the system's possibly stale copy.

    Kazakhstan moved from UTC+6 to UTC+5 on 2024-03-01 (tz 2024a); older system data
    would put every time after that an hour off.
    """
    if not _ZONE_KEY.match(key):
        raise ValueError(f"{key!r} is not an IANA time zone name")
    try:
        ref = resources.files("tzdata").joinpath("zoneinfo", *key.split("/"))
        with ref.open("rb") as data:
            return ZoneInfo.from_file(data, key=key)
    except (OSError, ValueError):
        raise ValueError(f"{key!r} is not a time zone in the tzdata package") from None


@dataclass(frozen=True)
class CalendarRules:
    """What defines a working-time calendar; equal rules make equal calendars."""

    timezone: str = "Asia/Almaty"
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    country: str = "KZ"
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    mode: str = HOURS  # one of MODES


@dataclass(frozen=True)
class DayInfo:
    date: date
    working: bool
    reason: str


class WorkCalendar:
    """Working minutes between instants and instant plus working minutes."""

    def __init__(
        self,
        timezone: str = "Asia/Almaty",
        work_start: time = time(9, 0),
        work_end: time = time(18, 0),
        country: str = "KZ",
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        mode: str = HOURS,
    ) -> None:
        if mode not in MODES:
            raise CalendarError(f"mode {mode!r} is not one of {', '.join(map(repr, MODES))}")
        if work_start >= work_end:
            raise CalendarError("work_start must be before work_end")
        self.mode = mode
        self.zone = load_zone(timezone)
        self.work_start = work_start
        self.work_end = work_end
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._holidays = holidays.country_holidays(country)
        self._working: dict[date, bool] = {}
        self._windows: dict[date, tuple[datetime, datetime]] = {}

    @classmethod
    def from_rules(cls, rules: CalendarRules) -> WorkCalendar:
        return cls(
            timezone=rules.timezone,
            work_start=rules.work_start,
            work_end=rules.work_end,
            country=rules.country,
            extra_holidays=rules.extra_holidays,
            extra_workdays=rules.extra_workdays,
            mode=rules.mode,
        )

    @property
    def round_the_clock(self) -> bool:
        """Every minute of every day is working time (mode "24x7")."""
        return self.mode == ROUND_THE_CLOCK

    # --- days -------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        known = self._working.get(day)
        if known is None:
            if self.round_the_clock or day in self.extra_workdays:
                known = True
            elif day in self.extra_holidays:
                known = False
            else:
                # is_working_day() knows decreed transfers (Saturday 2024-05-04 worked).
                known = bool(self._holidays.is_working_day(day))
            self._working[day] = known
        return known

    def day_info(self, day: date) -> DayInfo:
        working = self.is_working_day(day)
        if self.round_the_clock:
            reason = ROUND_THE_CLOCK
        elif day in self.extra_workdays:
            reason = "extra working day (configuration)"
        elif day in self.extra_holidays:
            reason = "extra holiday (configuration)"
        elif day in self._holidays:
            reason = "; ".join(self._holidays.get_list(day))
        elif day.weekday() >= 5:
            reason = "transferred working day" if working else "weekend"
        else:
            reason = "working day"
        return DayInfo(day, working, reason)

    def days(self, since: date, until: date) -> Iterator[DayInfo]:
        day = since
        while day <= until:
            yield self.day_info(day)
            day += timedelta(days=1)

    # --- instants ---------------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        return _utc(instant).astimezone(self.zone)

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's working hours as UTC instants (whether or not it is a working day);
        in 24x7 mode the whole day, from its midnight to the next one."""
        found = self._windows.get(day)
        if found is None:
            if self.round_the_clock:
                start = datetime.combine(day, time(0), self.zone).astimezone(UTC)
                end = datetime.combine(day + timedelta(days=1), time(0), self.zone)
            else:
                start = datetime.combine(day, self.work_start, self.zone).astimezone(UTC)
                end = datetime.combine(day, self.work_end, self.zone)
            found = self._windows[day] = (start, end.astimezone(UTC))
        return found

    def is_working_time(self, instant: datetime) -> bool:
        """Inside a working window; its closing instant (18:00) counts as inside."""
        instant = _utc(instant)
        day = instant.astimezone(self.zone).date()
        if not self.is_working_day(day):
            return False
        start, end = self.window(day)
        return start <= instant <= end

    def _working_windows(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows in order, from the local day of `since` on."""
        day = since.astimezone(self.zone).date()
        idle = 0
        while True:
            if self.is_working_day(day):
                idle = 0
                yield self.window(day)
            else:
                idle += 1
                if idle > _MAX_DAYS_WITHOUT_WORK:
                    raise CalendarError(
                        f"no working day in the {_MAX_DAYS_WITHOUT_WORK} days after {day}"
                    )
            day += timedelta(days=1)

    def next_working_instant(self, instant: datetime) -> datetime:
        """`instant` itself if inside working time, else the next window's opening."""
        instant = _utc(instant)
        for start, end in self._working_windows(instant):
            if instant <= end:
                return max(start, instant)
        raise AssertionError("unreachable")  # pragma: no cover

    def working_seconds(self, start: datetime, end: datetime) -> float:
        start, end = _utc(start), _utc(end)
        if end <= start:
            return 0.0
        total = timedelta()
        for win_start, win_end in self._working_windows(start):
            if win_start >= end:
                break
            lo, hi = max(win_start, start), min(win_end, end)
            if hi > lo:
                total += hi - lo
        return total.total_seconds()

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """Working minutes between two instants (0 if end is not after start)."""
        return self.working_seconds(start, end) / 60

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The earliest instant by which `minutes` working minutes have passed since `start`.

        A budget that runs out exactly at a day's closing time ends there (Monday 09:00
        + 540 min is Monday 18:00, not Tuesday 09:00).
        """
        start = _utc(start)
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        remaining = timedelta(minutes=minutes)
        if not remaining:
            return start
        for win_start, win_end in self._working_windows(start):
            lo = max(win_start, start)
            if lo >= win_end:
                continue
            if remaining <= win_end - lo:
                return lo + remaining
            remaining -= win_end - lo
        raise AssertionError("unreachable")  # pragma: no cover

    def format(self, instant: datetime) -> str:
        """Local time with offset, ISO 8601 to the minute: 2026-12-17T10:30+05:00."""
        return self.local(instant).isoformat(timespec="minutes")


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: the SLA core needs aware instants")
    return instant.astimezone(UTC)
