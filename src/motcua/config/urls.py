from django.contrib import admin
from django.urls import include, path

from motcua.core import health, metrics

admin.site.site_header = "Một Cửa — Quản trị hệ thống"
admin.site.site_title = "Một Cửa"
admin.site.index_title = "Quản trị"

# A lost database anywhere in a request: 503 with Retry-After (docs/operations.md, "Probes").
handler500 = "motcua.core.health.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("giam-sat/", include("motcua.dashboard.urls")),
    path("cong-dich-vu/", include("motcua.portal.urls")),
    path("cong-dich-vu/", include("motcua.feedback.urls_portal")),
    path("phan-anh/", include("motcua.feedback.urls")),
    path("bieu-mau/", include("motcua.forms.urls")),
    path("tiep-nhan/", include("motcua.desk.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),
    path("du-lieu-ca-nhan/", include("motcua.privacy.urls")),
    path("", include("motcua.digitization.urls")),
    path("", include("motcua.backoffice.urls")),
]
