"""Placeholder while the service provider is built; replaced in the same series of commits."""

from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


metadata = assertion_consumer = single_logout = link = login = logout = _pending
