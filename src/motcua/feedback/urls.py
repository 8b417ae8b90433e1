from django.urls import path

from motcua.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tiep-nhan/", views.desk_new, name="desk_new"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/thao-tac/<slug:action>/", views.act, name="act"),
]
