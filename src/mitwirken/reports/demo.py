"""Demo data of the Mängelmelder: categories and who handles them, a small gazetteer and about fifty reports.

The reports go through the services (routing, confirmation, status changes, forwarding), so each one has the
history, audit entries and notifications a real one would have; afterwards their timestamps are spread over
the past weeks. ``--scale N`` adds N reports by bulk insert for benchmarks (``_scale``).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw
from shapely.geometry import Point
from shapely.prepared import prep

from mitwirken.core import geo
from mitwirken.organisations.models import Organisation

from . import routing, services
from .models import CategoryTemplate, OrganisationCategory, Place, Report, ReportStatus, ReportUpdate, Supporter

TEMPLATES = [
    ("strassenschaden", "Straßenschaden", "Schlaglöcher, Risse, abgesackte Gullys", "Verkehr"),
    ("strassenbeleuchtung", "Straßenbeleuchtung", "Defekte oder dauerhaft brennende Laternen", "Verkehr"),
    ("wilder-muell", "Wilder Müll", "Illegal abgelagerter Abfall", "Sauberkeit"),
    ("gruenflaeche", "Grünfläche", "Ungepflegte Beete, umgestürzte Bäume", "Grün"),
    ("verkehrszeichen", "Verkehrszeichen", "Beschädigte oder verdeckte Schilder", "Verkehr"),
    ("spielplatz", "Spielplatz", "Defekte Spielgeräte", "Freizeit"),
    ("gewaesser", "Gewässer", "Verunreinigungen, verstopfte Durchlässe", "Umwelt"),
    ("sonstiges", "Sonstiges", "Alles andere", "Sonstiges"),
]
# Who handles what: the Landkreis its roads (Kreisstraßen) everywhere in its area, the Verbandsgemeinden
# lighting, litter and the rest, the Ortsgemeinde its playgrounds.
HANDLERS = {
    "musterkreis": ["strassenschaden", "verkehrszeichen", "gewaesser"],
    "vg-nord": ["strassenbeleuchtung", "wilder-muell", "gruenflaeche", "sonstiges"],
    "vg-sued": ["strassenbeleuchtung", "wilder-muell", "gruenflaeche", "sonstiges"],
    "beispielhausen": ["spielplatz"],
}

# The gazetteer: (street or place, municipality, postal code, lon, lat). Beispielhausen, Nordheim and Musterdorf
# lie in the Verbandsgemeinde Nord, Südbach and Lindenau in the Verbandsgemeinde Süd. Two streets lie just across
# the border between the two (Südbacher Straße, Am Grenzgraben): the reports there are forwarded.
PLACES = [
    ("Hauptstraße", "Beispielhausen", "55487", 7.6010, 50.0500),
    ("Kirchgasse", "Beispielhausen", "55487", 7.5985, 50.0522),
    ("Schulstraße", "Beispielhausen", "55487", 7.6060, 50.0468),
    ("Am Mühlbach", "Beispielhausen", "55487", 7.5905, 50.0431),
    ("Lindenweg", "Beispielhausen", "55487", 7.6125, 50.0551),
    ("Bahnhofstraße", "Beispielhausen", "55487", 7.6032, 50.0583),
    ("Spielplatz Am Weiher", "Beispielhausen", "55487", 7.5862, 50.0602),
    ("Hauptstraße", "Nordheim", "55490", 7.5050, 50.0820),
    ("Raiffeisenstraße", "Nordheim", "55490", 7.5012, 50.0851),
    ("Am Sportplatz", "Nordheim", "55490", 7.4968, 50.0893),
    ("Friedhofstraße", "Nordheim", "55490", 7.5101, 50.0788),
    ("Waldstraße", "Nordheim", "55490", 7.5148, 50.0905),
    ("Kreisstraße K 12", "Nordheim", "55490", 7.5350, 50.0700),
    ("Dorfstraße", "Musterdorf", "55491", 7.6950, 50.0220),
    ("Kirchstraße", "Musterdorf", "55491", 7.6912, 50.0248),
    ("Gartenstraße", "Musterdorf", "55491", 7.7010, 50.0195),
    ("Im Oberdorf", "Musterdorf", "55491", 7.6885, 50.0301),
    ("Wiesenweg", "Musterdorf", "55491", 7.7055, 50.0152),
    ("Südbacher Straße", "Musterdorf", "55491", 7.6930, 49.9985),
    ("Hauptstraße", "Südbach", "55496", 7.5800, 49.9600),
    ("Bachstraße", "Südbach", "55496", 7.5835, 49.9578),
    ("Mühlenweg", "Südbach", "55496", 7.5752, 49.9625),
    ("Schillerstraße", "Südbach", "55496", 7.5871, 49.9641),
    ("Industriestraße", "Südbach", "55496", 7.5650, 49.9530),
    ("Am Grenzgraben", "Südbach", "55496", 7.6000, 50.0030),
    ("Lindenstraße", "Lindenau", "55497", 7.6700, 49.9100),
    ("Ringstraße", "Lindenau", "55497", 7.6745, 49.9122),
    ("Am Rathaus", "Lindenau", "55497", 7.6688, 49.9085),
    ("Sportplatzweg", "Lindenau", "55497", 7.6620, 49.9150),
    ("Weiherstraße", "Lindenau", "55497", 7.6790, 49.9060),
]  # fmt: skip

CITIZEN = "buerger@mitwirken.example"
GUEST = "gast@mitwirken.example"
# Staff who answer in the demo. The Verbandsgemeinden have no demo staff account, so the portal
# administration answers for them.
STAFF = {
    "musterkreis": "sachbearbeitung@musterkreis.example",
    "beispielhausen": "orgadmin@beispielhausen.example",
}
FALLBACK_STAFF = "admin@mitwirken.example"


@dataclass(frozen=True)
class DemoReport:
    """One demo report. ``reporter``: "citizen" or "guest" (accounts), "email" (confirmed by link) or
    "unconfirmed". ``steps``: (status, message) in order; ("forward", slug, message); ("duplicate", key, message).
    """

    key: str
    place: tuple[str, str]
    category: str
    reporter: str
    description: str
    days_ago: int
    steps: tuple[tuple[str, ...], ...] = ()
    name: str = ""
    publish_name: bool = False
    photo: str = ""
    supporters: tuple[str, ...] = ()


B, N, M, S, L = "Beispielhausen", "Nordheim", "Musterdorf", "Südbach", "Lindenau"
IP, FX, RJ = ReportStatus.IN_PROGRESS.value, ReportStatus.FIXED.value, ReportStatus.REJECTED.value

DEMO_REPORTS = [
    # Kreisstraßen, traffic signs and waters: Landkreis Musterkreis
    DemoReport("r01", ("Kreisstraße K 12", N), "strassenschaden", "citizen",
               "Tiefes Schlagloch auf der K 12 kurz vor dem Ortseingang Beispielhausen, Fahrtrichtung Nordheim. "
               "Radfahrer müssen auf die Gegenfahrbahn ausweichen.", 40,
               ((IP, "Die Straßenmeisterei ist informiert und repariert das Schlagloch in dieser Woche."),
                (FX, "Das Schlagloch wurde mit Kaltasphalt verfüllt. Eine dauerhafte Sanierung folgt im Frühjahr.")),
               publish_name=True, photo="schlagloch"),
    DemoReport("r02", ("Kreisstraße K 12", N), "strassenschaden", "email",
               "Schlagloch auf der Kreisstraße zwischen Nordheim und Beispielhausen, schon seit mehreren Wochen.", 38,
               (("duplicate", "r01", "Diese Stelle ist bereits gemeldet. Sie finden den Stand in der ursprünglichen Meldung."),),
               name="Jonas Weber"),
    DemoReport("r03", ("Hauptstraße", B), "strassenschaden", "guest",
               "Der Gullydeckel vor Hausnummer 12 ist abgesackt und klappert laut, wenn Autos darüberfahren.", 9,
               ((IP, "Wir haben den Schaden aufgenommen; die Reparatur ist für die nächsten Wochen eingeplant."),)),
    DemoReport("r04", ("Hauptstraße", S), "strassenschaden", "email",
               "Auf der Hauptstraße in Höhe der Bäckerei hat sich der Asphalt auf etwa zwei Metern Länge aufgewölbt.", 3,
               name="Monika Schäfer", publish_name=True, supporters=("guest",)),
    DemoReport("r05", ("Industriestraße", S), "strassenschaden", "citizen",
               "Risse und Spurrillen in der Industriestraße, vor allem vor der Einfahrt zum Wertstoffhof. Bei Regen "
               "stehen dort große Pfützen.", 19,
               ((RJ, "Die Industriestraße ist eine Privatstraße des Gewerbeparks. Bitte wenden Sie sich an dessen "
                     "Verwaltung."),)),
    DemoReport("r06", ("Sportplatzweg", L), "verkehrszeichen", "guest",
               "Das Stoppschild an der Einmündung Sportplatzweg/Ringstraße ist von einer Hecke fast vollständig verdeckt.", 60,
               ((IP, "Wir haben den Eigentümer gebeten, die Hecke zurückzuschneiden."),
                (FX, "Die Hecke ist zurückgeschnitten, das Schild ist wieder gut zu sehen."))),
    DemoReport("r07", ("Gartenstraße", M), "verkehrszeichen", "email",
               "Das Schild „Tempo 30 – Schule“ ist umgefahren worden und liegt im Straßengraben.", 20,
               ((FX, "Das Schild wurde neu aufgestellt."),), name="Karl Hoffmann"),
    DemoReport("r08", ("Friedhofstraße", N), "verkehrszeichen", "unconfirmed",
               "Der Verkehrsspiegel an der Ausfahrt Friedhofstraße ist gesprungen, man sieht darin nichts mehr.", 1),
    DemoReport("r09", ("Am Mühlbach", B), "gewaesser", "citizen",
               "Im Mühlbach treibt ein Ölfilm, es riecht stark nach Diesel. Er beginnt etwa auf Höhe der Fußgängerbrücke.", 2,
               ((IP, "Die Untere Wasserbehörde hat Proben genommen, die Feuerwehr hat eine Ölsperre gelegt."),),
               publish_name=True),
    DemoReport("r10", ("Mühlenweg", S), "gewaesser", "guest",
               "Der Durchlass unter dem Mühlenweg ist mit Ästen und Laub verstopft, das Wasser staut sich bis auf die Wiese.", 90,
               ((FX, "Der Durchlass wurde freigeräumt."),)),
    DemoReport("r11", ("Weiherstraße", L), "gewaesser", "email",
               "Am Ufer des Weihers liegen mehrere tote Fische.", 4, name="Anna Becker"),
    DemoReport("r12", ("Hauptstraße", N), "strassenschaden", "email",
               "Der Bordstein an der Bushaltestelle ist abgebrochen. Wer im Rollstuhl sitzt, kommt nicht mehr in den Bus.", 12,
               ((IP, "Die Bushaltestelle wird bis Monatsende barrierefrei instand gesetzt."),), name="Heinz Schmitt"),
    DemoReport("r13", ("Ringstraße", L), "strassenschaden", "citizen",
               "Im Kreisverkehr an der Ringstraße fehlen seit dem Winter mehrere Pflastersteine.", 8),
    DemoReport("r14", ("Wiesenweg", M), "strassenschaden", "unconfirmed",
               "Großes Schlagloch am Anfang des Wiesenwegs.", 0),
    # lighting, litter, green spaces and the rest: the Verbandsgemeinden
    DemoReport("r15", ("Kirchgasse", B), "strassenbeleuchtung", "citizen",
               "Die Laterne vor der Kirche flackert seit Tagen und geht nachts immer wieder ganz aus.", 30,
               ((IP, "Der Auftrag ist an den Netzbetreiber gegangen."), (FX, "Das Leuchtmittel wurde getauscht."))),
    DemoReport("r16", ("Kirchgasse", B), "strassenbeleuchtung", "guest",
               "Die Straßenlampe an der Kirche ist kaputt.", 29,
               (("duplicate", "r15", "Diese Laterne ist bereits gemeldet, die Reparatur ist beauftragt."),)),
    DemoReport("r17", ("Raiffeisenstraße", N), "strassenbeleuchtung", "email",
               "In der Raiffeisenstraße sind drei Laternen hintereinander dunkel, der Gehweg ist abends stockfinster.", 5,
               name="Sabine Koch", publish_name=True, supporters=("citizen", "guest")),
    DemoReport("r18", ("Im Oberdorf", M), "strassenbeleuchtung", "citizen",
               "Die Laterne am Ende der Sackgasse brennt auch tagsüber.", 45,
               ((FX, "Der Dämmerungsschalter wurde ersetzt."),)),
    DemoReport("r19", ("Bachstraße", S), "strassenbeleuchtung", "guest",
               "Ein Laternenmast an der Bachstraße ist angefahren worden und steht schief.", 6,
               ((IP, "Der Mast ist gesichert; ein neuer Mast ist bestellt."),)),
    DemoReport("r20", ("Am Grenzgraben", S), "strassenbeleuchtung", "email",
               "Die Laterne am Grenzgraben ist seit zwei Wochen aus.", 25,
               (("forward", "vg-sued", "Der Grenzgraben gehört zur Gemarkung Südbach. Wir haben Ihre Meldung an die "
                                       "Verbandsgemeinde Musterkreis-Süd weitergeleitet."),
                (IP, "Der Netzbetreiber ist beauftragt."), (FX, "Die Laterne leuchtet wieder.")),
               name="Thomas Wagner"),
    DemoReport("r21", ("Am Rathaus", L), "strassenbeleuchtung", "unconfirmed",
               "Die Laterne am Rathausplatz ist defekt.", 0),
    DemoReport("r22", ("Am Sportplatz", N), "wilder-muell", "citizen",
               "Auf dem Parkplatz am Sportplatz wurden mehrere Säcke Bauschutt und alte Autoreifen abgeladen.", 15,
               ((IP, "Der Bauhof holt den Abfall ab. Wir haben Anzeige gegen Unbekannt erstattet."),
                (FX, "Der Abfall ist abgeholt.")),
               publish_name=True, photo="muell"),
    DemoReport("r23", ("Waldstraße", N), "wilder-muell", "guest",
               "Am Waldrand hinter der Waldstraße liegt ein alter Kühlschrank.", 70,
               ((FX, "Der Kühlschrank wurde abgeholt und fachgerecht entsorgt."),)),
    DemoReport("r24", ("Bahnhofstraße", B), "wilder-muell", "email",
               "Die Glascontainer am Bahnhof quellen über, überall liegen Scherben.", 1,
               ((IP, "Die Leerung ist vorgezogen; der Bauhof kehrt die Scherben zusammen."),), name="Lena Fischer"),
    DemoReport("r25", ("Industriestraße", S), "wilder-muell", "citizen",
               "Entlang der Industriestraße wurden Dutzende Farbeimer im Gebüsch entsorgt.", 4,
               photo="farbeimer", supporters=("guest",)),
    DemoReport("r26", ("Lindenstraße", L), "wilder-muell", "email",
               "Neben dem Wertstoffcontainer in der Lindenstraße steht seit drei Wochen Sperrmüll.", 10,
               ((RJ, "Der Sperrmüll ist zur Abholung am kommenden Montag angemeldet. Es handelt sich nicht um eine "
                     "illegale Ablagerung."),), name="Peter Braun"),
    DemoReport("r27", ("Südbacher Straße", M), "wilder-muell", "guest",
               "Am Feldweg neben der Südbacher Straße wurden Gartenabfälle und Bauschutt abgeladen.", 9,
               (("forward", "vg-nord", "Die Fläche gehört zur Gemarkung Musterdorf. Wir haben Ihre Meldung an die "
                                       "Verbandsgemeinde Musterkreis-Nord weitergeleitet."),)),
    DemoReport("r28", ("Lindenweg", B), "gruenflaeche", "citizen",
               "Nach dem Sturm ist eine Birke auf den Fußweg gestürzt, man kommt nur noch über die Straße vorbei.", 50,
               ((FX, "Der Baum wurde noch am selben Tag vom Bauhof zersägt und abtransportiert."),), photo="baum"),
    DemoReport("r29", ("Dorfstraße", M), "gruenflaeche", "email",
               "Die Blumenbeete am Dorfplatz sind völlig verwildert, Brennnesseln wachsen bis auf den Gehweg.", 14,
               ((IP, "Die Beete werden in der nächsten Woche neu bepflanzt."),), name="Gerda Zimmermann",
               publish_name=True),
    DemoReport("r30", ("Schillerstraße", S), "gruenflaeche", "guest",
               "Die Hecke an der Grünanlage Schillerstraße ragt weit in den Gehweg, mit dem Kinderwagen kommt man "
               "nicht vorbei.", 7),
    DemoReport("r31", ("Schulstraße", B), "gruenflaeche", "email",
               "Ein großer Ast der Kastanie vor der Grundschule ist angebrochen und hängt über dem Schulweg.", 35,
               ((IP, "Baumpfleger sind beauftragt; der Bereich ist bis dahin abgesperrt."),
                (FX, "Der Ast ist entfernt, die Kastanie wurde auf weitere Schäden untersucht.")), name="Martin Schulz"),
    DemoReport("r32", ("Weiherstraße", L), "gruenflaeche", "citizen",
               "Die Wiese am Weiher wird nicht mehr gemäht, das Gras steht hüfthoch.", 22,
               ((RJ, "Die Wiese ist als Blühwiese für Insekten angelegt und wird bewusst nur zweimal im Jahr gemäht."),)),
    DemoReport("r33", ("Am Grenzgraben", S), "gruenflaeche", "email",
               "Die Böschung am Grenzgraben ist abgerutscht, Erde liegt auf dem Radweg.", 18,
               (("forward", "vg-sued", "Der Grenzgraben gehört zur Gemarkung Südbach. Wir haben Ihre Meldung an die "
                                       "Verbandsgemeinde Musterkreis-Süd weitergeleitet."),
                (IP, "Der Bauhof räumt den Radweg; die Böschung wird im Herbst befestigt.")), name="Klaus Richter"),
    DemoReport("r34", ("Kirchstraße", M), "sonstiges", "citizen",
               "Die Sitzbank an der Bushaltestelle Kirchstraße ist mit Graffiti beschmiert, eine Latte ist gebrochen.", 11),
    DemoReport("r35", ("Hauptstraße", S), "sonstiges", "guest",
               "Der Trinkbrunnen auf dem Marktplatz läuft ununterbrochen.", 80,
               ((FX, "Das Ventil wurde ausgetauscht."),)),
    DemoReport("r36", ("Hauptstraße", N), "sonstiges", "email",
               "Der Briefkasten vor der Post ist umgestoßen worden.", 16,
               ((RJ, "Briefkästen gehören der Deutschen Post. Bitte melden Sie den Schaden dort."),),
               name="Ursula Neumann"),
    DemoReport("r37", ("Südbacher Straße", M), "sonstiges", "email",
               "Der Zaun am Regenrückhaltebecken neben der Südbacher Straße ist umgedrückt; Kinder kommen ans Wasser.", 28,
               (("forward", "vg-nord", "Das Regenrückhaltebecken gehört der Ortsgemeinde Musterdorf. Wir haben Ihre "
                                       "Meldung an die Verbandsgemeinde Musterkreis-Nord weitergeleitet."),
                (IP, "Der Zaun ist provisorisch gesichert."), (FX, "Der Zaun ist repariert.")), name="Frank Krüger"),
    # playgrounds: Ortsgemeinde Beispielhausen
    DemoReport("r38", ("Spielplatz Am Weiher", B), "spielplatz", "citizen",
               "Die Kette der großen Schaukel ist gerissen, das Brett hängt nur noch an einer Seite.", 33,
               ((IP, "Die Schaukel ist gesperrt, Ersatzketten sind bestellt."),
                (FX, "Neue Ketten sind montiert, die Schaukel ist wieder freigegeben.")),
               publish_name=True, photo="schaukel"),
    DemoReport("r39", ("Spielplatz Am Weiher", B), "spielplatz", "guest",
               "Im Sandkasten liegen Glasscherben.", 12,
               ((FX, "Der Sand wurde gesiebt, die Scherben sind entfernt."),)),
    DemoReport("r40", ("Spielplatz Am Weiher", B), "spielplatz", "email",
               "Die Rutsche hat einen scharfen Riss an der Einstiegsplattform, Kinder können sich daran verletzen.", 1,
               name="Julia Hartmann", publish_name=True, supporters=("citizen",)),
    DemoReport("r41", ("Spielplatz Am Weiher", B), "spielplatz", "email",
               "Die Rutsche auf dem Spielplatz am Weiher ist beschädigt.", 1,
               (("duplicate", "r40", "Die Rutsche ist bereits gemeldet. Wir kümmern uns darum."),), name="Stefan Lange"),
    DemoReport("r42", ("Spielplatz Am Weiher", B), "spielplatz", "unconfirmed",
               "Am Spielplatz fehlt ein Mülleimer.", 0),
    # more of everything
    DemoReport("r43", ("Hauptstraße", B), "strassenbeleuchtung", "email",
               "Die Weihnachtsbeleuchtung an der Hauptstraße hängt immer noch an den Masten, ein Kabel baumelt auf "
               "Kopfhöhe.", 4,
               ((IP, "Der Bauhof nimmt die Beleuchtung in dieser Woche ab."),), name="Nicole Wolf"),
    DemoReport("r44", ("Waldstraße", N), "strassenschaden", "citizen",
               "Nach den Holzarbeiten ist der Weg am Ende der Waldstraße völlig zerfahren.", 26,
               ((RJ, "Der Weg ist ein Wirtschaftsweg des Forstamts. Bitte wenden Sie sich an das Forstamt Musterwald."),)),
    DemoReport("r45", ("Schillerstraße", S), "strassenbeleuchtung", "guest",
               "Zwei Laternen in der Schillerstraße gehen morgens nicht aus.", 2),
    DemoReport("r46", ("Lindenstraße", L), "verkehrszeichen", "email",
               "Das Ortsschild von Lindenau ist mit Aufklebern zugeklebt.", 100,
               ((FX, "Das Schild wurde gereinigt."),), name="Bernd Krause"),
    DemoReport("r47", ("Im Oberdorf", M), "sonstiges", "guest",
               "Der Handlauf an der Treppe zur Kirche im Oberdorf ist locker.", 6),
    DemoReport("r48", ("Bachstraße", S), "gewaesser", "citizen",
               "Unterhalb der Brücke in der Bachstraße treibt Schaum auf dem Bach.", 3,
               ((IP, "Wir prüfen, ob eine Einleitung die Ursache ist."),)),
    DemoReport("r49", ("Am Mühlbach", B), "wilder-muell", "email",
               "Am Ufer des Mühlbachs hat jemand Grünschnitt und Plastiksäcke abgeladen.", 2, name="Ralf Meyer"),
    DemoReport("r50", ("Raiffeisenstraße", N), "sonstiges", "unconfirmed",
               "Der Spender für Hundekotbeutel ist leer.", 0),
]  # fmt: skip


def seed(stdout: Any, scale: int) -> None:
    templates = {}
    for code, name, description, group in TEMPLATES:
        templates[code], _created = CategoryTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "group": group}
        )
    for slug, codes in HANDLERS.items():
        organisation = Organisation.objects.filter(slug=slug).first()
        for code in codes if organisation else []:
            OrganisationCategory.objects.get_or_create(organisation=organisation, template=templates[code])
    places = {}
    for name, municipality, postal_code, lon, lat in PLACES:
        places[(name, municipality)], _created = Place.objects.get_or_create(
            name=name, municipality=municipality, defaults={"postal_code": postal_code, "lon": lon, "lat": lat}
        )
    if not Report.objects.filter(description__in=[demo.description for demo in DEMO_REPORTS]).exists():
        _create_reports(templates, places)
    if scale:
        _scale(scale)
    stdout.write(
        f"Mängelmelder: {len(templates)} Kategorien, Zuständigkeiten für {len(HANDLERS)} Organisationen, "
        f"{Place.objects.count()} Einträge im Ortsverzeichnis, {Report.objects.public().count()} öffentliche "
        f"Meldungen: /maengelmelder/"
    )


# --- the demo reports -----------------------------------------------------------------------------------------


def _create_reports(templates: dict[str, CategoryTemplate], places: dict[tuple[str, str], Place]) -> None:
    User = get_user_model()
    accounts = {"citizen": User.objects.get(email=CITIZEN), "guest": User.objects.get(email=GUEST)}
    created: dict[str, Report] = {}
    for index, demo in enumerate(DEMO_REPORTS):
        place = places[demo.place]
        # A few metres apart, so reports at the same street are separate pins (and duplicates stay within 50 m).
        lon = place.lon + ((index * 7) % 11 - 5) * 0.00004
        lat = place.lat + ((index * 5) % 9 - 4) * 0.00003
        user = accounts.get(demo.reporter)
        email = "" if user is not None else f"{slugify(demo.name or 'anwohner').replace('-', '.')}@post.example"
        report = services.report_create(
            category=templates[demo.category], lon=lon, lat=lat, description=demo.description,
            address=str(place), user=user, email=email,
            name=demo.name or (user.display_name if user is not None and demo.publish_name else ""),
            publish_name=demo.publish_name, photos=[_photo(demo.photo)] if demo.photo else [],
        )  # fmt: skip
        if demo.reporter == "email":
            report = services.report_confirm(token=str(report.confirm_token))
        for supporter in demo.supporters:
            services.report_support(user=accounts[supporter], report=report)
        for step in demo.steps:
            report = _apply(report, step, created)
        created[demo.key] = report
    for demo in DEMO_REPORTS:
        _backdate(created[demo.key], demo)


def _staff(organisation: Organisation) -> Any:
    return get_user_model().objects.get(email=STAFF.get(organisation.slug, FALLBACK_STAFF))


def _apply(report: Report, step: tuple[str, ...], created: dict[str, Report]) -> Report:
    report.refresh_from_db()
    actor = _staff(report.organisation)
    if step[0] == "forward":
        target = Organisation.objects.get(slug=step[1])
        return services.report_forward(actor=actor, report=report, organisation=target, message=step[2])
    if step[0] == "duplicate":
        original = created[step[1]]
        return services.report_change_status(
            actor=actor, report=report, status=ReportStatus.DUPLICATE, duplicate_of=original,
            message=f"{step[2]} (Meldung #{original.pk})",
        )  # fmt: skip
    return services.report_change_status(actor=actor, report=report, status=step[0], message=step[1])


def _backdate(report: Report, demo: DemoReport) -> None:
    """Spread a report's life over the past ``days_ago`` days: reported, confirmed, then each step.

    The services stamp everything with the current time; each service call is one group of history rows
    with the same timestamp (a forwarding writes two), in order.
    """
    now = timezone.now()
    reported = now - timedelta(days=demo.days_ago, minutes=37 * (int(demo.key[1:]) % 23))
    if demo.days_ago == 0:
        reported = now - timedelta(minutes=15 + int(demo.key[1:]))
    span = max(now - reported, timedelta(minutes=10))
    updates = list(ReportUpdate.objects.filter(report=report).order_by("created_at", "pk"))
    moments = sorted({update.created_at for update in updates})
    # Confirmation a few minutes after reporting; the staff steps spread over the rest of the time.
    confirmed = reported + (timedelta(0) if demo.reporter in ("citizen", "guest") else timedelta(minutes=4))
    planned = [confirmed + span * (position / len(moments)) * 0.9 for position in range(len(moments))]
    shifted = dict(zip(moments, planned, strict=True))
    for update in updates:
        ReportUpdate.objects.filter(pk=update.pk).update(created_at=shifted[update.created_at])
    if planned:
        Supporter.objects.filter(report=report).update(created_at=planned[0] + span * 0.2)
    report.refresh_from_db()
    last = planned[-1] if planned else reported
    fixed = [shifted[update.created_at] for update in updates if update.status == ReportStatus.FIXED]
    Report.objects.filter(pk=report.pk).update(
        created_at=reported,
        confirmed_at=planned[0] if report.confirmed_at else None,
        updated_at=last,
        fixed_at=fixed[-1] if report.status == ReportStatus.FIXED and fixed else None,
    )


def _photo(kind: str) -> SimpleUploadedFile:
    """A small JPEG drawn in memory: no photo files are kept in the repository."""
    ground, thing = {
        "schlagloch": ((96, 96, 100), (40, 38, 36)),
        "muell": ((110, 130, 90), (200, 200, 190)),
        "farbeimer": ((70, 110, 60), (230, 220, 60)),
        "baum": ((150, 150, 145), (90, 70, 50)),
        "schaukel": ((190, 170, 120), (150, 40, 40)),
    }.get(kind, ((128, 128, 128), (60, 60, 60)))
    image = Image.new("RGB", (480, 360), ground)
    draw = ImageDraw.Draw(image)
    rng = random.Random(kind)
    for _ in range(400):  # texture, so the JPEG is not a flat colour
        x, y = rng.randrange(480), rng.randrange(360)
        shade = rng.randrange(-18, 18)
        draw.point((x, y), fill=tuple(max(0, min(255, c + shade)) for c in ground))
    draw.ellipse((150, 120, 330, 250), fill=thing)
    draw.rectangle((0, 300, 480, 360), fill=tuple(max(0, c - 30) for c in ground))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=80)
    return SimpleUploadedFile(f"{kind}.jpg", output.getvalue(), content_type="image/jpeg")


# --- scale ----------------------------------------------------------------------------------------------------

SCALE_BATCH = 5_000
SCALE_STATUSES = [
    (ReportStatus.OPEN, 40), (ReportStatus.IN_PROGRESS, 25), (ReportStatus.FIXED, 32), (ReportStatus.REJECTED, 3),
]  # fmt: skip
SCALE_MESSAGES = {
    ReportStatus.IN_PROGRESS: "Die Meldung ist in Bearbeitung.",
    ReportStatus.FIXED: "Der Mangel ist behoben.",
    ReportStatus.REJECTED: "Dafür ist die Verwaltung nicht zuständig.",
}


class _Router:
    """Routing for many generated points at once.

    Which organisations contain a point is tested in memory against the stored boundaries (the same
    ``covers`` test as ``routing.organisations_at``). The answer for one category depends only on that set,
    so ``routing.route`` itself decides it once per set and category, and the result is reused.
    """

    def __init__(self) -> None:
        self.areas: list[tuple[int, float, float, float, float, Any]] = []
        for organisation in Organisation.objects.exclude(boundary=None):
            west, south = organisation.bbox_min_lon, organisation.bbox_min_lat
            east, north = organisation.bbox_max_lon, organisation.bbox_max_lat
            if (
                organisation.boundary
                and west is not None
                and south is not None
                and east is not None
                and north is not None
            ):
                area = prep(geo.to_shape(organisation.boundary))
                self.areas.append((organisation.pk, west, south, east, north, area))
        self.routes: dict[tuple[frozenset[int], int], int | None] = {}

    def containing(self, lon: float, lat: float) -> frozenset[int]:
        point = Point(lon, lat)
        return frozenset(
            pk for pk, west, south, east, north, area in self.areas
            if west <= lon <= east and south <= lat <= north and area.covers(point)
        )  # fmt: skip

    def organisation_id(self, key: frozenset[int], lon: float, lat: float, category: CategoryTemplate) -> int | None:
        if (key, category.pk) not in self.routes:
            try:
                self.routes[(key, category.pk)] = routing.route(lon=lon, lat=lat, category=category).organisation.pk
            except ValidationError:
                self.routes[(key, category.pk)] = None
        return self.routes[(key, category.pk)]


def _scale(count: int, *, seed: int | None = None) -> int:
    """Bulk-insert ``count`` confirmed reports at random points of the Landkreis, routed like real ones.

    Not through the services (no history, no mail): this is load for benchmarks. Returns the number added.
    """
    area = Organisation.objects.filter(slug="musterkreis").first()
    west, south, east, north = (
        (area.bbox_min_lon, area.bbox_min_lat, area.bbox_max_lon, area.bbox_max_lat) if area else (None,) * 4
    )
    categories = list(CategoryTemplate.objects.filter(handlers__isnull=False).distinct().order_by("code"))
    if west is None or south is None or east is None or north is None or not categories or count <= 0:
        return 0
    rng = random.Random(Report.objects.count() if seed is None else seed)
    texts: dict[str, list[str]] = {}
    for demo in DEMO_REPORTS:
        texts.setdefault(demo.category, []).append(demo.description)
    statuses = [status for status, _weight in SCALE_STATUSES]
    weights = [weight for _status, weight in SCALE_STATUSES]
    router = _Router()
    now = timezone.now()
    added = 0
    while added < count:
        batch: list[Report] = []
        while len(batch) < min(SCALE_BATCH, count - added):
            lon, lat = rng.uniform(west, east), rng.uniform(south, north)
            key = router.containing(lon, lat)
            category = rng.choice(categories)
            organisation_id = router.organisation_id(key, lon, lat, category)
            if organisation_id is None:  # nobody handles this category here: a citizen would pick another
                continue
            status = rng.choices(statuses, weights)[0]
            created = now - timedelta(minutes=rng.randrange(5, 2 * 365 * 24 * 60))
            changed = _later(created, now, rng) if status != ReportStatus.OPEN else created
            batch.append(Report(
                organisation_id=organisation_id, category=category, lon=round(lon, 6), lat=round(lat, 6),
                description=rng.choice(texts.get(category.code) or [category.description or category.name]),
                status=status, status_message=SCALE_MESSAGES.get(status, ""), created_at=created,
                confirmed_at=created + timedelta(minutes=2), updated_at=changed,
                fixed_at=changed if status == ReportStatus.FIXED else None,
            ))  # fmt: skip
        Report.objects.bulk_create(batch, batch_size=SCALE_BATCH)
        added += len(batch)
    return added


def _later(start: datetime, now: datetime, rng: random.Random) -> datetime:
    return min(now, start + timedelta(hours=rng.randrange(2, 24 * 30)))
