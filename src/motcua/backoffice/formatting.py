"""Vietnamese wording of durations and countdowns shown to officers."""

from django.utils.translation import gettext as _

from motcua.core.formatting import date_vi
from motcua.dossiers.models import Dossier, State


def working_duration(seconds: int, *, day_seconds: int) -> str:
    """ "2 ngày 3 giờ làm việc" from a day up; "3 giờ 20 phút" below (a working day is
    `day_seconds` long, 8 hours by default)."""
    seconds = abs(int(seconds))
    if day_seconds and seconds >= day_seconds:
        days, rest = divmod(seconds, day_seconds)
        hours = rest // 3600
        if hours:
            return _("%(days)d ngày %(hours)d giờ làm việc") % {"days": days, "hours": hours}
        return _("%(days)d ngày làm việc") % {"days": days}
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours and minutes:
        return _("%(hours)d giờ %(minutes)d phút") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d giờ") % {"hours": hours}
    if minutes:
        return _("%(minutes)d phút") % {"minutes": minutes}
    return _("dưới 1 phút")


def time_left_text(*, dossier: Dossier, seconds: int | None, day_seconds: int) -> str:
    """The countdown; for a dossier rescheduled by an apology, first that it is late against the
    date first promised ("Đã hẹn lại — trễ so với hẹn ban đầu 15/03/2024; còn 4 ngày đến hẹn mới")."""
    countdown = _countdown(dossier=dossier, seconds=seconds, day_seconds=day_seconds)
    if not (dossier.rescheduled and dossier.is_open):
        return countdown
    late = _("Đã hẹn lại — trễ so với hẹn ban đầu %(date)s") % {
        "date": date_vi(dossier.first_due_at)
    }
    if seconds is not None:
        against_new = _("đến hẹn mới") if seconds >= 0 else _("so với hẹn mới")
        countdown = f"{countdown} {against_new}"
    return f"{late}; {countdown}"


def _countdown(*, dossier: Dossier, seconds: int | None, day_seconds: int) -> str:
    if dossier.clock_paused:
        if dossier.state == State.FINANCIAL_OBLIGATION:
            return _("tạm dừng chờ thực hiện nghĩa vụ tài chính")
        return _("tạm dừng chờ bổ sung")
    if dossier.state == State.SUBMITTED_ONLINE:
        return _("chưa tiếp nhận")
    if not dossier.is_open:
        return _("đã kết thúc")
    if seconds is None:
        return "—"
    if seconds < 0:
        return _("quá hạn %(time)s") % {"time": working_duration(seconds, day_seconds=day_seconds)}
    return _("còn %(time)s") % {"time": working_duration(seconds, day_seconds=day_seconds)}
