"""Evaluate the keyword classifier on eval/requests.jsonl, then the help-centre
suggestions on eval/faq.jsonl (eval/faq.py).

Usage: PYTHONPATH=src python eval/run.py [--split heldout|dev|all] [--verbose]

The held-out split is for reporting only: tune the word tables against dev.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import faq  # eval/faq.py, beside this script

from sup_sla_sync.core.classify import classify_category
from sup_sla_sync.core.model import Category

DATA = Path(__file__).with_name("requests.jsonl")
SPLITS = ("heldout", "dev", "all")


@dataclass(frozen=True)
class Result:
    id: str
    lang: str
    expected: Category
    predicted: Category
    score: float
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]

    @property
    def accuracy(self) -> float:
        return _ratio(sum(r.expected == r.predicted for r in self.results), len(self.results))

    def per_category(self) -> dict[Category, tuple[float, float, float, int]]:
        """Precision, recall, F1 and support of each category."""
        out: dict[Category, tuple[float, float, float, int]] = {}
        for cat in Category:
            tp = sum(r.expected == cat and r.predicted == cat for r in self.results)
            predicted = sum(r.predicted == cat for r in self.results)
            support = sum(r.expected == cat for r in self.results)
            p, rc = _ratio(tp, predicted), _ratio(tp, support)
            f1 = _ratio(2 * p * rc, p + rc)
            out[cat] = (p, rc, f1, support)
        return out

    def per_language(self) -> dict[str, tuple[float, int]]:
        by_lang: dict[str, list[Result]] = defaultdict(list)
        for r in self.results:
            by_lang[r.lang].append(r)
        return {lang: (Report(tuple(rs)).accuracy, len(rs)) for lang, rs in sorted(by_lang.items())}

    @property
    def misclassified(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.expected != r.predicted)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def load(path: Path = DATA, split: str = "heldout") -> list[dict[str, str]]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def evaluate(rows: list[dict[str, str]]) -> Report:
    results = []
    for row in rows:
        guess = classify_category(row["subject"], row["description"])
        results.append(
            Result(
                id=row["id"],
                lang=row["lang"],
                expected=Category(row["category"]),
                predicted=guess.category,
                score=guess.score,
                matched=guess.matched,
            )
        )
    return Report(tuple(results))


def render(report: Report, split: str, verbose: bool = False) -> str:
    lines = [f"split: {split}  ({len(report.results)} requests)", ""]
    lines.append(f"{'category':<14}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
    for cat, (p, rc, f1, support) in report.per_category().items():
        lines.append(f"{cat.value:<14}{p:>10.3f}{rc:>10.3f}{f1:>10.3f}{support:>10d}")
    lines.append("")
    lines.append(f"accuracy: {report.accuracy:.3f}")
    for lang, (acc, n) in report.per_language().items():
        lines.append(f"  {lang}: {acc:.3f} ({n})")
    lines.append("")
    wrong = report.misclassified
    counts = Counter(r.expected for r in wrong)
    lines.append(
        f"misclassified: {len(wrong)}"
        + "".join(
            f"  [{c.value} read as the other category: {n}]" for c, n in sorted(counts.items())
        )
    )
    for r in wrong:
        detail = f"  score={r.score:+.1f} {', '.join(r.matched)}" if verbose else ""
        lines.append(f"  {r.id} expected={r.expected.value}{detail}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="heldout")
    parser.add_argument("--verbose", action="store_true", help="show the cues of each miss")
    args = parser.parse_args(argv)
    print(render(evaluate(load(split=args.split)), args.split, args.verbose))
    print()
    return faq.main(["--split", args.split, *(["--verbose"] if args.verbose else [])])


if __name__ == "__main__":
    sys.exit(main())
