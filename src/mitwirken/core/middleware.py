from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict


def content_security_policy() -> str:
    img_sources = ["'self'", "data:"]
    if settings.MITWIRKEN_TILE_URL:
        from .maps import tile_origin

        # Allow the configured tile server's origin, nothing else.
        origin = tile_origin(settings.MITWIRKEN_TILE_URL)
        if origin:
            img_sources.append(origin)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(img_sources)}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline scripts, and a strict permissions policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The Django admin (5.2) has no inline scripts or styles either, so it gets the same policy.
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class BoundedIdsMiddleware:
    """A number in a URL that no row can have is "not found" (404), decided once for every ``<int:…>`` path.

    Django's ``int`` converter takes any number of digits; ``/maengelmelder/99999999999999999999/…`` then
    overflows SQLite's or PostgreSQL's integer types inside the view (500). Every key in the portal is a
    ``bigint`` (``core.ids.MAX_ID``); a middleware covers every pattern, including those added later and those
    of third-party apps, without a converter each URL file would have to remember.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        from mitwirken.core.ids import MAX_ID

        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and not -MAX_ID <= value <= MAX_ID:
                raise Http404


class NulInQueryMiddleware:
    """NUL characters never reach a view from the address: they are dropped from the path and the query.

    PostgreSQL cannot store or compare text with NUL bytes (the driver raises), so a search field, filter,
    slug or API parameter fed ``%00`` would end in a 500 on production while SQLite shrugs. No address or
    parameter of the portal has a use for the character, so it is dropped like surrounding white space, in
    one place for every page, the API and Open311 alike; each then answers in its own format (a page, a
    JSON error, the GeoReport error body) as for any other unknown value.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            request.path_info = request.path_info.replace("\x00", "")
            request.path = request.path.replace("\x00", "")
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
            cleaned._mutable = False
            request.GET = cleaned  # type: ignore[assignment]
        return self.get_response(request)


class StorageUnavailableMiddleware:
    """The object storage does not answer: a page that says so, with status 503, instead of a server error.

    Uploads are stored before their row is saved, inside the request's work, so a failed upload leaves no row
    behind; the citizen goes back, and the browser still holds what was typed. Pages that need no file work on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from botocore.exceptions import BotoCoreError, ClientError

        if not isinstance(exception, BotoCoreError | ClientError):
            return None
        import logging

        from django.template.loader import render_to_string

        logging.getLogger(__name__).error("object storage unavailable: %s", exception)
        response = HttpResponse(render_to_string("503_storage.html"), status=503)
        response["Retry-After"] = "60"
        return response
