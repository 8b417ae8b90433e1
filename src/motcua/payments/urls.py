from django.urls import path

from motcua.payments import views

app_name = "payments"

urlpatterns = [
    # Providers' callbacks (no session, no CSRF: the signature is the proof).
    path("cong/callback", views.callback_province, name="callback_province"),
    path("dvcqg/callback", views.callback_national, name="callback_national"),
    # The citizen's way: start from the tracking page, come back, download the receipt.
    path("ho-so/<str:code>/", views.pay_start, name="start"),
    path("tra-ve/<str:order_id>/", views.pay_return, name="return"),
    path("bien-lai/<path:number>.pdf", views.receipt_pdf, name="receipt_pdf"),
    # The desk officer's payment form.
    path("quay/<str:code>/", views.desk_payment, name="desk"),
]
