from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "motcua.indicators"
    label = "indicators"
    verbose_name = "Chỉ số, chỉ tiêu"

    def ready(self) -> None:
        from motcua.indicators import receivers  # noqa: F401  (connects the event receivers)
