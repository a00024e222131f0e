from django.http import HttpRequest

from mitwirken.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """The request type of views behind ``login_required``: ``user`` is a real account."""

    user: User  # type: ignore[assignment]


def client_address(request: HttpRequest) -> str:
    """The visitor's address for per-address rate limits (django-ratelimit's ``RATELIMIT_IP_META_KEY``).

    Behind a reverse proxy every request comes from the proxy, and one limit would count the whole state's
    visitors together. The proxy then puts the address it saw into a header of its own that it overwrites on every
    request (nginx: ``proxy_set_header X-Real-IP $remote_addr``), named by ``TRUSTED_PROXY_CLIENT_IP_HEADER``.
    Anything else a client sends (``X-Forwarded-For``) is ignored: it could be anything.
    """
    import ipaddress

    from django.conf import settings

    header = getattr(settings, "MITWIRKEN_CLIENT_IP_META_KEY", "")
    given = str(request.META.get(header, "")).strip() if header else ""
    try:
        return str(ipaddress.ip_address(given))
    except ValueError:  # not behind the proxy (a probe straight to gunicorn), or a broken header
        return str(request.META.get("REMOTE_ADDR", ""))
