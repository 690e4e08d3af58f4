"""Help-centre suggestions (`[faq] file`) against the real Redmine: a consultation not
yet answered by staff gets one private `[sla:faq]` note listing the matching articles
(`- Title: URL`), once; a consultation that matches no article gets none.

The Russian tracker `edoc-ru` with the Russian configuration, the round-the-clock
calendar (`mode = "24x7"`) so the first-response clock runs whatever the hour, and the
repository's `faq.example.toml` as the help centre.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

from slaharness import SlaHarness, now_minute

FAQ_FILE = Path(__file__).resolve().parents[2] / "faq.example.toml"
COUNTERPARTIES_URL = "https://edoc.kz/help/counterparties"


def _article(url: str) -> dict:
    articles = tomllib.loads(FAQ_FILE.read_text(encoding="utf-8"))["article"]
    (article,) = [a for a in articles if a["url"] == url]
    return article


def _config(sla: SlaHarness) -> Path:
    return sla.config(
        ["edoc-ru"],
        russian=True,
        language="ru",
        round_the_clock=True,
        overrides={"faq": {"file": str(FAQ_FILE)}},
    )


def _consultation(sla: SlaHarness, subject: str, description: str) -> int:
    """A consultation by client1, created 10 minutes ago, with no staff answer."""
    return sla.create(
        "client1",
        subject,
        now_minute() - timedelta(minutes=10),
        description=description,
        project="edoc-ru",
        tracker="Консультация",
        priority="Обычный",
    )


def _faq_notes(sla: SlaHarness, issue_id: int) -> list[dict]:
    return [j for j in sla.rm.journals(issue_id) if (j.get("notes") or "").startswith("[sla:faq]")]


def test_matching_consultation_gets_one_private_faq_note(sla: SlaHarness) -> None:
    """«Как добавить контрагента?»: after sync one private `[sla:faq]` note by sla-bot
    holding the article's `- Title: URL` line; a second sync adds no journal."""
    article = _article(COUNTERPARTIES_URL)
    config = _config(sla)
    issue_id = _consultation(
        sla, "Как добавить контрагента?", "Не могу найти, где добавить нового контрагента."
    )

    first = sla.sync(config, issue_id)

    assert first["errors"] == [], first
    (note,) = _faq_notes(sla, issue_id)
    assert note["private_notes"] is True
    assert note["user"]["id"] == sla.rm.user_id("sla-bot")
    assert article["title"] in note["notes"] and article["url"] in note["notes"]
    assert f"- {article['title']}: {article['url']}" in note["notes"], note["notes"]

    journals = sla.rm.journal_ids(issue_id)
    second = sla.sync(config, issue_id)

    assert second["errors"] == [], second
    assert sla.rm.journal_ids(issue_id) == journals
    assert [j["id"] for j in _faq_notes(sla, issue_id)] == [note["id"]]


def test_consultation_matching_no_article_gets_no_faq_note(sla: SlaHarness) -> None:
    """«Спасибо за помощь»: the pass succeeds and writes no `[sla:faq]` note."""
    config = _config(sla)
    issue_id = _consultation(sla, "Спасибо за помощь", "Спасибо за помощь!")

    summary = sla.sync(config, issue_id)

    assert summary["errors"] == [], summary
    assert _faq_notes(sla, issue_id) == []
