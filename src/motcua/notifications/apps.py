from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo cho người nộp hồ sơ"

    def ready(self) -> None:
        from motcua.notifications import receivers  # noqa: F401  (connects event_committed)
