from django.urls import path

from motcua.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.catalogue, name="catalogue"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("thu-tuc/<str:code>/nop-ho-so/", views.submit, name="submit"),
    path("thu-tuc/<str:code>/nop-ho-so/kho-du-lieu/", views.submit_store, name="submit_store"),
    path("nop-ho-so/da-nop/", views.submitted, name="submitted"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/bo-sung/", views.dossier_supplement, name="dossier_supplement"),
    path("ho-so/<str:code>/rut-ho-so/", views.dossier_withdraw, name="dossier_withdraw"),
    path("ho-so/<str:code>/danh-gia/", views.dossier_rate, name="dossier_rate"),
    path("ho-so/<str:code>/ket-qua.pdf", views.dossier_result, name="dossier_result"),
    path("phan-anh-kien-nghi/", views.feedback, name="feedback"),
    path("phan-anh-kien-nghi/da-gui/", views.feedback_sent, name="feedback_sent"),
]
