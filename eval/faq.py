"""Evaluate the help-centre suggestions on eval/faq.jsonl against faq.example.toml.

Usage: PYTHONPATH=src python eval/faq.py [--split heldout|dev|all] [--verbose]

Each request is labelled with the article a person would link, or null when none fits.
Reported: the top-3 hit rate (the expected article among the first three suggestions, over
the requests that have one) and the wrong-suggestion rate (over all requests: a suggestion
for a request no article fits, or suggestions that leave out the expected article). The
held-out split is for reporting only: tune the matcher and the keywords against dev.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sup_sla_sync.adapters.faq_file import load_articles
from sup_sla_sync.core.faq import Article, suggest

DATA = Path(__file__).with_name("faq.jsonl")
ARTICLES = Path(__file__).resolve().parents[1] / "faq.example.toml"
SPLITS = ("heldout", "dev", "all")
TOP = 3  # `[faq] max_suggestions` by default


@dataclass(frozen=True)
class Result:
    id: str
    lang: str
    expected: str | None
    suggested: tuple[str, ...]
    matched: tuple[tuple[str, ...], ...]

    @property
    def hit(self) -> bool:
        return self.expected is not None and self.expected in self.suggested

    @property
    def wrong(self) -> bool:
        """Something was suggested, and not what a person would link."""
        return bool(self.suggested) and not self.hit


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]

    @property
    def answerable(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.expected is not None)

    @property
    def hits(self) -> int:
        return sum(r.hit for r in self.results)

    @property
    def top1(self) -> int:
        return sum(bool(r.suggested) and r.suggested[0] == r.expected for r in self.answerable)

    @property
    def wrong(self) -> int:
        return sum(r.wrong for r in self.results)

    @property
    def wrong_without_article(self) -> int:
        return sum(r.wrong for r in self.results if r.expected is None)

    @property
    def silent(self) -> int:
        """Requests with an article that got no suggestion at all."""
        return sum(not r.suggested for r in self.answerable)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def load(path: Path = DATA, split: str = "heldout") -> list[dict[str, str | None]]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def evaluate(rows: list[dict[str, str | None]], articles: tuple[Article, ...]) -> Report:
    results = []
    for row in rows:
        found = suggest(str(row["subject"]), str(row["description"]), articles, TOP)
        results.append(
            Result(
                id=str(row["id"]),
                lang=str(row["lang"]),
                expected=row["url"],
                suggested=tuple(s.article.url for s in found),
                matched=tuple(s.matched for s in found),
            )
        )
    return Report(tuple(results))


def render(report: Report, split: str, verbose: bool = False) -> str:
    n, answerable = len(report.results), len(report.answerable)
    without = n - answerable
    lines = [
        f"help-centre suggestions, split: {split}  ({n} requests: {answerable} with an article, "
        f"{without} without)",
        "",
        f"top-{TOP} hit rate: {_ratio(report.hits, answerable):.3f} ({report.hits} of "
        f"{answerable}); first suggestion right: {report.top1}",
        f"wrong-suggestion rate: {_ratio(report.wrong, n):.3f} ({report.wrong} of {n}: "
        f"{report.wrong_without_article} of {without} without an article got one, "
        f"{report.wrong - report.wrong_without_article} missed the article but suggested "
        "another)",
        f"no suggestion although an article fits: {report.silent}",
    ]
    by_lang: dict[str, list[Result]] = defaultdict(list)
    for r in report.results:
        by_lang[r.lang].append(r)
    for lang, rs in sorted(by_lang.items()):
        sub = Report(tuple(rs))
        lines.append(
            f"  {lang}: hit {_ratio(sub.hits, len(sub.answerable)):.3f} "
            f"({sub.hits}/{len(sub.answerable)}), wrong {sub.wrong}/{len(rs)}"
        )
    misses = [r for r in report.results if r.wrong or (r.expected and not r.hit)]
    if misses:
        lines += ["", "misses:"]
    for r in misses:
        got = ", ".join(u.rsplit("/", 1)[-1] for u in r.suggested) or "nothing"
        want = r.expected.rsplit("/", 1)[-1] if r.expected else "nothing"
        detail = f"  {r.matched}" if verbose else ""
        lines.append(f"  {r.id} expected={want} got={got}{detail}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="heldout")
    parser.add_argument("--verbose", action="store_true", help="show the keywords that matched")
    args = parser.parse_args(argv)
    report = evaluate(load(split=args.split), load_articles(ARTICLES))
    print(render(report, args.split, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
