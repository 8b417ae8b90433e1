from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Lõi"

    def ready(self):
        from motcua.core import security  # noqa: F401  (registers the deployment checks)
