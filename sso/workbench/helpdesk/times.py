"""Times as Keycloak gives them (epoch milliseconds) and as IT reads them (Beijing time, to the minute)."""

from __future__ import annotations

import datetime as dt

BEIJING = dt.timezone(dt.timedelta(hours=8))


def epoch_ms(value: object) -> dt.datetime | None:
    """Epoch milliseconds (a number in JSON, digits in an attribute) as an aware time; anything else ``None``."""
    if isinstance(value, str):
        value = int(value) if value.strip().isdigit() else None
    return dt.datetime.fromtimestamp(int(value) / 1000, dt.UTC) if isinstance(value, (int, float)) and value else None


def when(value: dt.datetime | None) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else "—"
