from django.urls import path, re_path

from motcua.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("xep-hang/", views.rankings, name="rankings"),
    path("chi-so/<str:metric>/", views.drilldown, name="drilldown"),
    path("chi-so-766/<str:indicator>/", views.scorecard_dossiers, name="scorecard_dossiers"),
    re_path(r"^tai-ve/bieu-06\.(?P<fmt>xlsx|pdf)$", views.download_form06, name="download_form06"),
    path("tai-ve/bao-cao-tom-tat.docx", views.download_brief, name="download_brief"),
    path("tai-ve/xep-hang.xlsx", views.download_rankings, name="download_rankings"),
]
