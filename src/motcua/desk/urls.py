from django.urls import path

from motcua.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.start, name="start"),
    path("da-tiep-nhan/<str:code>/", views.done, name="done"),
    path("<str:unit_code>/<str:procedure_code>/", views.intake, name="intake"),
]
