"""Import from the admin (being built)."""

from django.http import HttpResponse


def import_view(model_admin, request):
    return HttpResponse("Not built yet", status=501)
