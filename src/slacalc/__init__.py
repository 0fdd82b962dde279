"""slacalc: service-level deadlines for IT maintenance contracts.

Business-time calendars with statutory holidays and weekend make-up workdays (调休), the 15:00
cutoff rule, and a fast deadline engine.

>>> import datetime as dt
>>> import slacalc as sla
>>> cal = sla.Calendar.from_coverage("5x8", country="CN")
>>> cal.add(dt.datetime(2026, 11, 22, 10, tzinfo=cal.tz), dt.timedelta(hours=2))  # a Sunday
datetime.datetime(2026, 11, 23, 11, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
"""

from slacalc._batch import evaluate_many, evaluate_stream
from slacalc.alarms import Alarm, alarms
from slacalc.calendar import Calendar, DayInfo, Segment
from slacalc.case import Case, Pause, SeverityChange
from slacalc.compare import Change, Comparison, compare
from slacalc.coverage import Coverage, Hours
from slacalc.errors import (
    CoverageError,
    DurationError,
    HorizonError,
    HorizonWarning,
    MissingDependencyError,
    NaiveDatetimeError,
    OutOfRangeError,
    SlaError,
    SlaValueError,
    SlaWarning,
    UnknownCountryError,
    UnknownTimezoneError,
)
from slacalc.evaluation import Escalation, Evaluation, MetricResult, Status, evaluate
from slacalc.policy import (
    METRICS,
    ClockRules,
    Due,
    EscalationLadder,
    EscalationStep,
    Measure,
    Policy,
    PolicyError,
    Schedule,
    ServiceTier,
    Severity,
    TargetRule,
    When,
)
from slacalc.report import MeasureResult, Report, Tally, report
from slacalc.table import ResultTable, evaluate_table, result_schema
from slacalc.targets import BusinessDays, NextBusinessDay, NextDay, Target, Within

__version__ = "0.1.0"

__all__ = [
    "METRICS",
    "Alarm",
    "BusinessDays",
    "Calendar",
    "Case",
    "Change",
    "ClockRules",
    "Comparison",
    "Coverage",
    "CoverageError",
    "DayInfo",
    "Due",
    "DurationError",
    "Escalation",
    "EscalationLadder",
    "EscalationStep",
    "Evaluation",
    "HorizonError",
    "HorizonWarning",
    "Hours",
    "Measure",
    "MeasureResult",
    "MetricResult",
    "MissingDependencyError",
    "NaiveDatetimeError",
    "NextBusinessDay",
    "NextDay",
    "OutOfRangeError",
    "Pause",
    "Policy",
    "PolicyError",
    "Report",
    "ResultTable",
    "Schedule",
    "Segment",
    "ServiceTier",
    "Severity",
    "SeverityChange",
    "SlaError",
    "SlaValueError",
    "SlaWarning",
    "Status",
    "Tally",
    "Target",
    "TargetRule",
    "UnknownCountryError",
    "UnknownTimezoneError",
    "When",
    "Within",
    "__version__",
    "alarms",
    "compare",
    "evaluate",
    "evaluate_many",
    "evaluate_stream",
    "evaluate_table",
    "report",
    "result_schema",
    "templates",
]


def __getattr__(name: str) -> object:
    # ``slacalc.templates`` is imported on first use: it reads package resources at import.
    if name == "templates":
        import importlib  # noqa: PLC0415 - lazy by design

        return importlib.import_module("slacalc.templates")
    raise AttributeError(f"module 'slacalc' has no attribute {name!r}")
