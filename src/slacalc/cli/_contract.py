"""The maintenance contract ``slacalc demo`` falls back on when ``slacalc.templates`` has no
``standard-contract``: four tiers, severities A-D, on-site times by site zone, spare parts by
tier and a three-step ladder for restoring service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_ONSITE_TIERS = ["gold", "platinum", "diamond"]


def _onsite_rules(calendar: str, hours: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """On-site targets by site zone for the tiers with an on-site engineer; elsewhere negotiated."""
    rules: list[dict[str, Any]] = [
        {"metric": "onsite", "calendar": calendar, "within": within,
         "when": {"zone": [zone], "tier": _ONSITE_TIERS}}
        for zone, within in hours
    ]
    rules.append({"metric": "onsite", "none": True, "when": {"zone": ["elsewhere"]}})
    return rules


_EMERGENCY_ZONES = (("city", "1h"), ("near_county", "2h"), ("far_county", "3h"))
_NORMAL_ZONES = (("city", "3h"), ("near_county", "5h"), ("far_county", "7h"))
_RESPONSE_BY_HOURS = [
    {"metric": "response", "calendar": "business", "within": "30m",
     "when": {"hours": "in", "hours_calendar": "business"}},
    {"metric": "response", "calendar": "always", "within": "1h",
     "when": {"hours": "out", "hours_calendar": "business"}},
]

#: The contract ``slacalc demo`` evaluates its sample cases with when ``slacalc.templates`` has
#: no ``standard-contract``: the four service tiers and the A-D ladder, on-site times by zone,
#: parts by tier from the diagnosis, and a three-step ladder for restoring service.
STANDARD_CONTRACT: dict[str, Any] = {
    "name": "standard-contract",
    "description": "A maintenance contract with Standard/Gold/Platinum/Diamond tiers, severities "
                   "A-D, on-site times by site zone and spare parts by tier (demo copy).",
    "calendars": {
        "business": {"coverage": "5x8", "country": "CN"},
        "extended": {"coverage": "5x24", "country": "CN"},
        "always": {"coverage": "7x24", "country": "CN"},
    },
    "clock": {
        "pause_reasons": ["customer_info", "vendor_defect", "force_majeure"],
        "exclude_reasons": ["force_majeure"],
        "severity_change": "shorter",
    },
    "tiers": [
        {"id": "standard", "name": "Standard", "remote": "7x24", "parts": "5x8xNBD",
         "onsite": False, "terms": [1, 3, 5]},
        {"id": "gold", "name": "Gold", "remote": "7x24", "parts": "5x8xNBD", "onsite": True,
         "terms": [1, 3, 5]},
        {"id": "platinum", "name": "Platinum", "remote": "7x24", "parts": "7x8xND",
         "onsite": True, "inspections_per_year": 1, "terms": [1, 3, 5]},
        {"id": "diamond", "name": "Diamond", "remote": "7x24", "parts": "7x24x4",
         "onsite": True, "inspections_per_year": 4, "terms": [1, 3, 5]},
    ],
    "severities": [
        {"id": "A", "name": "Critical", "description": "Whole network or core service down",
         "targets": [
             {"metric": "response", "calendar": "always", "within": "15m"},
             *_onsite_rules("always", _EMERGENCY_ZONES),
             {"metric": "restore", "calendar": "always", "within": "2h"},
         ]},
        {"id": "B", "name": "Major", "description": "Service degraded for many users",
         "targets": [
             {"metric": "response", "calendar": "always", "within": "30m"},
             *_onsite_rules("always", _EMERGENCY_ZONES),
             {"metric": "restore", "calendar": "always", "within": "4h"},
         ]},
        {"id": "C", "name": "Minor", "description": "A redundant part or a single user affected",
         "targets": [
             *_RESPONSE_BY_HOURS,
             {"metric": "reply", "calendar": "extended", "within": "6h"},
             *_onsite_rules("business", _NORMAL_ZONES),
         ]},
        {"id": "D", "name": "Consultation", "description": "Questions and change requests",
         "targets": [
             *_RESPONSE_BY_HOURS,
             {"metric": "reply", "calendar": "business", "within": "24h"},
         ]},
    ],
    "targets": [
        {"metric": "parts_arrive", "calendar": "business", "start": "diagnosed",
         "next_business_day": {"cutoff": "15:00", "by": "17:00"},
         "when": {"tier": ["standard", "gold"]}},
        {"metric": "parts_arrive", "calendar": "always", "start": "diagnosed",
         "next_day": {"by": "18:00"}, "when": {"tier": ["platinum"]}},
        {"metric": "parts_arrive", "calendar": "always", "start": "diagnosed", "within": "4h",
         "when": {"tier": ["diamond"]}},
    ],
    "escalations": [
        {"metric": "restore", "steps": [
            {"name": "expert", "at": 0.5, "notify": "second-line expert"},
            {"name": "vendor", "at": 0.75, "notify": "vendor TAC"},
            {"name": "manager", "offset": "+1h", "notify": "service manager"},
        ]},
    ],
}


