"""The KPI month table's cells, written in Python: a hundred operators with four
KPIs each, every one with its sparkline, took most of the page's time through
the template engine. Every value goes through format_html."""

from functools import lru_cache

from django import template
from django.utils.html import format_html, format_html_join

from reports.selectors_kpi import line_chart

register = template.Library()


def _flag(state: str, met_text: str, missed_text: str) -> str:
    """✓ or ▼ with its words for screen readers (the colour is not all)."""
    if state == "met":
        return format_html(
            ' <span class="sb-kpi-flag">✓ <span class="visually-hidden">{}</span></span>', met_text
        )
    if state == "missed":
        return format_html(
            ' <span class="sb-kpi-flag">▼ <span class="visually-hidden">{}</span></span>',
            missed_text,
        )
    return ""


@lru_cache(maxsize=4096)
def _spark(series: tuple, target) -> str:
    """A 12-month sparkline (reports.selectors_kpi.line_chart), or "". The
    same series draws the same line: months gone by do not change often, so
    most of a table's four hundred lines are drawn once per process."""
    line = line_chart(series, target=target)
    if line.empty:
        return ""
    target = (
        format_html(
            '<line class="sb-kpi-target" x1="0" x2="96" y1="{}" y2="{}"/>',
            line.target_y,
            line.target_y,
        )
        if line.target_y is not None
        else ""
    )
    polylines = format_html_join(
        "", '<polyline class="sb-kpi-line" points="{}"/>', ((p,) for p in line.segments)
    )
    last = line.dots[-1]
    return format_html(
        '<svg class="sb-kpi-spark" viewBox="0 0 96 20" width="96" height="20" '
        'aria-hidden="true">{}{}<circle class="sb-kpi-dot" cx="{}" cy="{}" r="2"/></svg>',
        target,
        polylines,
        last["x"],
        last["y"],
    )


def _cell(cell, met_text, missed_text) -> str:
    measure = cell["measure"]
    details = format_html_join(
        "",
        '<td class="small text-nowrap{}">{}</td>',
        ((f" {d['css']}" if d.get("css") else "", d["text"]) for d in cell["details"]),
    )
    return format_html(
        '<td><span class="sb-kpi-value sb-kpi-{}" data-kpi="{}" data-state="{}">{}</span>'
        "{}\n{}</td>{}",
        measure.state,
        measure.key,
        measure.state,
        measure.text,
        _flag(measure.state, met_text, missed_text),
        _spark(cell["series"], cell["target"]),
        details,
    )


@register.simple_tag
def kpi_cells(cells, met_text, missed_text):
    """A row's KPI cells (reports.selectors_kpi._month_cells) as <td>s."""
    return format_html_join("", "{}", ((_cell(c, met_text, missed_text),) for c in cells))
