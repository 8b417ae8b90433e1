from django.urls import path

from motcua.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("chi-so/<str:metric>/", views.drilldown, name="drilldown"),
]
