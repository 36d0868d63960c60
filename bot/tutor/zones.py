"""Time zone names as people type them."""

from __future__ import annotations

from zoneinfo import available_timezones

# Zone names as students may type them in any case: 'europe/berlin' is Europe/Berlin.
_ZONES = {z.casefold(): z for z in available_timezones() if "/" in z or z == "UTC"}


def zone_named(name: str) -> str | None:
    """The canonical zone for a typed name ("europe/london" → "Europe/London"), or None."""
    return _ZONES.get(name.strip().casefold())
