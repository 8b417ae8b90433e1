from django.urls import path

from motcua.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("dang-nhap/ma-xac-thuc/", views.two_factor_verify, name="two_factor"),
    path("xac-thuc-hai-buoc/", views.two_factor_enrol, name="two_factor_enrol"),
    path("tai-khoan/doi-mat-khau/", views.password_change, name="password_change"),
    path("ho-so/", views.inbox, name="inbox"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path(
        "ho-so/<str:code>/giay-to/<int:document_id>/",
        views.dossier_document,
        name="dossier_document",
    ),
    path("ho-so/<str:code>/thao-tac/<slug:action>/", views.dossier_action, name="dossier_action"),
    path(
        "ho-so/<str:code>/du-thao-ket-qua/", views.dossier_result_draft_attach, name="result_draft"
    ),
]
