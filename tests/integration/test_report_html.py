"""`report` against the real Redmine: grouped by assignee and contract policy (JSON counts
of the issues created here), and the HTML page in a real headless browser (SPEC.md, CLI:
`report`).

Two fresh projects; `[[policies]]` "contract-a" matches the first, so its issues carry
that policy and the second's the defaults. The round-the-clock calendar makes working
minutes wall-clock minutes: an issue created 11 hours ago without an answer has missed
its basic first response (540 min), whatever the hour the test runs at.

The page is checked in Debian's `chromium` (installed by the session fixture below when
missing, as root on a fresh CI machine; never skipped): a copy of the page gets a small
script that measures every text-bearing element, table cell and chart label and writes
its verdict into the DOM (`--dump-dom`); a page made to be cut proves the script sees a
cut. Every issue link is followed on the real tracker.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from slaharness import ALMATY, SlaHarness, now_minute

HOUR = timedelta(hours=1)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,2200",
)


# --------------------------------------------------------------------------- chromium
def _install_chromium() -> None:
    """Debian's chromium, through the same waiting install as the other services (CI runs
    as root on a fresh machine)."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "services" / "chromium.sh"
    done = subprocess.run([str(script)], capture_output=True, timeout=2400, check=False)
    if done.returncode != 0:
        pytest.fail(
            "chromium is missing and scripts/services/chromium.sh failed "
            f"(exit {done.returncode}):\n{done.stderr.decode(errors='replace')[-3000:]}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's chromium, installed if missing."""
    path = shutil.which("chromium")
    if path is None:
        _install_chromium()
        path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not on PATH after installing it", pytrace=False)
    return path


def _browse(chromium: str, page: Path, tmp_path: Path, *actions: str) -> str:
    profile = tmp_path / f"chromium-profile-{page.stem}"
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *actions, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"chromium exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


# What the browser checks, injected into a copy of the page: every element holding text
# (its nearest block box for inline ones) shows all of it, stays inside the window, and
# every SVG text lies inside its chart's viewBox; JS errors are recorded. The verdict goes
# into <pre id="verdict"> for --dump-dom.
CHECKER = """
<script>
(function () {
  var errors = [], problems = [], boxes = 0, labels = 0;
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  function name(el) {
    return el.tagName.toLowerCase() + ': ' + (el.textContent || '').trim().slice(0, 60);
  }
  try {
    var width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      problems.push('page wider than the window: ' + document.documentElement.scrollWidth);
    }
    var seen = new Set();
    document.querySelectorAll('body *').forEach(function (el) {
      if (el.closest('svg') || el.tagName === 'SCRIPT') { return; }
      var text = Array.prototype.some.call(el.childNodes, function (n) {
        return n.nodeType === 3 && n.textContent.trim();
      });
      if (!text) { return; }
      var box = el;
      while (getComputedStyle(box).display === 'inline' && box.parentElement) {
        box = box.parentElement;
      }
      if (seen.has(box)) { return; }
      seen.add(box);
      boxes += 1;
      var r = box.getBoundingClientRect();
      if (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1) {
        problems.push('cut: ' + name(box));
      }
      if (r.left < -1 || r.right > width + 1) { problems.push('outside: ' + name(box)); }
    });
    document.querySelectorAll('svg').forEach(function (svg) {
      var vb = svg.viewBox.baseVal;
      var parent = svg.parentElement.getBoundingClientRect(), own = svg.getBoundingClientRect();
      if (own.right > parent.right + 1 || own.left < parent.left - 1) {
        problems.push('chart wider than its figure: ' + svg.getAttribute('aria-label'));
      }
      svg.querySelectorAll('text').forEach(function (t) {
        labels += 1;
        var b = t.getBBox();
        if (b.width <= 0 || b.x < vb.x - 0.5 || b.y < vb.y - 0.5 ||
            b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5) {
          problems.push('chart label cut: ' + t.textContent);
        }
      });
    });
  } catch (e) {
    errors.push(String(e));
  }
  var out = document.createElement('pre');
  out.id = 'verdict';
  out.textContent = JSON.stringify({errors: errors, problems: problems, boxes: boxes,
                                    labels: labels});
  document.body.appendChild(out);
})();
</script>
"""


def _verdict(chromium: str, page_html: str, tmp_path: Path, stem: str) -> dict[str, Any]:
    """The checker's verdict on `page_html` in the browser."""
    assert page_html.count("</body>") == 1
    copy = tmp_path / f"{stem}.checked.html"
    copy.write_text(page_html.replace("</body>", CHECKER + "</body>"), encoding="utf-8")
    dom = _browse(chromium, copy, tmp_path, "--dump-dom")
    found = re.search(r'<pre id="verdict">(.*?)</pre>', dom, re.S)
    assert found, f"no verdict in the dumped DOM:\n{dom[-2000:]}"
    verdict: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return verdict


# --------------------------------------------------------------------------- the issues
def _issues(sla: SlaHarness, contract: str, other: str) -> dict[str, Any]:
    """Seven issues: six in the period, one created five days ago."""
    now = now_minute()
    create = sla.create

    def ago(hours: float) -> Any:
        return now - hours * HOUR

    ids = {
        # contract-a: answered and resolved under agent1.
        "a1": create(
            "client1",
            "Как подписать документ?",
            ago(3),
            project=contract,
            assigned_to="agent1",
            journals=[(ago(2.5), "agent1", {"notes": "Готово.", "status": "Resolved"})],
        ),
        # contract-a: agent1, handed to agent2, who resolves it; given to lead1 afterwards.
        "a2": create(
            "client1",
            "Не работает подпись",
            ago(4),
            project=contract,
            assigned_to="agent1",
            journals=[
                (ago(3.5), "agent1", {"assigned_to": "agent2"}),
                (ago(3), "agent2", {"notes": "Fixed.", "status": "Resolved"}),
                (ago(2), "agent2", {"assigned_to": "lead1"}),
            ],
        ),
        # contract-a: nobody's, unanswered for 11 hours: breached.
        "a3": create("client2", "Where is my invoice?", ago(11), project=contract),
        # defaults: agent2's, open for an hour.
        "b1": create("client1", "Вопрос по отчёту", ago(1), project=other, assigned_to="agent2"),
        # defaults: agent1's, unanswered for 12 hours: breached.
        "b2": create("client2", "Urgent question", ago(12), project=other, assigned_to="agent1"),
        # defaults: nobody's, open for two hours.
        "b3": create("client1", "Есть вопрос", ago(2), project=other),
        # before --since: not in the report.
        "old": create("client1", "Old one", ago(5 * 24), project=other, assigned_to="agent1"),
    }
    local_today = now.astimezone(ALMATY).date()
    return {
        "ids": ids,
        "since": (local_today - timedelta(days=3)).isoformat(),
        "until": local_today.isoformat(),
    }


def _config(sla: SlaHarness, contract: str, other: str, language: str = "ru") -> Path:
    path = sla.config([contract, other], round_the_clock=True, language=language)
    policy = f'\n[[policies]]\nname = "contract-a"\nprojects = ["{contract}"]\n'
    path.write_text(path.read_text(encoding="utf-8") + policy, encoding="utf-8")
    return path


@pytest.fixture
def period(sla: SlaHarness) -> dict[str, Any]:
    contract, other = sla.new_project(), sla.new_project()
    made = _issues(sla, contract, other)
    made["config"] = _config(sla, contract, other)
    return made


def _report(sla: SlaHarness, period: dict[str, Any], *args: str) -> Any:
    result = sla.run(
        period["config"], "report", "--since", period["since"], "--until", period["until"], *args
    )
    assert result.rc == 0, str(result)
    return result


# --------------------------------------------------------------------------- the tests
def test_report_by_assignee_and_policy_counts_the_issues(
    sla: SlaHarness, period: dict[str, Any]
) -> None:
    report = _report(sla, period, "--by", "assignee,policy", "--format", "json").json()
    ids = period["ids"]
    groups = [(g["assignee"], g["policy"], g["count"]) for g in report["groups"]]
    # a2 counts for agent2 (assignee when it was resolved), not lead1 (assignee now); the
    # old issue is outside the period; unassigned (null) last, the defaults ("") first.
    assert groups == [
        ("agent1", "", 1),  # b2
        ("agent1", "contract-a", 1),  # a1
        ("agent2", "", 1),  # b1
        ("agent2", "contract-a", 1),  # a2
        (None, "", 1),  # b3
        (None, "contract-a", 1),  # a3
    ]
    assert report["breached"] == sorted([ids["a3"], ids["b2"]])
    assert list(report["groups"][0]) == [
        "assignee",
        "policy",
        "count",
        "first_response_met_pct",
        "resolution_met_pct",
        "median_first_response_minutes",
        "median_resolution_minutes",
    ]
    resolved = next(g for g in report["groups"] if g["assignee"] == "agent1" and g["policy"])
    assert (resolved["first_response_met_pct"], resolved["resolution_met_pct"]) == (100.0, 100.0)
    assert resolved["median_first_response_minutes"] == 30.0  # answered after 30 min (24x7)


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_report_html_in_a_real_browser(
    sla: SlaHarness, period: dict[str, Any], chromium: str, tmp_path: Path, language: str
) -> None:
    page = tmp_path / f"report-{language}.html"
    args = ("--by", "assignee,policy", "--format", "html", "--language", language)
    _report(sla, period, *args, "--output", str(page))
    text = page.read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in text
    assert "<script" not in text.lower()

    verdict = _verdict(chromium, text, tmp_path, page.stem)
    assert verdict["errors"] == []
    assert verdict["problems"] == []
    assert verdict["boxes"] > 40 and verdict["labels"] > 20  # the check saw the page

    # Every issue number links to that issue on the tracker, and the link works.
    dom = _browse(chromium, page, tmp_path, "--dump-dom")
    links = re.findall(r'<a href="([^"]+)">(\d+)</a>', dom)
    breached = sorted([period["ids"]["a3"], period["ids"]["b2"]])
    assert links == [(f"{sla.rm.url}/issues/{i}", str(i)) for i in breached]
    for href, number in links:
        got = requests.get(href, headers={"X-Redmine-API-Key": sla.rm.admin_key}, timeout=30)
        assert got.status_code == 200, href
        assert f"#{number}" in got.text

    shot = tmp_path / f"report-{language}.png"
    _browse(chromium, page, tmp_path, f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000
    keep = os.environ.get("SUP_SLA_KEEP_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / shot.name)


def test_the_browser_check_sees_a_cut_text(chromium: str, tmp_path: Path) -> None:
    """The checker is not blind: a clipped cell and a label outside its chart are found."""
    page = (
        "<!DOCTYPE html><html><body><table><tr>"
        '<td style="max-width:30px;overflow:hidden;white-space:nowrap">a text too long</td>'
        '</tr></table><figure><svg viewBox="0 0 100 40" width="100" height="40">'
        '<text x="90" y="20">outside</text></svg></figure></body></html>'
    )
    verdict = _verdict(chromium, page, tmp_path, "cut")
    assert verdict["errors"] == []
    assert verdict["problems"] == [
        "cut: td: a text too long",
        "chart label cut: outside",
    ]
