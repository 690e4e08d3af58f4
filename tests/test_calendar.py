"""WorkCalendar: tables of dates a reader can check on a calendar, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sup_sla_sync.core.calendar import CalendarRules, WorkCalendar, load_zone
from sup_sla_sync.errors import CalendarError

CAL = WorkCalendar()
ALMATY = load_zone("Asia/Almaty")


def local(text: str) -> datetime:
    """A wall time in Astana: '2025-01-06 10:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        ("2025-01-05", True, "Sunday, worked in exchange for Friday 2025-01-03"),
        ("2025-01-03", False, "Friday, a day off moved from Sunday 2025-01-05"),
        ("2024-05-04", True, "Saturday, worked by government decree"),
        ("2026-03-23", False, "Nauryz"),
        ("2026-03-24", False, "Nauryz"),
        ("2026-03-25", False, "Nauryz"),
        ("2026-03-26", True, "Thursday after Nauryz"),
        ("2025-01-01", False, "New Year"),
        ("2025-01-02", False, "New Year"),
        ("2025-01-06", True, "an ordinary Monday"),
        ("2025-01-07", False, "Orthodox Christmas"),
        ("2025-01-11", False, "an ordinary Saturday"),
        ("2025-12-16", False, "Independence Day"),
        ("2024-03-08", False, "International Women's Day"),
    ],
)
def test_working_days(day: str, working: bool, why: str) -> None:
    assert CAL.is_working_day(date.fromisoformat(day)) is working, why


def test_day_info_names_the_reason() -> None:
    assert CAL.day_info(date(2025, 1, 5)).reason == "transferred working day"
    assert CAL.day_info(date(2025, 1, 11)).reason == "weekend"
    assert (
        "Nowruz" in CAL.day_info(date(2026, 3, 23)).reason
        or "Наурыз" in CAL.day_info(date(2026, 3, 23)).reason
    )


def test_extra_days_from_configuration_override_the_package() -> None:
    cal = WorkCalendar(extra_holidays=[date(2025, 1, 6)], extra_workdays=[date(2025, 1, 11)])
    assert not cal.is_working_day(date(2025, 1, 6))
    assert cal.is_working_day(date(2025, 1, 11))
    assert cal.day_info(date(2025, 1, 6)).reason == "extra holiday (configuration)"
    assert cal.day_info(date(2025, 1, 11)).reason == "extra working day (configuration)"


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # The case from the issue: across the 2024-03-01 move from UTC+6 to UTC+5.
        ("2024-02-29 17:00", 120, "2024-03-01T10:00+05:00"),
        ("2024-02-29 10:00", 60, "2024-02-29T11:00+06:00"),
        # A due time at the very end of a day is that day's closing time.
        ("2025-01-06 09:00", 540, "2025-01-06T18:00+05:00"),
        ("2025-01-06 17:00", 60, "2025-01-06T18:00+05:00"),
        ("2025-01-13 17:00", 61, "2025-01-14T09:01+05:00"),
        # At night the clock starts at the next working minute.
        ("2025-01-13 22:30", 30, "2025-01-14T09:30+05:00"),
        ("2025-01-14 06:00", 15, "2025-01-14T09:15+05:00"),
        ("2025-01-06 17:00", 61, "2025-01-08T09:01+05:00"),  # Jan 7: Orthodox Christmas,
        # Friday evening to Monday morning.
        ("2025-01-10 17:30", 60, "2025-01-13T09:30+05:00"),
        # The New Year break and the Sunday worked in 2025: Dec 31 -> Jan 5.
        ("2024-12-31 17:00", 120, "2025-01-05T10:00+05:00"),
        # Two working days from Thursday noon before Nauryz 2026 (Mar 21-25 off).
        ("2026-03-19 12:00", 1080, "2026-03-26T12:00+05:00"),
        # Saturday 2024-05-04 worked (decree).
        ("2024-05-03 17:00", 120, "2024-05-04T10:00+05:00"),
        ("2025-01-06 10:00", 0, "2025-01-06T10:00+05:00"),
    ],
)
def test_add_working_minutes(start: str, minutes: int, due: str) -> None:
    assert CAL.format(CAL.add_working_minutes(local(start), minutes)) == due


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("2025-01-06 09:00", "2025-01-06 18:00", 540),
        ("2025-01-06 08:00", "2025-01-06 09:30", 30),
        ("2025-01-13 17:30", "2025-01-14 09:30", 60),
        ("2025-01-10 17:00", "2025-01-13 10:00", 120),  # the weekend does not count
        ("2024-12-31 17:00", "2025-01-05 10:00", 120),  # Jan 1-3 off, Sunday Jan 5 worked
        ("2024-02-29 17:00", "2024-03-01 10:00", 120),  # the time-zone change night
        ("2025-01-07 10:00", "2025-01-06 10:00", 0),  # end before start
        ("2025-01-11 10:00", "2025-01-12 17:00", 0),  # a weekend
    ],
)
def test_working_minutes(start: str, end: str, minutes: int) -> None:
    assert CAL.working_minutes(local(start), local(end)) == minutes


def test_hours_from_configuration() -> None:
    cal = WorkCalendar(work_start=time(8, 30), work_end=time(17, 30))
    assert cal.format(cal.add_working_minutes(local("2025-01-13 17:00"), 60)) == (
        "2025-01-14T09:00+05:00"
    )


def test_is_working_time_includes_the_closing_minute() -> None:
    assert CAL.is_working_time(local("2025-01-06 18:00"))
    assert not CAL.is_working_time(local("2025-01-06 18:01"))
    assert not CAL.is_working_time(local("2025-01-06 08:59"))
    assert not CAL.is_working_time(local("2025-01-11 12:00"))
    assert CAL.is_working_time(local("2025-01-05 12:00"))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        CAL.working_minutes(datetime(2025, 1, 6, 10), datetime(2025, 1, 6, 11))


def test_a_calendar_without_working_days_says_so() -> None:
    every_day = [date(2030, 1, 1) + timedelta(days=i) for i in range(800)]
    cal = WorkCalendar(extra_holidays=every_day)
    with pytest.raises(CalendarError, match="no working day"):
        cal.add_working_minutes(local("2030-01-01 10:00"), 60)


def test_zone_comes_from_tzdata_with_the_2024_change() -> None:
    assert datetime(2024, 2, 29, 12, tzinfo=ALMATY).utcoffset() == timedelta(hours=6)
    assert datetime(2024, 3, 1, 12, tzinfo=ALMATY).utcoffset() == timedelta(hours=5)


@pytest.mark.parametrize("bad", ["Mars/Olympus", "../etc/passwd", "", "Asia"])
def test_unknown_zone(bad: str) -> None:
    with pytest.raises(ValueError):
        load_zone(bad)


# --- properties --------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2023, 6, 1), max_value=datetime(2027, 6, 1), timezones=st.just(UTC)
)
budgets = st.integers(min_value=0, max_value=540 * 30)


@settings(max_examples=300, deadline=None)
@given(instants, budgets)
def test_adding_then_measuring_gives_back_the_minutes(start: datetime, minutes: int) -> None:
    due = CAL.add_working_minutes(start, minutes)
    assert CAL.working_minutes(start, due) == pytest.approx(minutes, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(instants, budgets, budgets)
def test_due_times_are_monotonic(start: datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert CAL.add_working_minutes(start, low) <= CAL.add_working_minutes(start, high)


@settings(max_examples=300, deadline=None)
@given(instants, st.integers(min_value=1, max_value=540 * 30))
def test_due_times_land_in_working_time(start: datetime, minutes: int) -> None:
    assert CAL.is_working_time(CAL.add_working_minutes(start, minutes))


@settings(max_examples=200, deadline=None)
@given(instants, instants, instants)
def test_measuring_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    total = CAL.working_minutes(a, c)
    assert total == pytest.approx(CAL.working_minutes(a, b) + CAL.working_minutes(b, c))


# --- mode "24x7": every minute of every day is working time -----------------------------

CAL_24X7 = WorkCalendar(mode="24x7")


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ("2025-01-13 17:00", 61, "2025-01-13T18:01+05:00"),  # past the regulation's 18:00
        ("2025-01-11 23:30", 60, "2025-01-12T00:30+05:00"),  # a Saturday, across midnight
        ("2025-01-01 10:00", 1440, "2025-01-02T10:00+05:00"),  # New Year's days count
        ("2024-12-31 17:00", 6780, "2025-01-05T10:00+05:00"),
        # The 2024-03-01 move from UTC+6 to UTC+5 repeats 23:00-24:00: an hour of wall time
        # after 23:30+06:00 is 23:30+05:00, the same local day.
        ("2024-02-29 23:30", 60, "2024-02-29T23:30+05:00"),
        ("2025-01-06 10:00", 0, "2025-01-06T10:00+05:00"),
    ],
)
def test_24x7_adds_plain_minutes(start: str, minutes: int, due: str) -> None:
    got = CAL_24X7.add_working_minutes(local(start), minutes)
    assert CAL_24X7.format(got) == due
    assert got == local(start).astimezone(UTC) + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("2025-01-06 08:00", "2025-01-06 09:30", 90),  # before the regulation's hours
        ("2025-01-13 17:30", "2025-01-14 09:30", 960),  # the night counts
        ("2025-01-11 10:00", "2025-01-12 17:00", 1860),  # a weekend counts
        ("2024-12-31 17:00", "2025-01-05 10:00", 6780),  # so do the New Year holidays
        ("2024-02-29 12:00", "2024-03-01 12:00", 1500),  # the 25-hour local day of 2024-02-29
        ("2025-01-07 10:00", "2025-01-06 10:00", 0),  # end before start
    ],
)
def test_24x7_measures_wall_clock_minutes(start: str, end: str, minutes: int) -> None:
    assert CAL_24X7.working_minutes(local(start), local(end)) == minutes


@pytest.mark.parametrize(
    "when", ["2025-01-11 03:00", "2025-01-01 23:59", "2025-01-07 00:00", "2025-01-06 18:01"]
)
def test_24x7_is_always_working_time(when: str) -> None:
    assert CAL_24X7.is_working_time(local(when))
    assert CAL_24X7.next_working_instant(local(when)) == local(when)


def test_24x7_day_info_says_so_for_every_day() -> None:
    cal = WorkCalendar(mode="24x7", extra_holidays=[date(2025, 1, 6)])
    days = list(cal.days(date(2025, 1, 1), date(2025, 1, 12)))
    assert len(days) == 12
    assert all(d.working and d.reason == "24x7" for d in days)  # holidays, weekends, extras


def test_24x7_comes_from_the_rules_and_an_unknown_mode_is_refused() -> None:
    assert WorkCalendar.from_rules(CalendarRules(mode="24x7")).is_working_day(date(2025, 1, 1))
    assert not WorkCalendar.from_rules(CalendarRules()).is_working_day(date(2025, 1, 1))
    with pytest.raises(CalendarError, match="'24/7'"):
        WorkCalendar(mode="24/7")


@settings(max_examples=200, deadline=None)
@given(instants, instants, budgets)
def test_24x7_is_wall_clock_arithmetic(a: datetime, b: datetime, minutes: int) -> None:
    a, b = sorted((a, b))
    assert CAL_24X7.working_minutes(a, b) == pytest.approx((b - a).total_seconds() / 60)
    assert CAL_24X7.add_working_minutes(a, minutes) == a + timedelta(minutes=minutes)
    assert CAL_24X7.is_working_time(a)
