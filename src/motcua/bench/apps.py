from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "motcua.bench"
    label = "bench"
    verbose_name = "Đo hiệu năng"
