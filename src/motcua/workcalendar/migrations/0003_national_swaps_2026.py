"""The 2026 national days off and make-up days the `holidays` package does not carry (or that an
administrator should see with their legal source), shipped as ordinary CalendarOverride rows.

Data, not code: after `migrate` the rows are edited or deleted in the admin like any other. The
migration only adds a date that has no national row yet (an administrator's earlier entry wins),
and reversing it removes only rows still exactly as shipped. See docs/architecture.md § Calendar.
"""

from datetime import date

from django.db import migrations

NEW_YEAR = (
    "Công văn của Chính phủ ngày 25/12/2025 về hoán đổi ngày làm việc dịp Tết Dương lịch 2026"
)
TET = (
    "Thông báo của Bộ Nội vụ về lịch nghỉ Tết Âm lịch năm 2026 đối với cán bộ, công chức, "
    "viên chức: nghỉ từ thứ Bảy 14/02/2026 đến hết Chủ nhật 22/02/2026"
)
NATIONAL_DAY = (
    "Thông báo của Bộ Nội vụ về lịch nghỉ Quốc khánh năm 2026: nghỉ thứ Hai 31/08/2026, "
    "làm bù thứ Bảy 22/08/2026"
)

# (date, kind, name, source)
SWAPS_2026 = (
    (
        date(2026, 1, 2),
        "day_off",
        "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
        NEW_YEAR,
    ),
    (date(2026, 1, 10), "working_day", "Làm bù cho thứ Sáu 02/01/2026", NEW_YEAR),
    # The package names Mon 16/2–Fri 20/2; the weekends around them are listed so that a unit
    # whose schedule includes Saturday or Sunday also rests the whole nine days.
    (date(2026, 2, 14), "day_off", "Nghỉ Tết Nguyên đán Bính Ngọ", TET),
    (date(2026, 2, 15), "day_off", "Nghỉ Tết Nguyên đán Bính Ngọ", TET),
    (date(2026, 2, 21), "day_off", "Nghỉ Tết Nguyên đán Bính Ngọ", TET),
    (date(2026, 2, 22), "day_off", "Nghỉ Tết Nguyên đán Bính Ngọ", TET),
    (date(2026, 8, 22), "working_day", "Làm bù cho thứ Hai 31/08/2026", NATIONAL_DAY),
    (
        date(2026, 8, 31),
        "day_off",
        "Nghỉ Quốc khánh (hoán đổi, làm bù thứ Bảy 22/08/2026)",
        NATIONAL_DAY,
    ),
)


def ship(apps, schema_editor):
    CalendarOverride = apps.get_model("workcalendar", "CalendarOverride")
    for day, kind, name, source in SWAPS_2026:
        if not CalendarOverride.objects.filter(date=day, unit__isnull=True).exists():
            CalendarOverride.objects.create(date=day, kind=kind, name=name, source=source)


def unship(apps, schema_editor):
    CalendarOverride = apps.get_model("workcalendar", "CalendarOverride")
    for day, kind, name, source in SWAPS_2026:
        CalendarOverride.objects.filter(
            date=day, unit__isnull=True, kind=kind, name=name, source=source
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workcalendar", "0002_override_unit_source"),
    ]

    operations = [migrations.RunPython(ship, unship)]
