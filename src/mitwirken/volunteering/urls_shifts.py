"""URLs of signing up for shifts, the waiting list, swaps, and a shift's helper list."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import coordinator_shifts, views_shifts

COORDINATOR = "ehrenamt/verein/<slug:org_slug>/schichten/"

urlpatterns: list[URLPattern] = [
    path("ehrenamt/angebote/<int:pk>/schichten/", views_shifts.shifts, name="shifts"),
    path("ehrenamt/schichten/", views_shifts.my_shifts, name="my_shifts"),
    path("ehrenamt/schichten/<int:pk>/eintragen/", views_shifts.sign_up, name="shift_sign_up"),
    path("ehrenamt/schichten/eintragung/<int:pk>/absagen/", views_shifts.cancel, name="shift_cancel"),
    path("ehrenamt/schichten/eintragung/<int:pk>/tausch/", views_shifts.offer_swap, name="shift_offer_swap"),
    path("ehrenamt/schichten/eintragung/<int:pk>/uebernehmen/", views_shifts.take_swap, name="shift_take_swap"),
    path("ehrenamt/schichten/eintragung/<int:pk>/kalender.ics", views_shifts.shift_calendar, name="shift_ics"),
    path(COORDINATOR, coordinator_shifts.shift_list, name="coordinator_shifts"),
    path(f"{COORDINATOR}<int:pk>/", coordinator_shifts.shift_detail, name="coordinator_shift"),
    path(f"{COORDINATOR}<int:pk>/hinzufuegen/", coordinator_shifts.add_helper, name="coordinator_shift_add"),
    path(f"{COORDINATOR}<int:pk>/entfernen/<int:signup_pk>/", coordinator_shifts.remove_helper,
         name="coordinator_shift_remove"),
    path(f"{COORDINATOR}<int:pk>/nachricht/", coordinator_shifts.message_helpers, name="coordinator_shift_message"),
]  # fmt: skip
backoffice_urlpatterns: list[URLPattern] = []
