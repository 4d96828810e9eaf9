"""Counts of complaints by category and by product over time, as a stacked
bar chart drawn in SVG by a template (messages_app/partials/_complaint_chart.html)
and as the same figures in a table beneath it.

Everything here is plain numbers and texts: the template escapes every value
it writes, so no markup is built in Python. Periods are local months, or
weeks for ranges of up to MAX_WEEKLY_DAYS; the busiest TOP_SERIES categories
(or products) are drawn each in its colour, the rest as "Other"."""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from messages_app.selectors_complaints import MONTH, WEEK, Counts
from switchboard.dates import add_months, month_start

MAX_WEEKLY_DAYS = 63  # nine weeks: a longer range is counted per month
MAX_MONTHS = 60
DEFAULT_MONTHS = 12
TOP_SERIES = 8
OTHER = "other"

# The drawing, in SVG user units (the SVG scales to the page's width).
WIDTH, HEIGHT = 960, 230
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 30
BAR_SHARE = 0.72  # of a period's width
LABEL_WIDTH = 56  # a period's label, so that labels never overlap


def default_range(last: date) -> tuple[date, date]:
    """The last DEFAULT_MONTHS months up to `last`, from the first of a month."""
    return add_months(month_start(last), 1 - DEFAULT_MONTHS), last


def periods_for(first: date, last: date) -> tuple[str, list[date]]:
    """Weeks (Monday starts) for a short range, else months; their starts."""
    if (last - first).days < MAX_WEEKLY_DAYS:
        start = first - timedelta(days=first.weekday())
        starts = []
        while start <= last:
            starts.append(start)
            start += timedelta(days=7)
        return WEEK, starts
    start, starts = month_start(first), []
    while start <= last:
        starts.append(start)
        start = add_months(start, 1)
    return MONTH, starts


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def period_label(kind: str, start: date) -> str:
    return date_format(start, "j M" if kind == WEEK else "M Y")


@dataclass
class Series:
    key: str  # an id, "none" or OTHER
    label: str
    values: list[int]
    css: str = ""

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class Chart:
    """A stacked bar chart: bars (one per period) of segments (one per series)."""

    title: str
    kind: str
    labels: list[str]
    series: list[Series]
    totals: list[int]
    grand_total: int
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    x_labels: list[dict] = field(default_factory=list)


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def build_chart(
    counts: Counts,
    by: str,
    names: dict[str, str],
    *,
    kind: str,
    starts: list[date],
    title: str,
    none: str,
) -> Chart:
    """The chart and table of `counts` by "category" or "product" (`by`) over
    the periods `starts`: the busiest TOP_SERIES series by name (`names`: id
    -> name; `none` names the complaints with none), the others summed as
    "Other"."""
    index = {start: i for i, start in enumerate(starts)}
    per_key: dict[str, list[int]] = {}
    for (start, key), n in counts.by(by).items():
        if start not in index:
            continue
        values = per_key.setdefault("none" if key is None else str(key), [0] * len(starts))
        values[index[start]] += n
    ranked = sorted(per_key.items(), key=lambda item: (-sum(item[1]), item[0]))
    series = [
        Series(key=key, label=none if key == "none" else names.get(key, key), values=values)
        for key, values in ranked[:TOP_SERIES]
    ]
    if len(ranked) > TOP_SERIES:
        rest = [sum(values[i] for _key, values in ranked[TOP_SERIES:]) for i in range(len(starts))]
        series.append(Series(key=OTHER, label=_("Other"), values=rest))
    for number, one in enumerate(series, start=1):
        one.css = f"sb-series-{number}"
    totals = [sum(one.values[i] for one in series) for i in range(len(starts))]
    chart = Chart(
        title=title,
        kind=kind,
        labels=[period_label(kind, start) for start in starts],
        series=series,
        totals=totals,
        grand_total=sum(totals),
    )
    _draw(chart)
    return chart


def _draw(chart: Chart) -> None:
    """Coordinates of the bars, the horizontal grid with its values and the
    period labels (every one, or every n-th when they would overlap)."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top_value = nice_ceiling(max(chart.totals, default=0))
    # 1, 2 or 5 times a power of ten, cut into whole steps: 0-10 by 2, 0-20 by 5.
    intervals = min(top_value, 4 if str(top_value)[0] == "2" else 5)
    step = top_value // intervals
    slot = plot_width / max(len(chart.labels), 1)
    bar_width = slot * BAR_SHARE
    scale = plot_height / top_value
    for i, total in enumerate(chart.totals):
        x = LEFT + i * slot + (slot - bar_width) / 2
        base = TOP + plot_height
        segments = []
        for one in chart.series:
            value = one.values[i]
            if not value:
                continue
            height = value * scale
            base -= height
            segments.append(
                {
                    "x": _fmt(x),
                    "y": _fmt(base),
                    "width": _fmt(bar_width),
                    "height": _fmt(height),
                    "css": one.css,
                    "title": f"{one.label}, {chart.labels[i]}: {value}",
                }
            )
        chart.bars.append({"segments": segments, "total": total})
    for number in range(intervals + 1):
        value = step * number
        y = TOP + plot_height - value * scale
        chart.ticks.append(
            {"y": _fmt(y), "label": f"{value:,}", "x1": LEFT, "x2": WIDTH - RIGHT, "tx": LEFT - 6}
        )
    every = max(1, math.ceil(len(chart.labels) * LABEL_WIDTH / plot_width))
    for i, label in enumerate(chart.labels):
        if i % every == 0:
            chart.x_labels.append(
                {"x": _fmt(LEFT + i * slot + slot / 2), "y": HEIGHT - 10, "text": label}
            )
