"""Notebook views: self-contained HTML and SVG for calendars, policies, evaluations and reports.

Jupyter and other notebook front ends show an object through its ``_repr_html_``; the objects of
slacalc delegate to the functions of this module, which can also be called directly (to save a
view to a file, or to show a calendar month: :func:`month_html`).

Every view is one ``<div class="slacalc-view">`` holding a ``<style>`` block scoped to that
class, tables and inline SVG: no JavaScript, no external resources (fonts, images, links), and
text in the page's own colour (``currentColor``) with translucent mid-tone accents, so a view
reads on light and dark notebook themes alike. The markup is also well-formed XML (every tag
closed, every user string escaped), so it can be parsed, tested and embedded anywhere.

The functions read only the objects' public attributes, and this module imports nothing else
from slacalc at import time: the classes can import it lazily without a cycle.

>>> import datetime as dt
>>> import slacalc as sla
>>> from slacalc import views
>>> cal = sla.Calendar.from_coverage("5x8", country="CN")
>>> page = views.month_html(cal, 2026, 10)
>>> "National Day" in page and "make-up workday" in page
True
>>> print(views.table_html({"case": ["T-1", "T-2"], "hours": [3.5, None]}).count("<tr"))
4
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from slacalc.errors import HorizonWarning, OutOfRangeError, SlaValueError, echo

__all__ = [
    "HTML",
    "calendar_html",
    "evaluation_html",
    "month_html",
    "policy_html",
    "report_html",
    "table_html",
    "timeline",
]

# -- shared pieces -------------------------------------------------------------------------------
# Colours are mid-tones with alpha: readable on white and on near-black; text uses the page's
# colour. The rules are scoped to .slacalc-view so nothing leaks into the notebook. The style
# text holds no '<' or '&', so the block stays well-formed XML.
_CSS = """
.slacalc-view{font-size:13px;line-height:1.35;color:inherit;max-width:100%;overflow-x:auto}
.slacalc-view .sv-title{font-weight:600;margin:2px 0 6px 0}
.slacalc-view .sv-sub{opacity:.7;font-weight:400}
.slacalc-view table.sv{border-collapse:collapse;margin:2px 0 10px 0;color:inherit;background:transparent}
.slacalc-view table.sv th,.slacalc-view table.sv td{border:1px solid rgba(128,128,128,.35);padding:3px 8px;text-align:left;vertical-align:top;background:transparent;color:inherit}
.slacalc-view table.sv thead th{font-weight:600;border-bottom:2px solid rgba(128,128,128,.6)}
.slacalc-view table.sv tr:nth-child(even) td{background:rgba(128,128,128,.06)}
.slacalc-view table.sv td.num,.slacalc-view table.sv th.num{text-align:right;font-variant-numeric:tabular-nums}
.slacalc-view table.sv th.dtype{font-weight:400;opacity:.65;font-style:italic}
.slacalc-view table.sv td.gap,.slacalc-view table.sv th.gap{text-align:center;opacity:.6}
.slacalc-view .muted{opacity:.65}
.slacalc-view .small{font-size:11px}
.slacalc-view .note{margin:4px 0;padding:4px 8px;border-left:3px solid #d08a1e;background:rgba(208,138,30,.12)}
.slacalc-view .ok{color:#2e9d57;font-weight:600}
.slacalc-view .bad{color:#d64545;font-weight:600}
.slacalc-view .credit{color:#c47a12;font-weight:600}
.slacalc-view .run{color:#3b82c4;font-weight:600}
.slacalc-view .wait{color:#c47a12;font-weight:600}
.slacalc-view .none{opacity:.6}
.slacalc-view table.sv-month{border-collapse:collapse;table-layout:fixed;margin:2px 0 8px 0;background:transparent}
.slacalc-view table.sv-month th{font-weight:600;text-align:center;padding:3px;border:none;background:transparent;color:inherit}
.slacalc-view table.sv-month td{border:1px solid rgba(128,128,128,.3);vertical-align:top;text-align:left;padding:3px 5px;width:104px;height:58px;background:transparent;color:inherit}
.slacalc-view table.sv-month td.blank{border:none}
.slacalc-view table.sv-month .dn{font-weight:600;font-size:14px}
.slacalc-view table.sv-month .lbl{font-size:11px;font-weight:600;line-height:1.2}
.slacalc-view table.sv-month .hrs{font-size:11px;opacity:.75;line-height:1.2}
.slacalc-view table.sv-month td.k-weekend{background:rgba(128,128,128,.13)}
.slacalc-view table.sv-month td.k-holiday,.slacalc-view table.sv-month td.k-extra_holiday{background:rgba(214,69,69,.17)}
.slacalc-view table.sv-month td.k-makeup,.slacalc-view table.sv-month td.k-extra_workday{background:rgba(59,130,196,.2)}
.slacalc-view table.sv-month td.k-holiday .lbl,.slacalc-view table.sv-month td.k-extra_holiday .lbl{color:#d64545}
.slacalc-view table.sv-month td.k-makeup .lbl,.slacalc-view table.sv-month td.k-extra_workday .lbl{color:#3b82c4}
.slacalc-view table.sv-month.compact td{width:26px;height:22px;padding:1px 3px;text-align:right}
.slacalc-view table.sv-month.compact .dn{font-size:12px;font-weight:400}
.slacalc-view .sv-months{display:flex;flex-wrap:wrap;gap:6px 22px}
.slacalc-view .sv-months ul{margin:0 0 6px 0;padding-left:16px;font-size:11px;max-width:230px}
.slacalc-view .sv-key span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px}
.slacalc-view .sv-key .k-holiday{background:rgba(214,69,69,.17);color:#d64545}
.slacalc-view .sv-key .k-makeup{background:rgba(59,130,196,.2);color:#3b82c4}
.slacalc-view .sv-key .k-weekend{background:rgba(128,128,128,.13)}
.slacalc-view ul.sv-list{margin:2px 0 8px 0;padding-left:18px}
.slacalc-view svg{display:block;overflow:visible;font-family:inherit}
.slacalc-view svg text{fill:currentColor;font-size:11px}
.slacalc-view svg .hd{font-size:12.5px}
.slacalc-view svg .b{font-weight:700}
.slacalc-view svg .axis{stroke:currentColor;stroke-opacity:.5}
.slacalc-view svg .grid{stroke:currentColor;stroke-opacity:.12}
.slacalc-view svg .base{stroke:currentColor;stroke-opacity:.35}
.slacalc-view svg .cov{fill:#3b82c4;fill-opacity:.6}
.slacalc-view svg .pause{fill:#d08a1e;fill-opacity:.75}
.slacalc-view svg .pausebg{fill:#d08a1e;fill-opacity:.13;stroke:#d08a1e;stroke-opacity:.6;stroke-dasharray:3 2}
.slacalc-view svg .hol{fill:#d64545;fill-opacity:.14}
.slacalc-view svg .wkd{fill:currentColor;fill-opacity:.07}
.slacalc-view svg .dl{stroke:#d64545;stroke-width:2}
.slacalc-view svg text.dlt{fill:#d64545}
.slacalc-view svg .start{stroke:currentColor;stroke-width:2}
.slacalc-view svg .met{fill:#2e9d57;stroke:#2e9d57}
.slacalc-view svg text.met,.slacalc-view svg tspan.met{fill:#2e9d57;stroke:none}
.slacalc-view svg .breached{fill:#d64545;stroke:#d64545}
.slacalc-view svg text.breached,.slacalc-view svg tspan.breached{fill:#d64545;stroke:none}
.slacalc-view svg tspan.running{fill:#3b82c4}
.slacalc-view svg tspan.paused,.slacalc-view svg tspan.pending{fill:#c47a12}
.slacalc-view svg tspan.not_applicable{fill:currentColor;fill-opacity:.6}
.slacalc-view svg path.esc-fired{fill:#c47a12;stroke:#c47a12}
.slacalc-view svg path.esc-pending{fill:none;stroke:#c47a12;stroke-width:1.5}
.slacalc-view svg path.esc-skipped{fill:none;stroke:currentColor;stroke-opacity:.45;stroke-width:1.5}
.slacalc-view svg text.esc{fill:#c47a12}
.slacalc-view svg text.esct-skipped{fill:currentColor;fill-opacity:.55}
.slacalc-view svg .event{stroke:currentColor;stroke-opacity:.55;stroke-dasharray:4 3}
.slacalc-view svg .now{stroke:#9b59b6;stroke-width:1.5;stroke-dasharray:5 3}
.slacalc-view svg text.nowt{fill:#9b59b6}
.slacalc-view svg .muted{fill-opacity:.65}
"""


_NUM = ' class="num"'
_NONE = '<span class="none">–</span>'


#: Characters that would print misleadingly or break XML: controls other than tab and
#: newline, the bidirectional overrides and isolates (which reorder text on screen), and the
#: code points XML forbids or UTF-8 cannot encode (lone surrogates, U+FFFE and U+FFFF; a JSON
#: case file can hold them as \ud800 escapes).
_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _e(value: object) -> str:
    """Text for HTML and XML alike: ``& < > " '`` escaped, and the characters of ``_HIDDEN``
    shown as ``\\uXXXX`` (a tier or an attribute may hold them; a view shows them, never
    obeys them)."""
    text = str(value)
    if _HIDDEN.search(text):
        text = _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return html.escape(text, quote=True)


def _wrap(body: str, kind: str) -> str:
    return (f'<div class="slacalc-view sv-{kind}"><style>{_CSS}</style>{body}</div>')


class HTML:
    """A piece of HTML that a notebook shows: ``str(view)`` is the markup.

    >>> print(HTML("<b>x</b>"))
    <b>x</b>
    """

    __slots__ = ("_markup",)

    def __init__(self, markup: str) -> None:
        if not isinstance(markup, str):
            raise SlaValueError(f"markup must be a str, not {echo(markup)}")
        self._markup = markup

    def _repr_html_(self) -> str:
        return self._markup

    def __str__(self) -> str:
        return self._markup

    def __repr__(self) -> str:
        return f"HTML({len(self._markup):,} characters; shown as HTML in a notebook)"


def _duration(td: dt.timedelta | None) -> str:
    """``2h30m``, ``3d4h``, ``-45m``, ``0m`` (seconds only when there are some)."""
    if td is None:
        return "-"
    total = int(td.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    d, rest = divmod(total, 86_400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{d}d" if d else "", f"{h}h" if h else "", f"{m}m" if m else "", f"{s}s" if s else ""]
    text = "".join(parts)
    return sign + (text or "0m")


def _share(value: float) -> str:
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


# -- tables --------------------------------------------------------------------------------------
def _dtype(values: Sequence[Any]) -> str:
    """A polars-like name for a column's type, from its first non-null value."""
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, int):
            return "i64"
        if isinstance(v, float):
            return "f64"
        if isinstance(v, str):
            return "str"
        if isinstance(v, dt.datetime):
            zone = v.tzinfo
            key = getattr(zone, "key", None) or (v.tzname() if zone is not None else None)
            return f"datetime[μs, {key}]" if key else "datetime[μs]"
        if isinstance(v, dt.date):
            return "date"
        if isinstance(v, dt.timedelta):
            return "duration[μs]"
        return type(v).__name__
    return "null"


def _cell(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return format(v, ".6g")
    if isinstance(v, str):
        text = v if len(v) <= 60 else v[:57] + "…"
        return f'"{text}"'
    if isinstance(v, dt.datetime):
        text = f"{v:%Y-%m-%d %H:%M:%S}" + (f".{v.microsecond:06d}" if v.microsecond else "")
        return text + (f" {v.tzname()}" if v.tzinfo is not None else "")
    if isinstance(v, dt.timedelta):
        return _duration(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    text = str(v)
    return text if len(text) <= 60 else text[:57] + "…"


def _is_num(dtype: str) -> bool:
    if dtype in ("i64", "f64", "duration[μs]"):
        return True
    return dtype[:1] in ("i", "u", "f") and dtype[1:].isdigit()


def _checked_columns(
    columns: Mapping[str, Sequence[Any]],
) -> tuple[list[str], list[Sequence[Any]], int]:
    """(names, values per column, number of rows), or a clear error."""
    names = list(columns)
    data: list[Sequence[Any]] = []
    for name in names:
        values = columns[name]
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise SlaValueError(f"column {echo(name)} must be a sequence of values, not "
                                f"{echo(values)}")
        data.append(values)
    lengths = {len(v) for v in data}
    if len(lengths) > 1:
        sizes = ", ".join(f"{n}: {len(v)}" for n, v in zip(names, data, strict=True))
        raise SlaValueError(f"columns must all have one length; they have {echo(sizes)}")
    return names, data, (lengths.pop() if lengths else 0)


def table_html(
    columns: Mapping[str, Sequence[Any]],
    *,
    dtypes: Mapping[str, str] | None = None,
    height: int | None = None,
    max_rows: int = 10,
    max_cols: int = 16,
    caption: str | None = None,
    footer: str | None = None,
) -> str:
    """A compact table in the manner of a DataFrame's notebook view: its shape, column names with
    their types, the first and last rows.

    Args:
        columns: column name -> values (all of one length).
        dtypes: type names to show per column (default: read from the first non-null value:
            ``i64``, ``f64``, ``str``, ``bool``, ``datetime[μs, Asia/Shanghai]``, ``duration[μs]``).
        height: the table's full number of rows, when ``columns`` holds only its first rows
            (a gap row then marks the rows not shown).
        max_rows: show at most this many rows: half from the start, half from the end.
        max_cols: likewise for columns (a wide table shows its first and last ones).
        caption: a line shown above the table.
        footer: a line shown below it (a summary such as counts per status).

    >>> page = table_html({"id": ["<b>", "T-2", "T-3"], "n": [1, 2, 3]}, max_rows=2)
    >>> "shape: (3, 2)" in page, "&lt;b&gt;" in page, "<b>" in page
    (True, True, False)
    """
    if not isinstance(columns, Mapping):
        raise SlaValueError(f"columns must be a mapping of column name -> values, not "
                            f"{echo(columns)}")
    for label, limit in (("max_rows", max_rows), ("max_cols", max_cols)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise SlaValueError(f"{label} must be a positive int, not {echo(limit)}")
    names, data, n = _checked_columns(columns)
    if height is not None and (isinstance(height, bool) or not isinstance(height, int)
                               or height < n):
        raise SlaValueError(f"height must be an int at least the {n} rows given, not "
                            f"{echo(height)}")
    total = n if height is None else height
    types = [(dtypes or {}).get(name) or _dtype(values) for name, values in
             zip(names, data, strict=True)]
    if n > max_rows:
        tail = max_rows // 2
        shown = [*range(max_rows - tail), -1, *range(n - tail, n)]
    else:
        shown = list(range(n))
        if total > n:
            shown.append(-1)
    width = len(names)
    if width > max_cols:
        right = max_cols // 2
        cols = [*range(max_cols - right), -1, *range(width - right, width)]
    else:
        cols = list(range(width))
    out = []
    if caption:
        out.append(f'<div class="sv-title">{_e(caption)}</div>')
    out.append(f'<div class="small muted">shape: ({total:,}, {width})</div>')
    out.append('<table class="sv sv-frame"><thead><tr>')
    nums = [_is_num(t) for t in types]
    for j in cols:
        out.append('<th class="gap">…</th>' if j < 0
                   else f"<th{_NUM if nums[j] else ''}>{_e(names[j])}</th>")
    out.append("</tr><tr>")
    for j in cols:
        out.append('<th class="dtype gap"></th>' if j < 0 else
                   f'<th class="dtype{" num" if nums[j] else ""}">{_e(types[j])}</th>')
    out.append("</tr></thead><tbody>")
    for i in shown:
        out.append("<tr>")
        for j in cols:
            if i < 0 or j < 0:
                out.append('<td class="gap">…</td>')
            else:
                out.append(f"<td{_NUM if nums[j] else ''}>{_e(_cell(data[j][i]))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if footer:
        out.append(f'<div class="small muted">{_e(footer)}</div>')
    return _wrap("".join(out), "table")


# -- calendars -----------------------------------------------------------------------------------
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_KIND_TEXT = {
    "business": "business day", "makeup": "make-up workday", "holiday": "holiday",
    "weekend": "weekend", "extra_holiday": "extra holiday", "extra_workday": "extra workday",
}


def _hhmm(t: dt.datetime, day: dt.date) -> str:
    return "24:00" if t.date() > day else f"{t:%H:%M}"


def _windows_text(info: Any) -> list[str]:
    return [f"{_hhmm(a, info.day)}–{_hhmm(b, info.day)}" for a, b in info.windows]


def _zone_name(cal: Any) -> str:
    return str(getattr(cal.tz, "key", cal.tz))


def calendar_html(cal: Any) -> str:
    """A summary of a :class:`~slacalc.Calendar`: zone, holidays, covered days and hours, the
    overlays and the last year its holiday data vouches for.

    A calendar has no "current" month to show (slacalc never reads the clock): show a month
    or a year with :meth:`Calendar.view <slacalc.Calendar.view>` or :func:`month_html`.
    """
    country = cal.country or "none (Monday-Friday are business days)"
    if cal.country and cal.subdiv:
        country = f"{cal.country}-{cal.subdiv}"
    days = ("business days (holidays closed, make-up workdays open)" if cal.days == "business"
            else "every calendar day, holidays included")
    vt = cal.verified_through
    rows = [
        ("time zone", _zone_name(cal)),
        ("holidays of", country),
        ("covered days", days),
        ("hours", str(cal.hours)),
        ("holiday data", "not used" if vt is None
         else f"vouched for through {vt}" + (" (strict: later years raise)" if cal.strict
                                              else " (later years warn)")),
    ]
    for label, dates in (("extra holidays", cal.extra_holidays),
                         ("extra workdays", cal.extra_workdays)):
        if dates:
            listed = sorted(dates)
            text = ", ".join(d.isoformat() for d in listed[:8])
            if len(listed) > 8:
                text += f", … ({len(listed)} in all)"
            rows.append((label, text))
    body = ['<div class="sv-title">Calendar</div><table class="sv"><tbody>']
    for label, value in rows:
        body.append(f'<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>')
    body.append("</tbody></table>")
    body.append('<div class="small muted">cal.view(year, month) shows a month grid; '
                "cal.view(year) a whole year.</div>")
    return _wrap("".join(body), "calendar")


def _month_days(cal: Any, year: int, month: int) -> list[Any]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return [cal.describe_day(first + dt.timedelta(days=i)) for i in range((nxt - first).days)]


def _label(info: Any) -> str:
    """What a day cell says: the holiday's name, "make-up workday", ... or nothing."""
    kind = info.kind
    if kind == "holiday":
        return str(info.name or "holiday")
    if kind in ("makeup", "extra_holiday", "extra_workday"):
        return _KIND_TEXT[kind]
    return ""


def _day_class(info: Any) -> str:
    kind = info.kind
    if kind == "business" and info.day.weekday() >= 5:
        return "k-makeup"  # a weekend day worked by an overlay reads like a make-up day
    return f"k-{kind}"


def _month_table(cal: Any, year: int, month: int, *, compact: bool) -> tuple[str, list[str]]:
    days = _month_days(cal, year, month)
    cells: list[str] = ['<td class="blank"></td>'] * days[0].day.weekday()
    notes: list[str] = []
    for info in days:
        label = _label(info)
        hours = _windows_text(info)
        title = str(info) + (f"; covered {', '.join(hours)}" if hours else "; not covered")
        if compact:
            inner = f'<span class="dn">{info.day.day}</span>'
            if label:
                notes.append(f'<li><span class="{_day_class(info)}">{info.day.day} '
                             f'{_WEEKDAYS[info.day.weekday()]}</span> {_e(label)}</li>')
        else:
            inner = f'<div class="dn">{info.day.day}</div>'
            if label:
                inner += f'<div class="lbl">{_e(label)}</div>'
            if hours:
                inner += f'<div class="hrs">{"<br/>".join(_e(h) for h in hours)}</div>'
        cells.append(f'<td class="{_day_class(info)}" title="{_e(info.day.isoformat())}: '
                     f'{_e(title)}">{inner}</td>')
    while len(cells) % 7:
        cells.append('<td class="blank"></td>')
    rows = "".join("<tr>" + "".join(cells[i:i + 7]) + "</tr>" for i in range(0, len(cells), 7))
    head = "".join(f"<th>{d}</th>" for d in _WEEKDAYS)
    cls = "sv-month compact" if compact else "sv-month"
    table = (f'<table class="{cls}"><caption class="sv-title">{_MONTHS[month - 1]} {year}'
             f'</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
    return table, notes


def month_html(cal: Any, year: int, month: int | None = None) -> str:
    """A month of ``cal`` as a grid: holidays by name, weekend make-up workdays, and the covered
    hours of each day; with ``month=None``, the twelve months of ``year`` in small grids with
    their special days listed.

    Days past the last year the holiday data vouches for carry a warning in the view (or raise
    :class:`~slacalc.HorizonError` for a ``strict`` calendar).
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise SlaValueError(f"year must be an int such as 2026, not {echo(year)}")
    from slacalc._timeline import MAX_YEAR, MIN_YEAR  # noqa: PLC0415 - views import only errors at load

    if not MIN_YEAR <= year <= MAX_YEAR:
        raise OutOfRangeError(f"year={echo(year)} is outside the years slacalc computes "
                              f"({MIN_YEAR}-{MAX_YEAR}); give a year in that range")
    if month is not None and (isinstance(month, bool) or not isinstance(month, int)
                              or not 1 <= month <= 12):
        raise SlaValueError(f"month must be an int from 1 to 12 (or None for the whole year), "
                            f"not {echo(month)}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HorizonWarning)
        if month is not None:
            table, _ = _month_table(cal, year, month, compact=False)
            grids = table
        else:
            parts = []
            for m in range(1, 13):
                table, notes = _month_table(cal, year, m, compact=True)
                listed = f'<ul>{"".join(notes)}</ul>' if notes else ""
                parts.append(f"<div>{table}{listed}</div>")
            grids = f'<div class="sv-months">{"".join(parts)}</div>'
    where = f"{cal.country}-{cal.subdiv}" if cal.country and cal.subdiv else cal.country
    head = (f'<div class="sv-title">{_e(where or "Calendar")} {year}'
            f'<span class="sv-sub"> · {_e(_zone_name(cal))} · hours {_e(str(cal.hours))}'
            "</span></div>")
    key = ('<div class="sv-key small"><span class="k-holiday">holiday</span>'
           '<span class="k-makeup">make-up workday</span><span class="k-weekend">weekend</span>'
           "</div>")
    warn = ""
    if any(issubclass(w.category, HorizonWarning) for w in caught):
        warn = (f'<div class="note small">Past {cal.verified_through}, the last year the '
                "holiday data vouches for, official bridge days and make-up workdays are "
                "missing: the days shown are projected.</div>")
    return _wrap(head + key + warn + grids, "month")


# -- policies ------------------------------------------------------------------------------------
def _rule_cell(rule: Any, severity: str | None) -> str:
    """One target rule: what it promises and, muted, when it applies (a condition on the
    severity is left out in that severity's own column)."""
    when = rule.when
    cond = []
    for key in ("zone", "tier", "severity"):
        values = getattr(when, key)
        if values is not None and not (key == "severity" and severity is not None):
            cond.append(f"{key} {'/'.join(values)}")
    if when.hours is not None:
        cond.append(f"{'inside' if when.hours == 'in' else 'outside'} {when.hours_calendar} hours")
    full = str(rule.describe())
    text = full.split(" when ", 1)[0] if " when " in full else full
    out = f"<div>{_e(text)}"
    if cond:
        out += f' <span class="muted small">if {_e(", ".join(cond))}</span>'
    return out + "</div>"


def _about(text: str) -> str:
    """A description: its first lines, the rest folded away (a ``<details>`` needs no script)."""
    if len(text) <= 240:
        return f'<div class="muted" style="margin-bottom:6px">{_e(text)}</div>'
    cut = text.rfind(" ", 0, 200)
    cut = cut if cut > 0 else 200
    return (f'<details class="muted" style="margin-bottom:6px"><summary>{_e(text[:cut])} …'
            f"</summary>{_e(text[cut:])}</details>")


def policy_html(policy: Any) -> str:
    """A :class:`~slacalc.Policy` as tables: targets per metric and severity, calendars, tiers,
    escalation ladders, clock rules, measures and schedules."""
    out = [f'<div class="sv-title">Policy {_e(policy.name)}</div>']
    if policy.description:
        out.append(_about(str(policy.description)))
    out.extend(_policy_targets(policy))
    out.extend(_policy_setup(policy))
    out.extend(_policy_rules(policy))
    return _wrap("".join(out), "policy")


def _policy_targets(policy: Any) -> list[str]:
    out: list[str] = []
    metrics = list(policy.metrics())
    severities = list(policy.severities)
    if not metrics and severities:
        names = ", ".join(s.id + (f" ({s.name})" if s.name else "") for s in severities)
        out.append(f"<div>Severities {_e(names)}: no targets.</div>")
    if metrics:
        out.append('<table class="sv"><thead><tr><th>metric</th>')
        if severities:
            for s in severities:
                name = f'<div class="muted small">{_e(s.name)}</div>' if s.name else ""
                out.append(f"<th>{_e(s.id)}{name}</th>")
        else:
            out.append("<th>every case</th>")
        out.append("</tr></thead><tbody>")
        columns = ([(s.id, tuple(policy.rules(s.id))) for s in severities] if severities
                   else [(None, tuple(policy.targets))])
        for metric in metrics:
            out.append(f"<tr><th>{_e(metric)}</th>")
            for sev, rules in columns:
                cell = [_rule_cell(r, sev) for r in rules if r.metric == metric and (
                    sev is None or r.when.severity is None or sev in r.when.severity)]
                out.append(f"<td>{''.join(cell) or _NONE}</td>")
            out.append("</tr>")
        out.append("</tbody></table>")
    return out


def _policy_setup(policy: Any) -> list[str]:
    """Calendars, tiers and escalation ladders."""
    out: list[str] = []
    if policy.calendars:
        out.append('<div class="sv-title">Calendars</div><table class="sv"><thead><tr>'
                   "<th>name</th><th>definition</th><th>zone</th></tr></thead><tbody>")
        for spec in policy.calendars:
            params = ", ".join(f"{k}={v}" for k, v in spec.params)
            out.append(f"<tr><th>{_e(spec.name)}</th><td>{_e(params)}</td>"
                       f"<td>{_e(_zone_name(spec.calendar))}</td></tr>")
        out.append("</tbody></table>")
    if policy.tiers:
        out.append('<div class="sv-title">Service tiers</div><table class="sv"><thead><tr>'
                   "<th>tier</th><th>remote</th><th>parts</th><th>on site</th>"
                   '<th class="num">inspections / year</th><th>terms (years)</th>'
                   "</tr></thead><tbody>")
        for t in policy.tiers:
            name = f' <span class="muted">{_e(t.name)}</span>' if t.name else ""
            terms = ", ".join(str(x) for x in t.terms) or "–"
            out.append(f"<tr><th>{_e(t.id)}{name}</th><td>{_e(t.remote)}</td>"
                       f"<td>{_e(t.parts or '–')}</td><td>{'yes' if t.onsite else 'no'}</td>"
                       f'<td class="num">{t.inspections_per_year}</td><td>{_e(terms)}</td></tr>')
        out.append("</tbody></table>")
    if policy.escalations:
        out.append('<div class="sv-title">Escalations</div><table class="sv"><thead><tr>'
                   "<th>metric</th><th>steps, in order</th></tr></thead><tbody>")
        for ladder in policy.escalations:
            steps = []
            for step in ladder.steps:
                if step.at is not None:
                    when = f"at {_share(step.at)} of the target"
                else:
                    off = step.offset
                    when = (f"{_duration(-off)} before the deadline" if off < dt.timedelta(0)
                            else f"{_duration(off)} after the deadline")
                hold = f", held until {step.hold_until} opens" if step.hold_until else ""
                who = f" → {step.notify}" if step.notify else ""
                steps.append(f"<li><b>{_e(step.name)}</b> {_e(when + hold)}"
                             f'<span class="muted">{_e(who)}</span></li>')
            out.append(f'<tr><th>{_e(ladder.metric)}</th><td><ol style="margin:0;'
                       f'padding-left:18px">{"".join(steps)}</ol></td></tr>')
        out.append("</tbody></table>")
    return out


def _policy_rules(policy: Any) -> list[str]:
    """Clock rules, measures and schedules."""
    out: list[str] = []
    clock = policy.clock
    items = [
        ("pauses that stop the clock", ", ".join(sorted(clock.pause_reasons)) or "none"),
        ("cases excluded when", ", ".join(sorted(clock.exclude_reasons)) or "never"),
        ("on a severity change", {
            "restart": "the clock restarts under the new severity",
            "keep": "the clock keeps running under the new severity's target",
            "shorter": "the earlier of the deadlines promised counts",
        }.get(clock.severity_change, clock.severity_change)),
    ]
    out.append('<div class="sv-title">Clock</div><table class="sv"><tbody>')
    for label, value in items:
        out.append(f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>")
    out.append("</tbody></table>")
    if policy.measures:
        out.append('<div class="sv-title">Measures</div><table class="sv"><thead><tr>'
                   "<th>measure</th><th>kind</th><th>per</th><th>promise</th></tr></thead><tbody>")
        for m in policy.measures:
            if m.kind == "on_time":
                promise = f"{m.metric} on time in at least {_share(m.at_least)} of cases"
            elif m.kind == "average_satisfaction":
                promise = f"average satisfaction at least {m.at_least:g}"
            else:
                cap = "" if m.cap is None else f", at most {_share(m.cap)}"
                promise = f"{_share(m.per_breach)} of the fee per {m.metric} breach{cap}"
            out.append(f"<tr><th>{_e(m.name)}</th><td>{_e(m.kind)}</td><td>{_e(m.period)}</td>"
                       f"<td>{_e(promise)}</td></tr>")
        out.append("</tbody></table>")
    if policy.schedules:
        out.append('<div class="sv-title">Schedules</div><table class="sv"><thead><tr>'
                   "<th>obligation</th><th>rule</th><th>calendar</th><th>roll</th></tr>"
                   "</thead><tbody>")
        for s in policy.schedules:
            by = f", by {s.by:%H:%M}" if s.by else ""
            out.append(f"<tr><th>{_e(s.name)}</th><td>{_e(s.rule)}</td><td>{_e(s.calendar)}</td>"
                       f"<td>{_e(s.roll + by)}</td></tr>")
        out.append("</tbody></table>")
    return out


# -- reports -------------------------------------------------------------------------------------
_VERDICT_MARK = {"met": ("ok", "✓ met"), "missed": ("bad", "✗ missed"),
                 "credit": ("credit", "credit"), "no data": ("none", "no data")}


def report_html(report: Any) -> str:
    """A :class:`~slacalc.Report` as a table: one row per period, one column per measure, each
    cell the value with its verdict marked (met, missed, credit or no data)."""
    rows = list(report.rows)
    measures: list[str] = []
    targets: dict[str, str] = {}
    periods: dict[str, tuple[Any, Any]] = {}
    cells: dict[tuple[str, str], Any] = {}
    repeated = False
    for r in rows:
        repeated = repeated or (r.period, r.measure) in cells
        if r.measure not in targets:
            measures.append(r.measure)
            targets[r.measure] = r.target
        periods.setdefault(r.period, (r.start, r.end))
        cells[(r.period, r.measure)] = r
    # by the period's last day; a quarter after its last month
    order = sorted(periods, key=lambda p: (periods[p][1], -periods[p][0].toordinal()))
    missed = sum(1 for r in rows if r.verdict == "missed")
    cases = getattr(report, "cases", 0)
    now = getattr(report, "now", None)
    sub = f"{cases:,} case{'s' if cases != 1 else ''}"
    if now is not None:
        sub += f" as of {now:%Y-%m-%d %H:%M %Z}".rstrip()
    verdict = ('<span class="ok">every measure met</span>' if not missed else
               f'<span class="bad">{missed} missed</span>')
    out = [f'<div class="sv-title">Report: {_e(report.policy)}<span class="sv-sub"> · '
           f"{_e(sub)} · </span>{verdict}</div>"]
    if not rows:
        out.append('<div class="muted">no measure counted anything</div>')
        return _wrap("".join(out), "report")
    if repeated:  # rows broken down further than period x measure: one line per row
        out.append(_report_rows(rows))
        return _wrap("".join(out), "report")
    out.append('<table class="sv"><thead><tr><th>period</th>')
    for m in measures:
        out.append(f'<th>{_e(m)}<div class="muted small">{_e(targets[m])}</div></th>')
    out.append("</tr></thead><tbody>")
    for period in order:
        out.append(f"<tr><th>{_e(period)}</th>")
        for m in measures:
            r = cells.get((period, m))
            if r is None:
                out.append("<td></td>")
                continue
            cls, mark = _VERDICT_MARK.get(r.verdict, ("none", r.verdict))
            counted = ""
            if r.met is not None and r.counted:
                counted = f"{r.met} of {r.counted} on time"
            elif r.counted:
                counted = f"{r.counted} rated"
            detail = f'<div class="muted small">{_e(counted)}</div>' if counted else ""
            out.append(f'<td class="num" title="{_e(r.explain())}"><span class="{cls}">'
                       f'{_e(r.shown)} {_e(mark)}</span>{detail}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return _wrap("".join(out), "report")


def _report_rows(rows: list[Any]) -> str:
    """The rows as a long table of their plain data, the verdict marked."""
    records = [r.to_dict() for r in rows]
    keys = list(dict.fromkeys(k for d in records for k in d))
    out = ['<table class="sv"><thead><tr>', *(f"<th>{_e(k)}</th>" for k in keys),
           "</tr></thead><tbody>"]
    for r, d in zip(rows, records, strict=True):
        out.append("<tr>")
        for k in keys:
            v = d.get(k)
            if k == "verdict":
                cls, mark = _VERDICT_MARK.get(str(v), ("none", str(v)))
                out.append(f'<td><span class="{cls}">{_e(mark)}</span></td>')
            elif k == "value":
                out.append(f'<td class="num">{_e(r.shown)}</td>')
            else:
                out.append(f"<td>{_e('' if v is None else _cell(v).strip(chr(34)))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


# -- one case's evaluation -----------------------------------------------------------------------
_W = 960          # drawing width
_X0, _X1 = 14, 946  # the time axis spans these x
_BAND = 16        # height of the band of counted time
_CHAR = 6.1       # estimated width of a character at 11px


# The same colours as presentation attributes, so that the drawing keeps them where a viewer
# drops <style> blocks (some notebook renderers sanitise them away); the CSS, when present, wins.
_ORANGE, _RED, _GREEN, _BLUE, _PURPLE = "#c47a12", "#d64545", "#2e9d57", "#3b82c4", "#9b59b6"
_PRESENT = {
    "axis": 'stroke="currentColor" stroke-opacity=".5"',
    "grid": 'stroke="currentColor" stroke-opacity=".12"',
    "base": 'stroke="currentColor" stroke-opacity=".35"',
    "cov": f'fill="{_BLUE}" fill-opacity=".6"',
    "pause": 'fill="#d08a1e" fill-opacity=".75"',
    "pausebg": ('fill="#d08a1e" fill-opacity=".13" stroke="#d08a1e" stroke-opacity=".6" '
                'stroke-dasharray="3 2"'),
    "hol": f'fill="{_RED}" fill-opacity=".14"',
    "wkd": 'fill="currentColor" fill-opacity=".07"',
    "dl": f'stroke="{_RED}" stroke-width="2"',
    "dlt": f'fill="{_RED}"',
    "start": 'stroke="currentColor" stroke-width="2"',
    "path met": f'fill="{_GREEN}" stroke="{_GREEN}"',
    "path breached": f'fill="{_RED}" stroke="{_RED}"',
    "met": f'fill="{_GREEN}"',
    "breached": f'fill="{_RED}"',
    "running": f'fill="{_BLUE}"',
    "paused": f'fill="{_ORANGE}"',
    "pending": f'fill="{_ORANGE}"',
    "wait": f'fill="{_ORANGE}" font-weight="600"',
    "not_applicable": 'fill-opacity=".6"',
    "esc-fired": f'fill="{_ORANGE}" stroke="{_ORANGE}"',
    "esc-pending": f'fill="none" stroke="{_ORANGE}" stroke-width="1.5"',
    "esc-skipped": 'fill="none" stroke="currentColor" stroke-opacity=".45" stroke-width="1.5"',
    "esc": f'fill="{_ORANGE}"',
    "esct-skipped": 'fill-opacity=".55"',
    "event": 'stroke="currentColor" stroke-opacity=".55" stroke-dasharray="4 3"',
    "now": f'stroke="{_PURPLE}" stroke-width="1.5" stroke-dasharray="5 3"',
    "nowt": f'fill="{_PURPLE}"',
    "muted": 'fill-opacity=".65"',
    "hd": 'font-size="12.5"',
}
_CLASSED = re.compile(r'<(\w+)([^<>]*?) class="([^"]*)"')


def _present(svg: str) -> str:
    """``svg`` with each element's class colours also written as attributes."""
    def add(m: re.Match[str]) -> str:
        tag, attrs, classes = m.group(1), m.group(2), m.group(3).split()
        extra = [_PRESENT.get(f"{tag} {c}") or _PRESENT.get(c, "") for c in classes]
        if "b" in classes:
            extra.append('font-weight="700"')
        written = " ".join(e for e in extra if e)
        return f'<{tag}{attrs} class="{m.group(3)}"' + (f" {written}" if written else "")

    return _CLASSED.sub(add, svg)


def _utc_s(t: dt.datetime) -> float:
    return t.timestamp()


class _Scale:
    def __init__(self, t0: float, t1: float) -> None:
        pad = (t1 - t0) * 0.04 or 1800.0
        self.t0, self.t1 = t0 - pad, t1 + pad

    def x(self, t: dt.datetime | float) -> float:
        s = _utc_s(t) if isinstance(t, dt.datetime) else t
        return round(_X0 + (s - self.t0) / (self.t1 - self.t0) * (_X1 - _X0), 1)


class _Labels:
    """Places labels in up to ``rows`` rows so that none overlaps another in its row."""

    def __init__(self, ys: Sequence[float]) -> None:
        self.ys = ys
        self.taken: list[list[tuple[float, float]]] = [[] for _ in ys]

    def place(self, x: float, text: str, cls: str, title: str = "") -> str:
        width = len(text) * _CHAR
        left = min(max(x - width / 2, _X0), _X1 - width)
        for row, spans in enumerate(self.taken):
            if all(left + width + 6 <= a or left >= b + 6 for a, b in spans):
                spans.append((left, left + width))
                tip = f"<title>{_e(title)}</title>" if title else ""
                return (f'<text x="{left:.1f}" y="{self.ys[row]}" class="{cls}">{tip}'
                        f"{_e(text)}</text>")
        return ""  # no room: the marker's tooltip still says it


def _when(t: dt.datetime, zone: Any) -> str:
    local = t.astimezone(zone) if zone is not None else t
    return f"{local:%a %m-%d %H:%M}"


def _ticks(scale: _Scale, zone: Any) -> list[tuple[float, str, bool]]:
    """(x, label, is_day_boundary) ticks at round local times, at most about ten of them."""
    span_min = (scale.t1 - scale.t0) / 60
    steps = (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 5760, 10080, 20160, 43200)
    step = next((m for m in steps if span_min / m <= 10), steps[-1])
    start = dt.datetime.fromtimestamp(scale.t0, zone)
    if step >= 1440:
        local = start.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        of_day = start.hour * 60 + start.minute
        of_day -= of_day % step
        local = start.replace(hour=of_day // 60, minute=of_day % 60, second=0, microsecond=0)
    out = []
    for _ in range(200):
        s = local.timestamp()
        if s > scale.t1:
            break
        if s >= scale.t0:
            boundary = local.hour == 0 and local.minute == 0
            label = f"{local:%a %m-%d}" if boundary else f"{local:%H:%M}"
            out.append((scale.x(s), label, boundary))
        if step >= 1440:
            nxt = local.date() + dt.timedelta(days=step // 1440)
            local = dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
        else:  # wall-clock steps: ticks stay on round local times across a DST change
            naive = local.replace(tzinfo=None) + dt.timedelta(minutes=step)
            local = naive.replace(tzinfo=zone)
    return out


def _pause_groups(segments: Sequence[Any]) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """The pauses seen in a metric's segments: runs of paused pieces of one reason, joined
    across the uncovered time (nights, weekends) between them."""
    groups: list[tuple[dt.datetime, dt.datetime, str]] = []
    open_group: list[Any] | None = None
    for seg in segments:
        reason = str(seg.reason)
        if not seg.counted and reason.startswith("paused: "):
            why = reason[len("paused: "):]
            if open_group is not None and open_group[2] == why:
                open_group[1] = seg.end
            else:
                if open_group is not None:
                    groups.append((open_group[0], open_group[1], open_group[2]))
                open_group = [seg.start, seg.end, why]
        elif seg.counted and open_group is not None:
            groups.append((open_group[0], open_group[1], open_group[2]))
            open_group = None
    if open_group is not None:
        groups.append((open_group[0], open_group[1], open_group[2]))
    return groups


def _gap_label(reason: str, width: float) -> str:
    """What a skipped stretch says, if it fits: its holidays' names, else "weekend"."""
    parts = reason.split("; ")
    names = [p.split(": ", 1)[1] for p in parts if p.startswith("holiday: ")]
    names = list(dict.fromkeys(names)) or [p for p in parts if p == "weekend"][:1]
    for text in (" · ".join(names), names[0] + (" …" if len(names) > 1 else "")):
        if len(text) * _CHAR + 6 <= width:
            return text
    return ""


def _instants(result: Any) -> list[dt.datetime]:
    out = [t for t in (result.start, result.deadline, result.achieved) if t is not None]
    out.extend(e.at for e in result.escalations)
    return out


def _case_facts(case: Any) -> str:
    """The case's severity, tier, zone and first attributes, for a timeline's title."""
    if case is None:
        return ""
    facts = [f"severity {case.severity}"]
    if getattr(case, "tier", None):
        facts.append(f"tier {case.tier}")
    if getattr(case, "zone", None):
        facts.append(f"zone {case.zone}")
    attributes = getattr(case, "attributes", ())
    facts.extend(f"{name} {value}" for name, value in attributes[:4])
    if len(attributes) > 4:
        facts.append(f"+{len(attributes) - 4} more")
    return f'<span class="sv-sub"> · {_e(" · ".join(facts))}</span>'


def evaluation_html(evaluation: Any, case: Any = None, now: dt.datetime | None = None) -> str:
    """One case's evaluation as a timeline, one lane per metric.

    Each lane shows the metric's status and target, the covered time its clock counted (filled),
    the pauses that stopped it (shaded, with their reasons), holidays and weekends it skipped,
    its escalation steps (triangles: filled once fired), its deadline (a red line) and its
    achievement (a diamond, green when met, red when breached). ``case`` (the
    :class:`~slacalc.Case`) adds the instant it was opened and its own pause intervals;
    ``now`` adds a "now" line.
    """
    results = list(evaluation.results)
    shown = [r for r in results if r.start is not None]
    opened = getattr(case, "opened", None) or getattr(evaluation, "opened", None)
    stamps: list[dt.datetime] = [t for r in shown for t in _instants(r)]
    for r in shown:
        segs = r.segments()
        if segs:
            stamps.append(segs[-1].end)
    if opened is not None:
        stamps.append(opened)
    if now is not None:
        stamps.append(now)
    zone = next((t.tzinfo for r in shown for t in (r.start,) if t is not None), None)
    if zone is None:  # no clock started: the zone the case or ``now`` was written in
        zone = (opened or now or stamps[0]).tzinfo if stamps else dt.UTC
    title = f'<div class="sv-title">Case {_e(evaluation.case_id)}{_case_facts(case)}</div>'
    if not stamps:
        rows = "".join(f"<li><b>{_e(r.metric)}</b>: {_e(r.status)} "
                       f'<span class="muted">{_e(r.note or r.target)}</span></li>'
                       for r in results)
        return _wrap(title + f'<ul class="sv-list">{rows}</ul>', "evaluation")
    scale = _Scale(min(map(_utc_s, stamps)), max(map(_utc_s, stamps)))
    top = 6 + 14 * ((opened is not None) + (now is not None))
    lanes_h = sum(_lane_height(r) for r in results)
    axis_y = top + lanes_h + 6
    height = axis_y + 34
    svg = [f'<svg width="{_W}" height="{height}" viewBox="0 0 {_W} {height}" role="img" '
           'fill="currentColor" font-size="11" font-family="sans-serif">']
    svg.append(f"<title>Timeline of case {_e(evaluation.case_id)}</title>")
    ticks = _ticks(scale, zone)
    for x, _label_text, boundary in ticks:
        wide = ' stroke-width="1.5"' if boundary else ""
        svg.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{axis_y}" class="grid"{wide}/>')
    y = top
    for r in results:
        svg.append(_lane(r, y, scale, zone, case))
        y += _lane_height(r)
    # case-wide instants: opened and now
    marks = _Labels((top - 8, top - 21))
    for t, label, cls, tcls in ((opened, "opened", "event", ""), (now, "now", "now", "nowt")):
        if t is None:
            continue
        x = scale.x(t)
        svg.append(f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{axis_y}" class="{cls}"/>')
        svg.append(marks.place(x, f"{label} {_when(t, zone)}", tcls))
    svg.extend(_axis(ticks, axis_y, zone))
    svg.append("</svg>")
    return _wrap(title + _present("".join(svg)), "evaluation")


def _axis(ticks: list[tuple[float, str, bool]], axis_y: float, zone: Any) -> list[str]:
    """The time axis: a line, ticks, their labels where they fit, the zone's name."""
    svg = [f'<line x1="{_X0}" y1="{axis_y}" x2="{_X1}" y2="{axis_y}" class="axis"/>']
    last_right = -1e9
    for x, label, boundary in ticks:
        svg.append(f'<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{axis_y + 5}" class="axis"/>')
        w = len(label) * _CHAR
        if x - w / 2 > last_right + 4 and x + w / 2 <= _X1 + 10:
            weight = ' class="b"' if boundary else ""
            svg.append(f'<text x="{x - w / 2:.1f}" y="{axis_y + 17}"{weight}>{_e(label)}</text>')
            last_right = x + w / 2
    zone_name = str(getattr(zone, "key", zone)) if zone is not None else ""
    if zone_name:
        svg.append(f'<text x="{_X1 - len(zone_name) * _CHAR:.1f}" y="{axis_y + 31}" '
                   f'class="muted">{_e(zone_name)}</text>')
    return svg


def timeline(evaluation: Any, case: Any = None, now: dt.datetime | None = None) -> HTML:
    """:func:`evaluation_html` as an object a notebook shows: ``views.timeline(ev, case, now)``
    as the last line of a cell draws the case's timeline with its opening, pauses and ``now``.

    >>> import datetime as dt
    >>> import slacalc as sla
    >>> policy = sla.Policy.from_dict({"name": "p",
    ...     "calendars": {"always": {"coverage": "7x24", "tz": "UTC"}},
    ...     "severities": [{"id": "A", "targets": [
    ...         {"metric": "restore", "calendar": "always", "within": "4h"}]}]})
    >>> case = sla.Case("T-1", dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), "A")
    >>> now = dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    >>> "deadline Mon 01-05 13:00" in str(timeline(sla.evaluate(policy, case, now), case, now))
    True
    """
    return HTML(evaluation_html(evaluation, case, now))


def _clip(text: str, room: float) -> str:
    """``text`` cut with an ellipsis to about ``room`` characters."""
    limit = max(int(room), 8)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _status_line(r: Any) -> list[str]:
    """The lane's header: metric, status, target, time used and left (or the note); what does
    not fit the width is cut, and the whole line is the header's tooltip."""
    status = r.status.replace("_", " ")
    extra = []
    if r.used is not None:
        used = f"used {_duration(r.used)}"
        if r.remaining is not None:
            rem = r.remaining
            used += (f", {_duration(rem)} left" if rem >= dt.timedelta(0)
                     else f", {_duration(-rem)} over")
        if r.share is not None:
            used += f" ({r.share:.0%})"
        extra.append(used)
    if r.note:
        extra.append(str(r.note))
    tail = "  ·  ".join(extra)
    room = (_X1 - _X0) / (_CHAR * 1.12) - len(r.metric) - len(status) - 3  # 12.5px text
    target = _clip(str(r.target), max(room - len(tail) - 5, room * 0.45))
    tail = _clip(tail, room - len(target) - 5)
    full = f"{r.metric} {status}  {r.target}" + (f"  ·  {'  ·  '.join(extra)}" if extra else "")
    parts = [f"<title>{_e(full)}</title>",
             f'<tspan class="b">{_e(r.metric)}</tspan>',
             f' <tspan class="b {_e(r.status)}">{_e(status)}</tspan>',
             f'<tspan class="muted">  {_e(target)}</tspan>']
    if tail:
        parts.append(f'<tspan class="muted">  ·  {_e(tail)}</tspan>')
    return parts


def _band_offset(r: Any) -> int:
    """Where a lane's band starts below its top: under the header and one row per escalation
    label (at most three)."""
    return 28 + 12 * min(len(r.escalations), 3)


def _lane_height(r: Any) -> int:
    """A lane: the header, the escalation labels, the band and three rows of labels below."""
    return 26 if r.start is None else _band_offset(r) + _BAND + 52


def _lane(r: Any, y: float, scale: _Scale, zone: Any, case: Any) -> str:
    out = [f'<g class="lane"><text x="{_X0}" y="{y + 14}" class="hd">{"".join(_status_line(r))}'
           "</text>"]
    if r.start is None:
        return "".join(out) + "</g>"
    band = y + _band_offset(r)
    mid = band + _BAND / 2
    above = _Labels((band - 15, band - 27, band - 39))
    below = _Labels((band + _BAND + 17, band + _BAND + 30, band + _BAND + 43))
    segments = r.segments()
    end_x = scale.x(segments[-1].end) if segments else scale.x(r.start)
    far = max([end_x, *(scale.x(t) for t in _instants(r))])
    out.append(f'<line x1="{scale.x(r.start)}" y1="{mid}" x2="{far}" y2="{mid}" class="base"/>')
    # the case's own pauses (whole intervals, whatever the coverage), behind everything
    groups = _pause_groups(segments)
    if case is not None:
        last = segments[-1].end if segments else r.start
        groups = []
        for p in case.pauses:
            if p.start >= last or (p.end is not None and p.end <= r.start):
                continue
            end = p.end if p.end is not None else last
            stops = any(str(s.reason) == f"paused: {p.reason}" for s in segments)
            if stops:
                groups.append((max(p.start, r.start), min(end, last), str(p.reason)))
    for a, b, why in groups:
        xa, xb = scale.x(a), scale.x(b)
        out.append(f'<rect x="{xa}" y="{band - 4}" width="{max(xb - xa, 1.5):.1f}" '
                   f'height="{_BAND + 8}" class="pausebg"><title>paused: {_e(why)} '
                   f"({_when(a, zone)} – {_when(b, zone)})</title></rect>")
        out.append(below.place((xa + xb) / 2, f"paused: {why}", "wait",
                               f"{_when(a, zone)} – {_when(b, zone)}"))
    for seg in segments:
        xa, xb = scale.x(seg.start), scale.x(seg.end)
        w = max(xb - xa, 0.8)
        reason = str(seg.reason)
        tip = (f"<title>{_e(_when(seg.start, zone))} – {_e(_when(seg.end, zone))}: "
               f"{'counted' if seg.counted else 'skipped'}, {_e(reason)}</title>")
        if seg.counted:
            out.append(f'<rect x="{xa}" y="{band}" width="{w:.1f}" height="{_BAND}" '
                       f'class="cov">{tip}</rect>')
        elif reason.startswith("paused: "):
            out.append(f'<rect x="{xa}" y="{band}" width="{w:.1f}" height="{_BAND}" '
                       f'class="pause">{tip}</rect>')
        elif "holiday" in reason or "weekend" in reason:
            cls = "hol" if "holiday" in reason else "wkd"
            out.append(f'<rect x="{xa}" y="{band - 2}" width="{w:.1f}" height="{_BAND + 4}" '
                       f'class="{cls}">{tip}</rect>')
            text = _gap_label(reason, w)
            if text:
                out.append(f'<text x="{(xa + xb) / 2 - len(text) * _CHAR / 2:.1f}" '
                           f'y="{band + 12}" class="muted">{_e(text)}</text>')
        else:
            out.append(f'<rect x="{xa}" y="{band}" width="{w:.1f}" height="{_BAND}" '
                       f'fill-opacity="0">{tip}</rect>')
    out.extend(_markers(r, band, scale, zone, above, below))
    return "".join(out) + "</g>"


def _markers(r: Any, band: float, scale: _Scale, zone: Any, above: _Labels,
             below: _Labels) -> list[str]:
    """The clock's start, the escalation steps, the deadline and the achievement."""
    mid = band + _BAND / 2
    out = []
    xs = scale.x(r.start)
    out.append(f'<line x1="{xs}" y1="{band - 5}" x2="{xs}" y2="{band + _BAND + 5}" '
               'class="start"/>')
    out.append(below.place(xs, f"start {_when(r.start, zone)}", "",
                           "the metric's clock starts"))
    for esc in r.escalations:
        x = scale.x(esc.at)
        status = str(esc.status)
        out.append(f'<path d="M{x - 5} {band - 11} L{x + 5} {band - 11} L{x} {band - 3} Z" '
                   f'class="esc-{_e(status)}"><title>{_e(esc.name)} {_e(status)} at '
                   f"{_e(_when(esc.at, zone))}{_e(' → ' + esc.notify if esc.notify else '')}"
                   "</title></path>")
        cls = "esct-skipped" if status == "skipped" else "esc"
        word = {"fired": "", "pending": " (pending)", "skipped": " (not needed)"}.get(status, "")
        out.append(above.place(x, f"{esc.name} {esc.at.astimezone(zone):%H:%M}{word}", cls,
                               f"{esc.name}{' → ' + esc.notify if esc.notify else ''}"))
    if r.deadline is not None:
        x = scale.x(r.deadline)
        out.append(f'<line x1="{x}" y1="{band - 7}" x2="{x}" y2="{band + _BAND + 7}" '
                   'class="dl"/>')
        out.append(below.place(x, f"deadline {_when(r.deadline, zone)}", "dlt",
                               f"due {r.deadline.isoformat()}"))
    if r.achieved is not None:
        x = scale.x(r.achieved)
        cls = "met" if r.status == "met" else "breached"
        out.append(f'<path d="M{x} {mid - 7} L{x + 7} {mid} L{x} {mid + 7} L{x - 7} {mid} Z" '
                   f'class="{cls}"><title>achieved {_e(r.achieved.isoformat())}</title></path>')
        out.append(below.place(x, f"achieved {_when(r.achieved, zone)}", cls,
                               f"achieved {r.achieved.isoformat()} ({r.status})"))
    return out

