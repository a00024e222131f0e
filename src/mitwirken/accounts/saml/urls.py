from django.urls import path

from . import views

app_name = "saml"

urlpatterns = [
    path("metadata/", views.metadata, name="metadata"),
    path("acs/", views.assertion_consumer, name="acs"),
    path("slo/", views.single_logout, name="slo"),
    path("verknuepfen/", views.link, name="link"),
    path("verknuepfung/<int:identity_pk>/loesen/", views.unlink, name="unlink"),
    path("<slug:provider>/anmelden/", views.login, name="login"),
    path("<slug:provider>/abmelden/", views.logout, name="logout"),
]
