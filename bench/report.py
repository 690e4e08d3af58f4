"""Markdown tables of bench/results-*.json, for BENCHMARKS.md.

.venv/bin/python bench/report.py [bench/results-2000.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _pass_row(m: dict[str, Any]) -> str:
    r = m["requests"]
    writes = ", ".join(f"{k} {v}" for k, v in sorted(m.get("writes", {}).items())) or "-"
    return (
        f"| {m['label']} | {m['wall']:.2f} | {m['cpu']:.2f} | {r.get('list_pages', 0)} "
        f"| {r.get('issue_reads', 0)} | {r.get('writes', 0)} | {r.get('other', 0)} "
        f"| {m['rss_mb']:.0f} | {writes} |"
    )


def render(data: dict[str, Any]) -> str:
    n, f = data["n"], data["figures"]
    out = [
        f"### N = {n:,}".replace(",", " "),
        "",
        f"`{data['command']}` at {data['local_time']} Almaty time "
        + ("(working hours)" if data["working_hours_at_run"] else "(outside working hours)")
        + f", product commit {data.get('product', {}).get('commit', '?')}; seeding "
        f"{data['seeding']['seconds']:.1f} s ({data['seeding']['counts']['journals']} journals).",
        "",
        "| pass | wall s | CPU s | list pages | journal reads | writes | other | RSS MB "
        "| writes by kind |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *(_pass_row(m) for m in data["passes"]),
        *(_pass_row(m) for m in data["floors"]),
        "",
        f"Warm / floor (medians): {f['warm_wall_median_s']:.2f} s / "
        f"{f['floor_wall_median_s']:.2f} s = **{f['warm_over_floor']:.2f}x**. "
        f"CPU per 10 000 issues: warm **{f['warm_cpu_per_10k_s']:.2f} s**, changed-1% "
        f"**{f['changed_cpu_per_10k_s']:.2f} s**, cold {f['cold_cpu_per_10k_s']:.1f} s. "
        f"RSS {f['rss_before_passes_mb']:.0f} MB before the passes, high-water "
        f"**{f['rss_high_water_mb']:.0f} MB** (+{f['rss_growth_kb_per_issue']:.1f} KB per issue)",
    ]
    probe = data.get("memory_probe") or {}
    if probe:
        held = probe["warm_pass"]["traced_retained_mb"]
        peak = max(probe["first_pass"]["traced_peak_mb"], probe["warm_pass"]["traced_peak_mb"])
        out[-1] += f"; tracemalloc: {held:.1f} MB held between passes, peak {peak:.1f} MB."
    return "\n".join(out)


def targets(data: dict[str, Any]) -> str:
    return (
        "Targets: "
        + "; ".join(
            f"{name} **{'met' if ok else 'MISSED'}**" for name, ok in data["targets"].items()
        )
        + "."
    )


def scaling(runs: list[dict[str, Any]]) -> str:
    """One row per N: how the figures grow with the tracker."""
    out = [
        "| N | floor s | warm s | warm / floor | warm CPU s | CPU s per 10 000 (warm / 1% changed)"
        " | RSS high-water MB | RSS growth KB/issue | held between passes MB (tracemalloc) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for data in runs:
        f = data["figures"]
        held = (data.get("memory_probe") or {}).get("warm_pass", {}).get("traced_retained_mb")
        out.append(
            f"| {data['n']} | {f['floor_wall_median_s']:.2f} | {f['warm_wall_median_s']:.2f} "
            f"| {f['warm_over_floor']:.2f} | {f['warm_cpu_median_s']:.2f} "
            f"| {f['warm_cpu_per_10k_s']:.2f} / {f['changed_cpu_per_10k_s']:.2f} "
            f"| {f['rss_high_water_mb']:.0f} | {f['rss_growth_kb_per_issue']:.1f} "
            f"| {'-' if held is None else f'{held:.1f}'} |"
        )
    return "\n".join(out)


def main() -> int:
    paths = [Path(p) for p in sys.argv[1:]] or sorted(
        HERE.glob("results-*.json"), key=lambda p: json.loads(p.read_text())["n"]
    )
    runs = [json.loads(p.read_text()) for p in paths]
    print(scaling(runs))
    print()
    print("\n\n".join(render(data) + "\n\n" + targets(data) for data in runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
