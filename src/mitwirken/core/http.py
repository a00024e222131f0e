from django.http import HttpRequest

from mitwirken.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """The request type of views behind ``login_required``: ``user`` is a real account."""

    user: User  # type: ignore[assignment]
