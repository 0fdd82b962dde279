"""Render slacalc's notebook views to PNG files for the docs, in a light and a dark page.

Needs Debian's ``chromium`` (``apt-get install -y chromium``); not run by the test suite.

    .venv/bin/python tools/render_views.py            # writes docs/images/view-*.png
    .venv/bin/python tools/render_views.py --html-only  # only the HTML pages, in a temp folder

Each view is wrapped in a page whose background and text colour are those of a light or a dark
notebook theme; the view itself sets neither, so the pictures show that it reads on both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import shutil
import subprocess
import sys
import tempfile

import slacalc as sla
from slacalc import views

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"

THEMES = {
    "light": ("#ffffff", "#1f2328"),
    "dark": ("#111418", "#d8dee4"),
}

# width and height of the browser window per view (the screenshot is the window)
SIZES = {
    "calendar-month": (820, 470),
    "calendar-year": (1100, 1010),
    "calendar": (560, 200),
    "policy": (1220, 1500),
    "evaluation": (1000, 360),
    "report": (760, 330),
    "table": (1100, 330),
}

POLICY = {
    "name": "field-service",
    "description": "Remote response around the clock; restore within business hours.",
    "calendars": {
        "always": {"coverage": "7x24", "tz": "Asia/Shanghai"},
        "business": {"coverage": "5x8", "country": "CN"},
    },
    "severities": [
        {"id": "A", "name": "outage", "targets": [
            {"metric": "response", "calendar": "always", "within": "30m"},
            {"metric": "restore", "calendar": "business", "within": "8h"},
        ]},
        {"id": "B", "name": "degraded", "targets": [
            {"metric": "response", "calendar": "always", "within": "2h"},
            {"metric": "restore", "calendar": "business",
             "next_business_day": {"cutoff": "15:00", "by": "17:00"}},
        ]},
    ],
    "escalations": [
        {"metric": "restore", "steps": [
            {"name": "half-time", "at": 0.5, "notify": "duty lead"},
            {"name": "warning", "offset": "-1h", "notify": "service manager"},
            {"name": "breach", "offset": "+0m", "notify": "account owner"},
        ]},
    ],
    "clock": {"pause_reasons": ["customer_info"], "severity_change": "restart"},
    "measures": [
        {"name": "restore_on_time", "kind": "on_time", "metric": "restore",
         "at_least": "90%", "period": "month", "calendar": "business"},
        {"name": "response_on_time", "kind": "on_time", "metric": "response",
         "at_least": "95%", "period": "month", "calendar": "business"},
        {"name": "satisfaction", "kind": "average_satisfaction", "at_least": 4,
         "period": "quarter", "calendar": "business"},
    ],
}


def cases(tz: object) -> list[sla.Case]:
    """120 cases over July-September 2026, some late."""
    out = []
    for i in range(120):
        day = dt.date(2026, 7, 1) + dt.timedelta(days=(i * 7) % 88)
        opened = dt.datetime(day.year, day.month, day.day, 9 + i % 8, tzinfo=tz)  # type: ignore[arg-type]
        hours = 1 + (i * 5) % 11
        out.append(sla.Case(
            f"T-{i:03d}", opened, "AB"[i % 2],
            achieved={"response": opened + dt.timedelta(minutes=10 + (i * 13) % 45),
                      "restore": opened + dt.timedelta(hours=hours)},
            closed=opened + dt.timedelta(hours=hours + 1), satisfaction=3 + i % 3,
        ))
    return out


def examples() -> dict[str, str]:
    """The markup of every view, built from a small contract and a few cases."""
    cal = sla.Calendar.from_coverage("5x8", country="CN")
    policy = sla.Policy.from_dict(POLICY)
    tz = cal.tz
    case = sla.Case(
        "INC-2026-0931 <printer & scanner>",
        dt.datetime(2026, 9, 29, 10, 0, tzinfo=tz), "A", tier="gold", zone="north",
        achieved={"response": dt.datetime(2026, 9, 29, 10, 20, tzinfo=tz),
                  "restore": dt.datetime(2026, 10, 8, 15, 30, tzinfo=tz)},
        pauses=[sla.Pause(dt.datetime(2026, 9, 29, 13, 0, tzinfo=tz),
                          dt.datetime(2026, 9, 30, 10, 0, tzinfo=tz), "customer_info")],
    )
    evaluation = sla.evaluate(policy, case)
    many = cases(tz)
    report = sla.report(policy, many)
    results = sla.evaluate_many(policy, many[:12])
    columns: dict[str, list[object]] = {
        "case_id": [], "metric": [], "status": [], "deadline": [], "achieved": [],
        "remaining": [], "share": [],
    }
    for ev in results:
        for r in ev:
            columns["case_id"].append(ev.case_id)
            columns["metric"].append(r.metric)
            columns["status"].append(r.status)
            columns["deadline"].append(r.deadline)
            columns["achieved"].append(r.achieved)
            columns["remaining"].append(r.remaining)
            columns["share"].append(r.share)
    return {
        "calendar-month": str(cal.view(2026, 10)),
        "calendar-year": str(cal.view(2026)),
        "calendar": cal._repr_html_(),
        "policy": sla.templates.load("standard-contract")._repr_html_(),
        "evaluation": views.evaluation_html(evaluation, case),
        "report": report._repr_html_(),
        "table": views.table_html(columns, max_rows=8),
    }


def render_plots() -> None:
    """The plot helpers' pictures (matplotlib's Agg backend; no browser needed)."""
    import matplotlib  # noqa: PLC0415 - only this step needs it

    matplotlib.use("Agg")
    from slacalc import plots  # noqa: PLC0415

    policy = sla.Policy.from_dict(POLICY)
    many = cases(policy.calendar("business").tz)
    evaluations = list(sla.evaluate_many(policy, many))
    for name, ax in (("plot-on-time", plots.on_time(sla.report(policy, many))),
                     ("plot-remaining", plots.remaining(evaluations))):
        png = OUT / f"view-{name}.png"
        ax.figure.tight_layout()
        ax.figure.savefig(png, dpi=100)
        print(png.relative_to(ROOT))


def shrink(png: pathlib.Path) -> None:
    """Store a screenshot with a 256-colour palette (a fraction of the size, no visible loss
    for flat colours and text), when Pillow is installed."""
    try:
        from PIL import Image  # noqa: PLC0415 - optional: matplotlib brings it
    except ImportError:
        return
    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


def screenshot(browser: str, html_file: pathlib.Path, png: pathlib.Path,
               size: tuple[int, int]) -> None:
    """One headless Chromium screenshot of a page; tried again once if the browser hangs."""
    width, height = size
    for attempt in (1, 2):
        profile = tempfile.mkdtemp(prefix="chromium-")
        try:
            subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--hide-scrollbars", "--run-all-compositor-stages-before-draw",
                 "--virtual-time-budget=3000", f"--user-data-dir={profile}",
                 f"--screenshot={png}", f"--window-size={width},{height}", html_file.as_uri()],
                check=True, capture_output=True, timeout=90,
            )
            shrink(png)
            return
        except subprocess.TimeoutExpired:
            if attempt == 2:
                raise
        finally:
            shutil.rmtree(profile, ignore_errors=True)


def page(markup: str, theme: str) -> str:
    background, colour = THEMES[theme]
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/></head>"
        f"<body style=\"margin:14px;background:{background};color:{colour};"
        "font-family:'DejaVu Sans',sans-serif\">"
        f"{markup}</body></html>"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html-only", action="store_true", help="write the HTML pages only")
    parser.add_argument("--only", help="render only the views whose name contains this")
    args = parser.parse_args(argv)
    work = pathlib.Path(tempfile.mkdtemp(prefix="slacalc-views-"))
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None and not args.html_only:
        print("chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.html_only and (not args.only or "plot" in args.only):
        render_plots()
    for name, markup in examples().items():
        if args.only and args.only not in name:
            continue
        for theme in THEMES:
            html_file = work / f"{name}-{theme}.html"
            html_file.write_text(page(markup, theme), encoding="utf-8")
            if args.html_only:
                print(html_file)
                continue
            assert browser is not None
            png = OUT / f"view-{name}-{theme}.png"
            screenshot(browser, html_file, png, SIZES[name])
            print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
