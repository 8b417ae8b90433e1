from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "motcua.dashboard"
    label = "dashboard"
    verbose_name = "Bảng điều hành"
