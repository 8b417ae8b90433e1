"""Any change to overrides or schedules invalidates the calendars cached by `selectors`."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from motcua.workcalendar import selectors
from motcua.workcalendar.models import CalendarOverride, WorkingSchedule


@receiver(post_save, sender=CalendarOverride)
@receiver(post_delete, sender=CalendarOverride)
@receiver(post_save, sender=WorkingSchedule)
@receiver(post_delete, sender=WorkingSchedule)
def _calendar_changed(**kwargs) -> None:
    selectors.calendar_cache_clear()
