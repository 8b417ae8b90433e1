from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "motcua.sync"
    label = "sync"
    verbose_name = "Đồng bộ Cổng Dịch vụ công quốc gia"

    def ready(self) -> None:
        from motcua.sync import receivers  # noqa: F401  (connects the dossier signals)
