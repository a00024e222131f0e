from django.contrib import admin
from django.urls import include, path

from mitwirken.api.api import api
from mitwirken.core import views as core_views
from mitwirken.core.urls import page_urlpatterns
from mitwirken.projects.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("admin/", admin.site.urls),
    path("konto/", include("mitwirken.accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("open311/v2/", include("mitwirken.reports.open311_urls")),
    path("verwaltung/", include("mitwirken.backoffice_urls")),
    path("", include((page_urlpatterns, "pages"))),
    path("", include("mitwirken.core.urls")),
    path("", include("mitwirken.projects.urls")),
    path("", include("mitwirken.formal.urls")),
    path("", include("mitwirken.reports.urls")),
    path("", include("mitwirken.dialogue.urls")),
    # Organisation pages take the remaining first path segments; their slugs cannot collide (RESERVED_SLUGS).
    path("", include("mitwirken.organisations.urls")),
]

handler404 = "mitwirken.core.views.error_404"
handler500 = "mitwirken.core.views.error_500"
