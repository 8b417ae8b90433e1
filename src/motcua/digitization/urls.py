from django.urls import path

from motcua.digitization import views

# Mounted at the site's root by config/urls.py: the address is printed on paper (QR codes).
urlpatterns = [
    path("xac-thuc-ket-qua/", views.verify, name="result_verify"),
    # Officers: search the recognised text of scans (docs/digitization.md).
    path("tim-giay-to/", views.document_search, name="document_search"),
]
