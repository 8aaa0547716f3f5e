"""A report as an analyst opens it: the Chinese company file's customer-value report in Chromium.

The report is written with ``--lang zh`` from the GBK store export, served on 127.0.0.1 and opened at
1280 px with every request to another host aborted. It must load nothing from elsewhere, log no error,
show its Chinese headings as text and every chart as a loaded image; a screenshot is kept in
``build/screenshots/`` for a person to look at. (That the chart images themselves carry no missing
glyph is checked by ``tests/test_reports_charts.py``.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import DESKTOP, browser, open_page, served  # noqa: F401 (browser: a fixture)
from crm_lessons.reports import run_report

ROOT = Path(__file__).resolve().parents[1]
SALES = ROOT / "tests" / "fixtures" / "reports" / "门店销售_gbk.csv"
SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "value-zh"
    run_report("customer-value", SALES, out, lang="zh", as_of="2024-03-31",
               columns={"customer": "会员号", "date": "消费日期", "amount": "消费金额"})
    return out


def test_the_chinese_report_opens_offline_with_its_charts(report_dir, browser):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "客户价值" in html and "<img" in html
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with served(report_dir) as base, open_page(browser, DESKTOP) as (page, log):
        page.goto(base + "report.html")
        page.wait_for_load_state("networkidle")
        images = page.evaluate("() => [...document.images].map(i => [i.src, i.complete && i.naturalWidth])")
        heading = page.evaluate("() => document.querySelector('h1, h2').innerText")
        page.screenshot(path=str(SCREENSHOTS / "report-customer-value-zh.png"), full_page=False)
    assert log.external == [] and log.errors == []
    assert images and all(width and width > 600 for _, width in images), images
    assert any("\u4e00" <= ch <= "\u9fff" for ch in heading), heading
    assert (SCREENSHOTS / "report-customer-value-zh.png").stat().st_size > 20_000
