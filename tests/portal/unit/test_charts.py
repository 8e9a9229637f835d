"""The SVG charts: well-formed, accessible, escaped, script-free, with the figures as a table."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from services.portal.charts import Series, Texts, bar_chart, line_chart, nice_max, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(html: str) -> ET.Element:
    return ET.fromstring(html)  # the fragment is well-formed XML as well as HTML


def _svg(figure: ET.Element) -> ET.Element:
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    return svg


def test_a_bar_chart_has_a_title_a_description_and_one_bar_per_label():
    html = bar_chart("outbox", Texts("Outbox backlog", "Events waiting per service", category="Service"),
                     ["registry", "transfers"], [3, 0])
    figure = _parse(html)
    svg = _svg(figure)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "outbox-title outbox-desc"
    assert svg.find(f"{SVG}title").text == "Outbox backlog"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "Events waiting per service"  # type: ignore[union-attr]
    bars = svg.findall(f".//{SVG}rect")
    assert len(bars) == 1  # a zero draws no bar; the table still says 0
    rows = figure.findall(".//tbody/tr")
    assert [(r.find("th").text, r.find("td").text) for r in rows] == [("registry", "3"), ("transfers", "0")]


def test_stacked_bars_stack_each_series_and_share_one_scale():
    html = stacked_bar_chart("ages", Texts("By age", "Open requests", category="State"), ["proposed", "deficient"],
                             [Series("< 1 day", [2, 1]), Series("1–2 days", [2, 0]), Series("> 3 days", [0, 1])])
    svg = _svg(_parse(html))
    bars = svg.findall(f".//{SVG}g/{SVG}rect")
    heights = [float(r.get("height", 0)) for r in bars]
    assert len(bars) == 4
    assert abs(heights[0] + heights[1] - 2 * (heights[2] + heights[3])) < 0.2  # 4 versus 2, one axis
    assert {r.get("class") for r in bars} == {"chart-series-0", "chart-series-1", "chart-series-2"}
    assert "1–2 days" in html and "&gt; 3 days" in html  # escaped


def test_a_line_chart_draws_a_line_per_series_and_leaves_gaps_for_missing_figures():
    html = line_chart("prices", Texts("Settlement prices", "USD per allowance", category="Auction"),
                      ["2026-02", "2026-05", "2026-08"],
                      [Series("Current", [28.1, 29.5, 30.0]), Series("Advance", [27.6, None, 29.0])])
    svg = _svg(_parse(html))
    lines = svg.findall(f"{SVG}polyline")
    assert [line.get("class") for line in lines] == ["chart-series-0"]  # the gap splits Advance into points
    assert len(svg.findall(f"{SVG}circle")) == 5
    assert "28.10" in html and "–" in html


def test_text_is_escaped_and_there_is_no_script_or_inline_style():
    html = bar_chart("x<y", Texts("<script>alert(1)</script>", 'a "quoted" & <b>', category="k"),
                     ["<img src=x onerror=alert(1)>"], [1])
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "style=" not in html and "onerror=" not in html.replace("onerror=alert", "")  # only as escaped text
    assert 'id="x-y"' in html
    _parse(html)


def test_no_data_gives_a_sentence_not_an_empty_chart():
    html = line_chart("none", Texts("Results", "none yet", empty="No certified auction yet."), [], [])
    assert "No certified auction yet." in html and "<svg" not in html


def test_the_axis_maximum_is_a_round_number_at_or_above_the_largest_figure():
    assert [nice_max(v) for v in (0, 3, 7, 23, 240, 1001)] == [1.0, 5.0, 10.0, 25.0, 250.0, 2000.0]
