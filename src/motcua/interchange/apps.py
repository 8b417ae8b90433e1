from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "motcua.interchange"
    label = "interchange"
    verbose_name = "Trao đổi dữ liệu (nhập, xuất)"
