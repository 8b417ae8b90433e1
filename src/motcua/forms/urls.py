from django.urls import path

from motcua.forms import views

app_name = "officialforms"

urlpatterns = [
    path("so-theo-doi/", views.logbook_page, name="logbook"),
    path("so-theo-doi.pdf", views.logbook_pdf, name="logbook_pdf"),
    path("<str:code>/<slug:slug>.pdf", views.form_pdf, name="form_pdf"),
]
