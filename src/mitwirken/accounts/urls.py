from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("profil/", views.profile, name="profile"),
    path("tastaturkuerzel/", views.keyboard_shortcuts, name="keyboard_shortcuts"),
    path("identitaeten/", views.identities, name="identities"),
    path("projekte/", views.my_projects, name="projects"),
    path("daten/", views.data, name="data"),
    path("daten/export/", views.data_export, name="data_export"),
    path("loeschen/", views.delete, name="delete"),
]
