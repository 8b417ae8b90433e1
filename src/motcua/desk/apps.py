from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "motcua.desk"
    label = "desk"
    verbose_name = _("Tiếp nhận hồ sơ tại quầy")
