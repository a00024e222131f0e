from django.urls import path

from . import sign_language, views

app_name = "organisations"

urlpatterns = [
    path("<slug:org_slug>/", views.detail, name="detail"),
    path("<slug:org_slug>/logo/", views.logo, name="logo"),
    path("<slug:org_slug>/impressum/", views.legal_text, {"field": "imprint"}, name="imprint"),
    path("<slug:org_slug>/datenschutz/", views.legal_text, {"field": "privacy_notice"}, name="privacy"),
    path("<slug:org_slug>/barrierefreiheit/", views.accessibility, name="accessibility"),
    path("<slug:org_slug>/gebaerdensprache/", sign_language.organisation_page, name="sign_language"),
    path("<slug:org_slug>/netiquette/", views.legal_text, {"field": "netiquette"}, name="netiquette"),
]
