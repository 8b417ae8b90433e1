from django.urls import path

from motcua.feedback import portal_views as views

app_name = "feedback_portal"

urlpatterns = [
    path("phan-anh-kien-nghi/tra-cuu/", views.lookup, name="lookup"),
    path("phan-anh-kien-nghi/da-tra-loi/", views.published, name="published"),
    path("phan-anh-kien-nghi/da-tra-loi/<str:reference>/y-kien/", views.react, name="react"),
    path("phan-anh-kien-nghi/<str:reference>/", views.track, name="track"),
    path("phan-anh-kien-nghi/<str:reference>/<slug:action>/", views.track_act, name="track_act"),
    path("danh-gia-tai-quay/", views.kiosk, name="kiosk"),
    path("danh-gia-tai-quay/danh-gia/", views.kiosk_rate, name="kiosk_rate"),
    path("danh-gia/<str:token>/", views.rating_link, name="rating_link"),
]
