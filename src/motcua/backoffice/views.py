from django.shortcuts import redirect


def home(request):
    return redirect("backoffice:inbox" if request.user.is_authenticated else "backoffice:login")
