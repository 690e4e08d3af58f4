"""No input stalls a pass or ends in a traceback (SPEC.md, principle 8): lying pages,
malformed bodies, huge texts, numbers that look like leet words."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from sup_sla_sync.adapters.redmine import RedmineAdapter
from sup_sla_sync.adapters.redmine.transport import MAX_PAGES, PAGE_SIZE
from sup_sla_sync.core.classify import (
    MAX_EXAMINED,
    classify_category,
    suggest_priority,
    urgency_words,
)
from sup_sla_sync.core.intake.language import offensive_words
from sup_sla_sync.errors import TrackerError
from test_redmine_adapter import (
    URL,
    add_directory,
    add_issue_reads,
    issue_json,
    listing,
    rsps,
    settings,
)

__all__ = ["rsps"]


@pytest.fixture
def adapter() -> RedmineAdapter:
    return RedmineAdapter(settings(), sleep=lambda _: None)


def _pages(rsps: responses.RequestsMock, answer) -> list[int]:
    offsets: list[int] = []

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        offset = int(request.params.get("offset", 0))  # type: ignore[attr-defined]
        offsets.append(offset)
        return 200, {}, json.dumps(answer(offset))

    rsps.add_callback(responses.GET, f"{URL}/issues.json", callback=callback)
    return offsets


def test_a_lying_total_count_with_the_same_page_again_ends_the_listing(
    rsps: responses.RequestsMock, adapter: RedmineAdapter
) -> None:
    """total_count 10^12 and the same issue on every page: the second page brings nothing
    new, so the listing ends (it looped at ~60,000 requests a minute)."""
    add_directory(rsps)
    add_issue_reads(rsps, {1: issue_json(1)})
    offsets = _pages(rsps, lambda offset: listing([issue_json(1)], total=10**12, offset=offset))
    got = list(adapter.iter_issues([], None))
    assert [s.id for s in got] == [1]
    assert offsets == [0, 1]


def test_a_lying_total_count_with_new_items_stops_at_the_page_cap(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    add_directory(rsps)
    offsets = _pages(
        rsps,
        lambda offset: {"issues": [{"id": 10**6 + offset}], "total_count": 10**12},
    )
    transport = adapter._transport
    items = list(transport.pages("/issues.json", "issues", {}, kind="list_pages", what="listing"))
    assert len(items) == MAX_PAGES and len(offsets) == MAX_PAGES
    assert f"more than {MAX_PAGES} pages" in caplog.text and "/issues.json" in caplog.text
    assert MAX_PAGES * PAGE_SIZE >= 100_000  # ten times the largest benchmarked tracker


@pytest.mark.parametrize("total", ["abc", -5, [3], {"n": 1}, True])
def test_a_total_count_that_is_no_count_is_an_error_naming_the_listing(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, total: object
) -> None:
    add_directory(rsps)
    rsps.get(f"{URL}/issues.json", json={"issues": [issue_json(1)], "total_count": total})
    with pytest.raises(TrackerError, match=r"listing issues: unexpected answer \(total_count"):
        list(adapter.iter_issues([], None))


@pytest.mark.parametrize("body", [{"issues": "x"}, {"issues": [1, 2]}, {"nothing": []}])
def test_a_listing_that_is_no_list_of_objects_is_an_error(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, body: dict
) -> None:
    add_directory(rsps)
    rsps.get(f"{URL}/issues.json", json=body)
    with pytest.raises(TrackerError, match="listing issues: unexpected answer"):
        list(adapter.iter_issues([], None))


def test_an_issue_without_an_id_is_skipped_and_the_rest_listed(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    add_directory(rsps)
    add_issue_reads(rsps, {1: issue_json(1), 3: issue_json(3)})
    nameless = issue_json(2)
    del nameless["id"]
    rows = [issue_json(1), nameless, {**issue_json(4), "id": "4; DROP"}, issue_json(3)]
    rsps.get(f"{URL}/issues.json", json=listing(rows, total=4))
    got = list(adapter.iter_issues([], None))
    assert [s.id for s in got] == [1, 3]
    assert "an issue without a valid id" in caplog.text


@pytest.mark.parametrize(
    ("journal", "said"),
    [
        ({"notes": ["[sla:reopen]", "x"]}, "journal 5's notes is a list, not text"),
        ({"notes": 42}, "journal 5's notes is a int, not text"),
        ({"created_on": "yesterday"}, "Invalid isoformat string"),
        ({"created_on": None}, "a time is a NoneType, not text"),
    ],
)
def test_a_malformed_journal_fails_its_issue_only(
    rsps: responses.RequestsMock, adapter: RedmineAdapter, journal: dict, said: str
) -> None:
    add_directory(rsps)
    base = {"id": 5, "user": {"id": 20}, "created_on": "2025-01-13T05:00:00Z", "details": []}
    broken = issue_json(2, journals=[{**base, **journal}])
    add_issue_reads(rsps, {1: issue_json(1), 2: broken})
    rsps.get(f"{URL}/issues.json", json=listing([issue_json(1), issue_json(2)], total=2))
    failed: list[tuple[int, str]] = []
    got = adapter.iter_issues([], None, on_error=lambda i, e: failed.append((i, str(e))))
    assert [s.id for s in got] == [1]
    ((issue_id, error),) = failed
    assert issue_id == 2 and error.startswith("issue 2: unexpected answer: ") and said in error


# --- huge and tricky texts ---------------------------------------------------------------


def test_a_5_mb_description_is_examined_up_to_the_bound() -> None:
    """The words past MAX_EXAMINED characters are not looked at (the scan is bounded); the
    words before it still decide. Timing is a benchmark: bench/hostile_input.py."""
    filler = "Как подписать документ? " * (MAX_EXAMINED // 24 + 1)
    late = filler + "срочно ошибка 500 не работает"
    assert len(late) > MAX_EXAMINED and len(filler * 160) > 5_000_000
    assert suggest_priority(late) is None
    assert suggest_priority("срочно! " + filler * 160) == "urgent"
    assert classify_category("Вопрос", filler * 160).category == "consultation"
    assert classify_category("Вопрос", "ошибка 500 " + filler * 160).category == "defect"


def test_the_urgency_scan_keeps_negations_with_many_hits() -> None:
    text = " ".join(["не срочно"] * 20_000 + ["срочно"])
    assert suggest_priority(text) is None  # the last one lies past the bound
    assert urgency_words("очень срочно, " * 3) == ("срочно",)
    assert urgency_words("не очень срочно") == ()


@pytest.mark.parametrize("text", ["455", "4555", "код ошибки 455", "тел 8 701 455 45 55"])
def test_numbers_are_not_obscene(text: str) -> None:
    assert offensive_words(text) == []


def test_a_word_typed_with_digits_still_is() -> None:
    assert offensive_words("a55") != []


def test_the_faq_file_is_read_with_a_size_cap(tmp_path) -> None:
    from pathlib import Path

    from sup_sla_sync.adapters.faq_file import MAX_FAQ_BYTES, load_articles
    from sup_sla_sync.errors import ConfigError

    with pytest.raises(ConfigError, match=r"faq\.file: /dev/zero: larger than 4 MiB"):
        load_articles(Path("/dev/zero"))
    big = tmp_path / "faq.toml"
    big.write_bytes(b"#" * (MAX_FAQ_BYTES + 1))
    with pytest.raises(ConfigError, match="larger than"):
        load_articles(big)
