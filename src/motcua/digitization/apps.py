from django.apps import AppConfig


class DigitizationConfig(AppConfig):
    name = "motcua.digitization"
    label = "digitization"
    verbose_name = "Số hóa và kết quả điện tử"

    def ready(self):
        from motcua.digitization import receivers  # noqa: F401  (queues OCR of committed scans)
