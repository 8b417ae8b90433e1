"""Local time of Vietnam (UTC+7): every period, date and report is read in it (docs/domain.md §8)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    return datetime.now(tz=LOCAL_TZ)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is LOCAL_TZ:  # most values already are: skip astimezone's offset lookup
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(LOCAL_TZ)


def local_date(value: datetime) -> date:
    return to_local(value).date()


def local_datetime(day: date, at: time = time(0, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def parse_aware(text: str) -> datetime:
    """ISO 8601 (offset optional: none means UTC+7) or compact yyyyMMddHHmmss (UTC+7)."""
    text = text.strip()
    if len(text) == 14 and text.isdigit():
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=LOCAL_TZ)
    return to_local(datetime.fromisoformat(text))
