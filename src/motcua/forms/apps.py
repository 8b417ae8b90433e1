from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficialFormsConfig(AppConfig):
    # `motcua.forms` as a package, but the label must not read as Django's own `forms`.
    name = "motcua.forms"
    label = "officialforms"
    verbose_name = _("Biểu mẫu, phiếu in")
