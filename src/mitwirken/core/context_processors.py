from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: only pages that show the badge pay for the query.
        from .models import Notification

        def count() -> int:
            return Notification.objects.for_user(user).unread().count()

        return {"site_name": settings.SITE_NAME, "unread_notifications": count}
    return {"site_name": settings.SITE_NAME, "unread_notifications": unread}
