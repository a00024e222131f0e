"""``core.geo.locate``: typed coordinates, and places, addresses and postcodes through the modules' geocoders."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from mitwirken.core.geo import distance_m, locate
from mitwirken.reports.models import Place


def test_typed_coordinates_in_both_notations() -> None:
    assert locate("49,99; 8,27") == (49.99, 8.27)
    assert locate("49.99 8.27") == (49.99, 8.27)
    with pytest.raises(ValidationError, match="außerhalb"):
        locate("99,1; 8,2")


@pytest.mark.django_db
def test_a_postcode_gives_the_middle_of_its_places_and_a_name_one_place() -> None:
    Place.objects.create(name="Hauptstraße", municipality="Beispielhausen", postal_code="56789", lon=7.60, lat=50.06)
    Place.objects.create(name="Kirchweg", municipality="Beispielhausen", postal_code="56789", lon=7.62, lat=50.04)
    Place.objects.create(name="Hauptstraße", municipality="Anderswo", postal_code="66666", lon=9.2, lat=51.2)
    lat, lon = locate("56789")
    assert (round(lat, 4), round(lon, 4)) == (50.05, 7.61)
    assert locate("Kirchweg") == (50.04, 7.62)
    assert locate("Hauptstraße, 66666 Anderswo") == (51.2, 9.2)


@pytest.mark.django_db
def test_unknown_and_ambiguous_text_is_explained_in_german() -> None:
    Place.objects.create(name="Hauptstraße", municipality="Dorf", postal_code="55555", lon=7.35, lat=49.35)
    Place.objects.create(name="Hauptstraße", municipality="Anderswo", postal_code="66666", lon=9.2, lat=51.2)
    with pytest.raises(ValidationError, match="mehreren Orten"):
        locate("Hauptstraße")
    with pytest.raises(ValidationError, match=r"kennen wir nicht.*Koordinaten"):
        locate("Atlantis")
    with pytest.raises(ValidationError, match="kennen wir nicht"):
        locate("99999")


def test_distance_is_the_great_circle() -> None:
    # Mainz to Wiesbaden, about 9 km.
    assert 8_000 < distance_m(8.2473, 49.9929, 8.2398, 50.0782) < 10_000
