from django.shortcuts import render

from requests_app.selectors import jurisdictions_overview


def home(request):
    return render(request, "frontend/home.html", {"jurisdictions": jurisdictions_overview()})
