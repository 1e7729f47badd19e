"""Times as the kit writes them into YAML: UTC, `Z`, milliseconds only when needed."""

from __future__ import annotations

from datetime import UTC, datetime

from kit.errors import quote


def now() -> datetime:
    """The current UTC time, to the millisecond (the precision written to files)."""
    t = datetime.now(UTC)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def yaml_time(at: datetime) -> str:
    at = at.astimezone(UTC)
    text = at.strftime("%Y-%m-%dT%H:%M:%S")
    if at.microsecond:
        text += f".{at.microsecond:06d}".rstrip("0")
    return text + "Z"


def iso(moment: datetime) -> str:
    """A time as run records and resolutions write it: UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time with a zone (`Z` or an offset); ValueError otherwise."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{quote(text)} has no time zone")
    return moment
