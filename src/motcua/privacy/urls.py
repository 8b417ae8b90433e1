from django.urls import path

from motcua.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.requests, name="requests"),
    path("hoat-dong-xu-ly/", views.processing_record, name="processing"),
    path("<int:pk>/", views.request_detail, name="request"),
]
