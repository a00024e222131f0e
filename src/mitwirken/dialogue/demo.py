"""Demo dialogues: one public project per blueprint and one semi-public project, with German content.

Everything goes through the services (ideas, comments, ratings, feedback, flags, hiding, blocks), so the
counters, follows, notifications and audit entries are those a real dialogue would have. Afterwards the
timestamps are spread over the past days (the services stamp everything with the current time).

Some of the content lies in an earlier phase than the one running now (e.g. the comments of the
prioritisation were written while it was still being discussed). While seeding, each module therefore
gets a temporary phase that allows everything; it is removed again before the seeder ends, leaving
exactly the phases listed here.

``--scale N`` adds N ideas with 10 comments each (eight comments, two replies) and a few ratings to the
brainstorming module (``scale_module()``), by bulk insert in batches of 5,000 rows, with the counters set
to match the inserted rows. ``_scale(module, count)`` can be called on its own, e.g. by the benchmark.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from mitwirken.organisations.demo import box, ensure_account
from mitwirken.organisations.models import Organisation
from mitwirken.projects import services as project_services
from mitwirken.projects.models import (
    AccessMode,
    Module,
    ParticipantRole,
    Phase,
    Project,
    ProjectMembership,
    ProjectStatus,
)

from . import services
from .blueprints import PHASES, module_type_key
from .models import Blueprint, Category, Comment, Feedback, Flag, Frequency, Idea, Label, Paragraph, Rating

# --- who takes part -------------------------------------------------------------------------------------------

# key: (e-mail, display name); the first two come from the organisations seeder.
CITIZENS = {
    "berta": ("buerger@mitwirken.example", "Berta Bürgerin"),
    "gustav": ("gast@mitwirken.example", "Gustav Gast"),
    "hannah": ("hannah.hoffmann@mitwirken.example", "Hannah Hoffmann"),
    "yusuf": ("yusuf.demir@mitwirken.example", "Yusuf Demir"),
    "lena": ("lena.schmitt@mitwirken.example", "Lena S."),
    "karlheinz": ("karl-heinz.weber@mitwirken.example", "Karl-Heinz Weber"),
    "marie": ("marie.becker@mitwirken.example", "Marie Becker (TuS Nordheim)"),
    "jonas": ("jonas.klein@mitwirken.example", "Jonas K."),
    "dieter": ("dieter.krause@mitwirken.example", "D. Krause"),
}
STAFF = {
    "kreis": "sachbearbeitung@musterkreis.example",  # Landkreis Musterkreis
    "gemeinde": "orgadmin@beispielhausen.example",  # Ortsgemeinde Beispielhausen
    "moderation": "moderation@mitwirken.example",  # project moderator of the old school
}
SCALE_PROJECT = ("musterkreis", "alte-schule-nordheim")


# --- what they write ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    author: str
    text: str
    highlighted: bool = False


@dataclass(frozen=True)
class DemoComment:
    author: str
    text: str
    replies: tuple[Reply, ...] = ()
    pinned: bool = False
    highlighted: bool = False
    flag: tuple[str, str] | None = None  # (reporter, reason): stays open in the moderation queue
    hide: tuple[str, str, str] | None = None  # (reporter, reason of the flag, public reason of the moderator)
    deleted: bool = False  # the author deletes it after the replies: a placeholder stays
    pending: bool = False  # pre-moderation: not released


@dataclass(frozen=True)
class DemoIdea:
    author: str  # a citizen, or a staff key for topics and items set by the administration
    title: str
    text: str
    days_ago: float
    category: str = ""
    labels: tuple[str, ...] = ()
    location: tuple[float, float] | None = None  # lon, lat
    comments: tuple[DemoComment, ...] = ()
    up: tuple[str, ...] = ()
    down: tuple[str, ...] = ()
    feedback: tuple[str, str] | None = None  # (status, public statement)
    flag: tuple[str, str] | None = None
    pending: bool = False
    image_alt: str = ""  # with a text, the idea gets a drawing of the old school as its image


@dataclass(frozen=True)
class DemoPhase:
    phase_type: str
    name: str
    start: float  # days from now
    end: float
    description: str = ""


@dataclass(frozen=True)
class DemoChapter:
    title: str
    paragraphs: tuple[str, ...]
    comments: tuple[tuple[int, DemoComment], ...] = ()  # (paragraph number from 1, comment)


@dataclass(frozen=True)
class DemoDialogue:
    organisation: str
    slug: str
    title: str
    summary: str
    description: str
    topics: tuple[str, ...]
    blueprint: str
    module_name: str
    module_description: str
    staff: str
    phases: tuple[DemoPhase, ...]
    access: str = AccessMode.PUBLIC
    location: dict[str, Any] | None = None
    location_label: str = ""
    categories: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    premoderation: bool = False
    ideas: tuple[DemoIdea, ...] = ()
    chapters: tuple[DemoChapter, ...] = ()
    members: tuple[tuple[str, str], ...] = ()  # (account key, role)
    follows: tuple[tuple[str, str], ...] = ()  # (citizen, frequency): follows the project
    block: tuple[str, str] | None = None  # (citizen, reason): blocked for the project by the staff
    comments_until: float = 0  # days from now: the last comment was written then (an earlier phase)


P = "<p>{}</p>".format


SCHOOL = DemoDialogue(
    organisation="musterkreis", slug="alte-schule-nordheim", title="Was wird aus der alten Schule?",
    summary="Die ehemalige Realschule plus in Nordheim steht seit dem Umzug in den Neubau leer. Der Landkreis als "
            "Eigentümer sammelt Ideen, wie das Gebäude künftig genutzt werden kann.",
    description=P("Seit den Sommerferien lernen die Schülerinnen und Schüler der Realschule plus Nordheim im Neubau am "
                  "Sportplatz. Das alte Schulgebäude in der Schulstraße – drei Geschosse, zwölf Klassenräume, eine "
                  "Turnhalle und ein großer Schulhof – steht seitdem leer.")
                + P("Bevor der Kreistag über die Zukunft des Gebäudes entscheidet, möchten wir wissen: Was brauchen "
                    "Nordheim und die umliegenden Orte? Die Kreisverwaltung prüft jede Idee und gibt hier eine "
                    "Rückmeldung."),
    topics=("bildung", "planung", "kultur"), location_label="Schulstraße, Nordheim",
    blueprint=Blueprint.BRAINSTORMING, module_name="Ideen für das alte Schulgebäude",
    module_description="Reichen Sie Ihre Idee ein, kommentieren Sie die Vorschläge anderer und zeigen Sie mit "
                       "„dafür“ oder „dagegen“, was Ihnen wichtig ist.",
    staff="kreis",
    phases=(
        DemoPhase("collect", "Ideen sammeln", -12, 18, "Ideen einreichen, kommentieren und bewerten."),
        DemoPhase("rate", "Ideen bewerten", 18, 32, "Keine neuen Ideen mehr: Bewerten Sie die gesammelten Vorschläge."),
        DemoPhase("result", "Ergebnis", 32, 120, "Die Kreisverwaltung stellt die Ergebnisse vor; der Kreistag entscheidet "
                                                  "im Herbst."),
    ),
    categories=("Bildung und Kultur", "Soziales und Begegnung", "Wohnen", "Sport und Freizeit", "Gewerbe und Arbeit"),
    labels=("Kinder und Jugendliche", "Seniorinnen und Senioren", "Vereine", "Barrierefrei"),
    members=(("moderation", ParticipantRole.MODERATOR),),
    follows=(("berta", Frequency.DAILY), ("marie", Frequency.IMMEDIATE)),
    block=("dieter", "Wiederholte Beleidigungen trotz Hinweis auf die Netiquette."),
    ideas=(
        DemoIdea(
            "hannah", "Generationenhaus mit Café und Treffpunkt",
            P("Im Erdgeschoss könnte ein Café entstehen, das Ehrenamtliche betreiben – mit Mittagstisch für ältere "
              "Menschen und einem Raum für Krabbelgruppen. Seit die Gaststätte „Zur Linde“ geschlossen hat, gibt es in "
              "Nordheim keinen Ort mehr, an dem man sich zwanglos trifft.")
            + P("Die oberen Etagen könnten Vereine und Initiativen nutzen."),
            10, "Soziales und Begegnung", ("Seniorinnen und Senioren", "Kinder und Jugendliche", "Barrierefrei"),
            comments=(
                DemoComment("kreis", "Hinweis der Kreisverwaltung: Am Samstag um 10 Uhr bieten wir eine Begehung des "
                                     "Gebäudes an. Treffpunkt ist der Haupteingang in der Schulstraße, eine Anmeldung "
                                     "ist nicht nötig.", pinned=True),
                DemoComment("berta", "Sehr gute Idee! Meine Mutter würde sich über einen Mittagstisch im Ort freuen. "
                                     "Bisher muss sie dafür nach Beispielhausen fahren.",
                            replies=(Reply("hannah", "Danke! Vielleicht lässt sich der Mittagstisch zusammen mit dem "
                                                     "Seniorenheim anbieten, das kocht ohnehin jeden Tag."),)),
                DemoComment("dieter", "Die Sesselpupser im Kreishaus sollen erst mal arbeiten lernen, bevor sie uns "
                                      "nach Ideen fragen. Alles Nieten da.",
                            hide=("hannah", "Beleidigt die Mitarbeitenden und hat mit der Idee nichts zu tun.",
                                  "Beleidigender Inhalt (Netiquette: Wir gehen respektvoll miteinander um).")),
                DemoComment("gustav", "Wer soll das auf Dauer bezahlen? Mit Ehrenamtlichen allein wird ein Café nicht "
                                      "jeden Tag öffnen können.",
                            replies=(Reply("marie", "Beim Dorfcafé in Südbach klappt das seit sechs Jahren, mit 25 "
                                                    "Ehrenamtlichen und festen Schichten. Man muss es nur gut "
                                                    "organisieren.", highlighted=True),
                                     Reply("karlheinz", "Ich könnte mir vorstellen, dienstags mitzuhelfen."))),
            ),
            up=("berta", "yusuf", "lena", "karlheinz", "marie", "jonas"), down=("gustav",),
            feedback=(Feedback.IN_REVIEW,
                      P("Vielen Dank für die Idee. Wir prüfen gerade, ob das Erdgeschoss ohne größeren Umbau "
                        "barrierefrei erreichbar ist, und sprechen mit der Ortsgemeinde über einen möglichen Betrieb. "
                        "Bis Ende des Monats melden wir uns hier wieder.")),
        ),
        DemoIdea(
            "marie", "Turnhalle für die Vereine erhalten",
            P("Der TuS Nordheim trainiert mit drei Kinderturngruppen und der Gymnastikgruppe in der alten Turnhalle. "
              "In der neuen Schulsporthalle sind die Abendzeiten schon vergeben. Bitte erhalten Sie die alte Halle – "
              "notfalls auch ohne das übrige Gebäude."),
            9, "Sport und Freizeit", ("Vereine", "Kinder und Jugendliche"),
            comments=(
                DemoComment("jonas", "Die Halle ist auch für den Jugendfußball im Winter wichtig."),
                DemoComment("lena", "Gibt es ein Gutachten zum Zustand des Hallendachs? Bei Regen tropft es dort seit "
                                    "Jahren.",
                            replies=(Reply("kreis", "Das Dach wurde 2019 teilweise saniert. Ein Gutachten zum ganzen "
                                                    "Gebäude ist beauftragt; wir veröffentlichen es hier."),)),
            ),
            up=("hannah", "berta", "jonas", "yusuf", "karlheinz", "lena", "gustav"),
            feedback=(Feedback.ACCEPTED,
                      P("Die Turnhalle bleibt für den Vereinssport geöffnet. Der Landkreis hat die Belegungszeiten der "
                        "Vereine bis zum Ende des nächsten Schuljahres verlängert. Wie es danach weitergeht, hängt von "
                        "der künftigen Nutzung des Gebäudes ab.")),
        ),
        DemoIdea(
            "yusuf", "Coworking und Werkstätten für Gründerinnen und Gründer",
            P("Viele aus Nordheim pendeln täglich nach Mainz oder Koblenz. Ein Coworking-Raum mit schnellem Internet "
              "würde es ermöglichen, zwei oder drei Tage in der Woche im Ort zu arbeiten. Die alten Fachräume (Werken, "
              "Chemie) könnten als Werkstätten an Handwerksbetriebe und Start-ups vermietet werden."),
            8, "Gewerbe und Arbeit",
            comments=(
                DemoComment("jonas", "Wie sieht es dort mit dem Internet aus? Gibt es Glasfaser?", deleted=True,
                            replies=(Reply("yusuf", "Laut Breitbandatlas liegt Glasfaser in der Schulstraße."),)),
                DemoComment("karlheinz", "Ich glaube nicht, dass das auf dem Land funktioniert. Wer soll das nutzen?",
                            replies=(Reply("yusuf", "In meinem Bekanntenkreis arbeiten mindestens zehn Leute regelmäßig "
                                                    "von zu Hause. Ein Probemonat würde zeigen, ob es Bedarf gibt.",
                                           highlighted=True),
                                     Reply("lena", "Ich würde sofort einen Platz mieten!"))),
            ),
            up=("jonas", "lena", "hannah"), down=("karlheinz",),
        ),
        DemoIdea(
            "lena", "Bezahlbare Wohnungen für junge Familien",
            P("Die Klassenräume sind groß und hell – daraus lassen sich gute Wohnungen machen. In Nordheim finden junge "
              "Familien und ältere Menschen, die ihr Haus aufgeben wollen, kaum kleinere Wohnungen. Vielleicht kann eine "
              "Wohnungsbaugenossenschaft das Gebäude übernehmen."),
            6, "Wohnen", ("Barrierefrei",),
            comments=(
                DemoComment("karlheinz", "Ältere Leute wie ich würden gern im Ort bleiben, aber nicht mehr allein im "
                                         "großen Haus. Eine Wohngemeinschaft mit Betreuung wäre ideal."),
            ),
            up=("berta", "karlheinz", "marie"), down=("yusuf", "gustav"),
            feedback=(Feedback.REJECTED,
                      P("Wir haben die Idee sorgfältig geprüft. Der Bebauungsplan weist das Grundstück als Fläche für "
                        "den Gemeinbedarf aus; Wohnungen sind dort nicht zulässig. Ein Umbau der Klassenräume wäre nach "
                        "ersten Schätzungen außerdem teurer als ein Neubau. Die Ortsgemeinde prüft aber Bauplätze am "
                        "Lindenweg.")),
        ),
        DemoIdea(
            "jonas", "Jugendraum mit Proberaum für Bands",
            P("Für Jugendliche gibt es in Nordheim nichts. Im Keller der alten Schule wäre Platz für einen Jugendraum "
              "und einen schallgedämmten Proberaum. Wir würden beim Renovieren selbst mithelfen."),
            4, "Bildung und Kultur", ("Kinder und Jugendliche",),
            comments=(
                DemoComment("gustav", "Und wer passt auf, dass da nachts keine Partys gefeiert werden?",
                            replies=(Reply("jonas", "Die Jugendpflege des Landkreises betreut solche Räume. In Südbach "
                                                    "funktioniert das seit Jahren."),)),
                DemoComment("lena", "Immer diese Bedenken. Wenn es nach manchen hier ginge, würde in Nordheim gar nichts "
                                    "mehr passieren.",
                            flag=("gustav", "Das ist persönlich gegen mich gerichtet. Bitte prüfen.")),
            ),
            up=("lena", "yusuf", "marie", "hannah"), down=("gustav",),
        ),
        DemoIdea(
            "berta", "Bücherei und Lernort für Schulkinder",
            P("Die ehrenamtliche Gemeindebücherei sitzt in einem viel zu kleinen Raum im Bürgerhaus. In der alten "
              "Schule könnte sie wachsen – mit Leseecke, Hausaufgabenbetreuung am Nachmittag und Computerplätzen für "
              "alle, die zu Hause keinen haben."),
            3, "Bildung und Kultur", ("Kinder und Jugendliche",),
            comments=(
                DemoComment("marie", "Die Hausaufgabenhilfe könnte der Förderverein der Grundschule übernehmen. Ich "
                                     "frage beim nächsten Treffen nach."),
            ),
            up=("hannah", "marie", "lena"),
        ),
        DemoIdea(
            "karlheinz", "Heimatmuseum im alten Lehrerzimmer",
            P("Der Heimat- und Verkehrsverein sammelt seit Jahren alte Fotos, Schulbänke und Werkzeuge aus der Region. "
              "Ein Raum in der alten Schule wäre der richtige Ort dafür – gerade die Geschichte des Gebäudes, das 1912 "
              "gebaut wurde, gehört dazu."),
            2, "Bildung und Kultur", ("Seniorinnen und Senioren", "Vereine"),
            up=("berta", "gustav"), down=("jonas",),
            image_alt="Zeichnung des alten Schulhauses: zweigeschossiger Bau mit rotem Dach, Glockentürmchen und der "
                      "Jahreszahl 1912 über dem Eingang.",
        ),
        DemoIdea(
            "gustav", "Gebäude verkaufen und mit dem Erlös Straßen sanieren",
            P("Ehrlich gesagt: Der Unterhalt eines so großen Gebäudes kostet viel Geld. Der Landkreis sollte es an einen "
              "Investor verkaufen und mit dem Erlös die Kreisstraßen in Ordnung bringen."),
            1,
            comments=(
                DemoComment("hannah", "Dann ist der letzte öffentliche Ort im Dorf weg. Das fände ich sehr schade.",
                            replies=(Reply("gustav", "Verstehe ich. Aber irgendjemand muss es bezahlen."),)),
            ),
            up=("karlheinz",), down=("hannah", "marie", "jonas", "lena"),
        ),
    ),
)  # fmt: skip

MOBILITY = DemoDialogue(
    organisation="musterkreis", slug="mobilitaet-nord", title="Mobilitätskonzept Nord: Bus, Bahn, Rad und Fußwege",
    summary="Wo fehlt eine Busverbindung, wo ist der Schulweg gefährlich, wo fehlt ein Radweg? Markieren Sie Ihre Ideen "
            "auf der Karte. Sie fließen in das Mobilitätskonzept für den Norden des Landkreises ein.",
    description=P("Der Landkreis erarbeitet gemeinsam mit der Verbandsgemeinde Musterkreis-Nord ein Mobilitätskonzept. "
                  "Es soll zeigen, wie man auch ohne eigenes Auto gut zur Arbeit, zur Schule, zum Arzt und zum Einkaufen "
                  "kommt.")
                + P("Alle Beiträge prüft die Moderation vor der Veröffentlichung."),
    topics=("mobilitaet",), location=box(7.45, 50.00, 7.75, 50.12), location_label="Verbandsgemeinde Musterkreis-Nord",
    blueprint=Blueprint.MAP_IDEAS, module_name="Ideenkarte Mobilität",
    module_description="Setzen Sie Ihre Idee auf der Karte an den passenden Ort oder geben Sie die Koordinaten ein.",
    staff="kreis", premoderation=True,
    phases=(
        DemoPhase("collect", "Ideen sammeln", -8, 22, "Ideen mit Ort einreichen, kommentieren und bewerten."),
        DemoPhase("discuss", "Ideen diskutieren", 22, 36, "Keine neuen Ideen mehr; Kommentare und Bewertungen sind "
                                                           "weiter möglich."),
        DemoPhase("result", "Ergebnis", 36, 150, "Das Mobilitätskonzept wird dem Kreistag vorgelegt."),
    ),
    categories=("Bus und Bahn", "Radverkehr", "Fußwege und Schulwege", "Auto und Parken", "Teilen und neue Angebote"),
    labels=("Schulweg", "Barrierefrei", "Gefahrenstelle"),
    follows=(("hannah", Frequency.IMMEDIATE),),
    ideas=(
        DemoIdea(
            "berta", "Bus am Samstagnachmittag nach Beispielhausen",
            P("Samstags fährt der letzte Bus von Nordheim nach Beispielhausen um 12:40 Uhr. Wer nachmittags einkaufen "
              "oder zur Apotheke möchte, ist auf das Auto angewiesen. Ein Zwei-Stunden-Takt bis 18 Uhr würde schon "
              "helfen."),
            7, "Bus und Bahn", ("Barrierefrei",), location=(7.5050, 50.0820),
            comments=(
                DemoComment("karlheinz", "Unbedingt. Ich fahre selbst nicht mehr Auto."),
                DemoComment("yusuf", "Oder ein Rufbus, der nur fährt, wenn jemand bucht. Das ist günstiger als ein "
                                     "leerer großer Bus.",
                            replies=(Reply("berta", "Wenn man ihn auch telefonisch bestellen kann, gern!"),)),
            ),
            up=("karlheinz", "hannah", "gustav", "lena"),
            feedback=(Feedback.IN_REVIEW,
                      P("Einen dichteren Takt am Wochenende prüfen wir mit dem Verkehrsverbund für die Neuvergabe des "
                        "Linienbündels Nord. Die Kosten legen wir in der zweiten Phase vor.")),
        ),
        DemoIdea(
            "hannah", "Sichere Querung an der Schulstraße",
            P("Morgens queren hier viele Grundschulkinder die Straße, und die Autos fahren oft deutlich schneller als "
              "30. Ein Zebrastreifen oder eine Mittelinsel würde die Kinder schützen."),
            6, "Fußwege und Schulwege", ("Schulweg", "Gefahrenstelle"), location=(7.6060, 50.0468),
            comments=(DemoComment("marie", "Danke für die Idee, mein Sohn geht dort jeden Tag entlang."),),
            up=("berta", "marie", "lena", "jonas", "yusuf"),
            feedback=(Feedback.ACCEPTED,
                      P("Die Straßenverkehrsbehörde hat die Stelle geprüft. Mit der Fahrbahnsanierung im kommenden "
                        "Frühjahr wird eine Mittelinsel gebaut; bis dahin zeigt ein Geschwindigkeitsdisplay den "
                        "Autofahrenden ihr Tempo.")),
        ),
        DemoIdea(
            "jonas", "Radweg zwischen Nordheim und Beispielhausen",
            P("Auf der K 12 zwischen Nordheim und Beispielhausen gibt es keinen Radweg. Bei Tempo 100 und Lkw-Verkehr "
              "traut sich kaum jemand mit dem Rad dorthin. Ein Radweg neben der Straße oder ein asphaltierter "
              "Wirtschaftsweg wäre ideal."),
            5, "Radverkehr", ("Gefahrenstelle",), location=(7.5350, 50.0700),
            comments=(
                DemoComment("karlheinz", "Dafür müssten Landwirte Flächen abgeben. Das wird schwierig.",
                            replies=(Reply("jonas", "Der Wirtschaftsweg am Mühlbach existiert schon, er müsste nur "
                                                    "asphaltiert werden."),)),
                DemoComment("kreis", "Der Ausbau der K 12 wird in einem eigenen Verfahren geplant. Wir geben Ihre "
                                     "Hinweise dorthin weiter."),
            ),
            up=("lena", "yusuf", "hannah", "marie", "berta"), down=("karlheinz",),
            flag=("karlheinz", "Der Weg führt über mein Ackerland. Das ist Privatgelände, bitte entfernen."),
        ),
        DemoIdea(
            "yusuf", "Fahrradbügel und Ladestation am Bahnhof",
            P("Am Bahnhof Beispielhausen gibt es nur sechs alte Felgenklemmer. Wer das Rad länger abstellt, braucht "
              "überdachte Bügel, für E-Bikes am besten auch abschließbare Boxen mit Steckdose."),
            4, "Radverkehr", location=(7.6032, 50.0583),
            up=("jonas", "lena", "hannah"),
            feedback=(Feedback.IMPLEMENTED,
                      P("Die Ortsgemeinde hat im Mai zwölf überdachte Fahrradbügel aufgestellt. Abschließbare Boxen "
                        "prüfen wir im Mobilitätskonzept.")),
        ),
        DemoIdea(
            "karlheinz", "Mitfahrbank in Musterdorf",
            P("In anderen Dörfern gibt es Mitfahrbänke: Man setzt sich hin, klappt ein Schild mit dem Ziel aus, und wer "
              "vorbeifährt, nimmt einen mit. Das wäre für Musterdorf eine einfache Lösung."),
            3, "Teilen und neue Angebote", location=(7.6950, 50.0220),
            comments=(
                DemoComment("gustav", "Gibt es dazu Erfahrungen? Ich hätte Bedenken, bei Fremden einzusteigen.",
                            replies=(Reply("hannah", "In der Eifel gibt es Mitfahrbänke seit Jahren. Gerade Ältere "
                                                     "nutzen sie gern, weil man sich im Dorf kennt."),)),
                DemoComment("dieter", "Günstige Gebrauchtwagen mit Finanzierung ohne Schufa: www.auto-krause.example – "
                                      "jetzt anrufen!", pending=True),
            ),
            up=("berta", "gustav"),
        ),
        DemoIdea(
            "lena", "Carsharing-Auto am Bürgerhaus",
            P("Ein E-Auto zum Teilen am Bürgerhaus Beispielhausen: Viele Familien könnten damit auf ihr Zweitauto "
              "verzichten."),
            2, "Teilen und neue Angebote", location=(7.6010, 50.0500),
            up=("yusuf", "jonas"),
        ),
        DemoIdea(
            "gustav", "Mehr Parkplätze am Bahnhof",
            P("Morgens ist der Parkplatz am Bahnhof ab 7 Uhr voll. Auf der Wiese neben den Gleisen wäre Platz für "
              "30 weitere Stellplätze."),
            0.2, "Auto und Parken", location=(7.6040, 50.0590), pending=True,
        ),
    ),
)  # fmt: skip

CEMETERY = DemoDialogue(
    organisation="beispielhausen", slug="friedhofssatzung", title="Neue Friedhofssatzung – Entwurf zur Diskussion",
    summary="Die Ortsgemeinde überarbeitet ihre Friedhofssatzung. Bevor der Gemeinderat sie beschließt, können Sie den "
            "Entwurf Absatz für Absatz kommentieren.",
    description=P("Die Friedhofssatzung regelt, welche Grabarten es gibt, wie lange die Ruhezeiten dauern und wie Gräber "
                  "gestaltet werden dürfen. Die geltende Satzung stammt aus dem Jahr 1998.")
                + P("Neu sind unter anderem Baumbestattungen, längere Öffnungszeiten und Regeln gegen Schottergräber. "
                    "Ihre Kommentare wertet die Verwaltung aus, bevor der Gemeinderat entscheidet."),
    topics=("sonstiges",), location_label="Friedhof Beispielhausen, Friedhofstraße",
    blueprint=Blueprint.TEXT_REVIEW, module_name="Entwurf der Friedhofssatzung",
    module_description="Der Entwurf ist in Paragrafen gegliedert. Jeden Absatz können Sie einzeln kommentieren und auf "
                       "Kommentare anderer antworten.",
    staff="gemeinde",
    phases=(
        DemoPhase("comment", "Entwurf kommentieren", -6, 24, "Kommentieren Sie einzelne Absätze des Entwurfs."),
        DemoPhase("result", "Auswertung", 24, 90, "Die Verwaltung wertet die Kommentare aus und legt dem Gemeinderat "
                                                   "eine überarbeitete Fassung vor."),
    ),
    chapters=(
        DemoChapter("§ 1 Geltungsbereich", (
            "(1) Diese Satzung gilt für den Friedhof der Ortsgemeinde Beispielhausen in der Friedhofstraße "
            "einschließlich der Trauerhalle.",
            "(2) Der Friedhof ist eine öffentliche Einrichtung der Ortsgemeinde. Er dient der Bestattung aller "
            "Personen, die bei ihrem Tod in der Ortsgemeinde wohnten oder ein Recht auf Beisetzung in einer "
            "bestimmten Grabstätte besaßen.",
        ), comments=(
            (2, DemoComment("jonas", "Und wer hier aufgewachsen, aber weggezogen ist? Viele möchten neben ihren Eltern "
                                     "beerdigt werden.",
                            replies=(Reply("gemeinde", "Wer ein Nutzungsrecht an einer Wahlgrabstätte hat, kann dort "
                                                       "auch ohne Wohnsitz im Ort beigesetzt werden. Wir schreiben das "
                                                       "im Text deutlicher."),))),
        )),
        DemoChapter("§ 2 Öffnungszeiten und Verhalten auf dem Friedhof", (
            "(1) Der Friedhof ist von März bis Oktober von 7 bis 20 Uhr und von November bis Februar von 8 bis 17 Uhr "
            "geöffnet.",
            "(2) Auf dem Friedhof dürfen keine Fahrzeuge benutzt werden. Ausgenommen sind Kinderwagen, Rollstühle, "
            "Rollatoren und Fahrzeuge der Friedhofsverwaltung.",
            "(3) Hunde dürfen nur angeleint mitgeführt werden.",
        ), comments=(
            (1, DemoComment("berta", "Im Sommer wäre 21 Uhr schöner. Wer berufstätig ist, schafft es oft erst abends "
                                     "zum Gießen.",
                            replies=(Reply("karlheinz", "Da stimme ich zu."),
                                     Reply("gemeinde", "Danke für den Hinweis. Wir prüfen, ob das Tor im Sommer bis "
                                                       "21 Uhr offen bleiben kann.")))),
            (2, DemoComment("karlheinz", "Wer schlecht zu Fuß ist, sollte mit einer Ausnahmegenehmigung bis an das Grab "
                                         "fahren dürfen.",
                            replies=(Reply("hannah", "Vielleicht genügt es, wenn die Gemeinde am Eingang zwei "
                                                     "Rollatoren und eine Bank bereitstellt."),))),
            (3, DemoComment("gustav", "Gut, dass Hunde weiter mitkommen dürfen.")),
        )),
        DemoChapter("§ 3 Grabarten", (
            "(1) Es werden folgende Grabstätten angeboten: Reihengräber, Wahlgräber, Urnenreihengräber, "
            "Urnenwahlgräber und Urnengemeinschaftsgräber unter einem Baum (Baumbestattung).",
            "(2) In einem Urnenwahlgrab können bis zu vier Urnen beigesetzt werden.",
            "(3) Die Baumbestattung erfolgt in einer biologisch abbaubaren Urne. Die Namen der Verstorbenen stehen auf "
            "einer gemeinsamen Tafel am Baum.",
        ), comments=(
            (1, DemoComment("yusuf", "Bitte sehen Sie auch ein Grabfeld für muslimische Bestattungen vor. Viele Familien "
                                     "lassen ihre Angehörigen sonst in die Türkei überführen.",
                            replies=(Reply("marie", "Gute Anregung. In Südbach gibt es so ein Grabfeld schon."),))),
            (3, DemoComment("hannah", "Schön, dass es endlich Baumbestattungen gibt. Darf man dort Blumen ablegen?",
                            replies=(Reply("gemeinde", "Ja, am Fuß des Baumes ist eine Ablagefläche vorgesehen."),))),
        )),
        DemoChapter("§ 4 Ruhezeiten und Nutzungsrechte", (
            "(1) Die Ruhezeit beträgt für Erdbestattungen 25 Jahre und für Urnenbeisetzungen 20 Jahre.",
            "(2) Das Nutzungsrecht an Wahlgräbern kann nach Ablauf auf Antrag um jeweils 5 bis 20 Jahre verlängert "
            "werden.",
        ), comments=(
            (1, DemoComment("karlheinz", "Warum unterschiedliche Ruhezeiten? 20 Jahre für alle wäre einfacher.")),
        )),
        DemoChapter("§ 5 Gestaltung der Grabstätten", (
            "(1) Grabmale dürfen nur aus Natursteinen bestehen, die nachweislich ohne ausbeuterische Kinderarbeit "
            "gewonnen wurden.",
            "(2) Grabstätten sind spätestens sechs Monate nach der Bestattung herzurichten und dauernd instand zu "
            "halten. Kies- und Schotterflächen dürfen höchstens ein Drittel der Grabfläche bedecken.",
        ), comments=(
            (2, DemoComment("lena", "Die Grenze von einem Drittel finde ich richtig. Schottergräber heizen sich auf und "
                                    "sind schlecht für Insekten.",
                            replies=(Reply("gustav", "Wer weit weg wohnt, braucht aber ein pflegeleichtes Grab."),))),
        )),
    ),
)  # fmt: skip

CLIMATE = DemoDialogue(
    organisation="musterkreis", slug="klimaanpassung", title="Hitze und Starkregen: Wie wappnet sich der Landkreis?",
    summary="Der Landkreis erstellt ein Konzept zur Anpassung an den Klimawandel. Diskutieren Sie mit uns über vier "
            "Themen, die uns besonders beschäftigen.",
    description=P("Heiße Sommer, Trockenheit und Starkregen nehmen auch im Musterkreis zu. Das Klimaanpassungskonzept "
                  "soll zeigen, was Landkreis, Gemeinden und jede und jeder Einzelne tun können.")
                + P("Die Kreisverwaltung hat vier Themen vorgegeben. Ihre Kommentare fließen in den Entwurf ein."),
    topics=("umwelt",), blueprint=Blueprint.DEBATE, module_name="Debatte zur Klimaanpassung",
    module_description="Kommentieren Sie die Themen, antworten Sie anderen und zeigen Sie mit „dafür“, welches Thema "
                       "Ihnen besonders dringend erscheint.",
    staff="kreis",
    phases=(
        DemoPhase("discuss", "Diskutieren", -5, 25, "Kommentieren und bewerten Sie die Themen."),
        DemoPhase("result", "Ergebnis", 25, 100, "Die Kreisverwaltung fasst die Debatte zusammen."),
    ),
    categories=("Gesundheit", "Wasser", "Grün"),
    ideas=(
        DemoIdea(
            "kreis", "Hitzeschutz in Ortskernen und Pflegeheimen",
            P("Im vergangenen Sommer lag die Temperatur an 14 Tagen über 30 Grad. Besonders gefährdet sind ältere "
              "Menschen, kleine Kinder und alle, die im Freien arbeiten. Welche Orte sollten kühle Rückzugsräume bieten? "
              "Brauchen wir Trinkbrunnen, Sonnensegel, einen Hitzeaktionsplan?"),
            5, "Gesundheit",
            comments=(
                DemoComment("karlheinz", "Im Seniorenheim Nordheim gibt es keinen einzigen kühlen Raum. Das muss sich "
                                         "ändern.",
                            replies=(Reply("marie", "Auch in den Kitas wird es unter dem Dach unerträglich heiß."),)),
                DemoComment("hannah", "Trinkbrunnen auf den Marktplätzen wären ein einfacher Anfang.",
                            replies=(Reply("kreis", "Danke! Trinkbrunnen sind Teil des Hitzeaktionsplans, den wir gerade "
                                                    "mit den Gemeinden abstimmen."),)),
            ),
            up=("berta", "hannah", "karlheinz", "marie", "lena"),
        ),
        DemoIdea(
            "kreis", "Starkregen: Wie schützen wir Keller und Straßen?",
            P("Nach dem Unwetter im Juni standen in Südbach und Lindenau viele Keller unter Wasser. Der Landkreis lässt "
              "Starkregengefahrenkarten erstellen. Was sollten die Gemeinden tun, was die Hauseigentümer?"),
            5, "Wasser",
            comments=(
                DemoComment("gustav", "Die Gräben an den Feldwegen müssten regelmäßig freigehalten werden. Das passiert "
                                      "seit Jahren nicht mehr.",
                            replies=(Reply("jonas", "In Lindenau war der Durchlass unter der Bahnlinie komplett "
                                                    "zugesetzt."),)),
                DemoComment("yusuf", "Hilfreich wäre, wenn jeder Haushalt die Starkregenkarte für sein Grundstück online "
                                     "ansehen könnte."),
            ),
            up=("gustav", "jonas", "yusuf", "hannah", "berta", "marie"),
        ),
        DemoIdea(
            "kreis", "Mehr Bäume an Kreisstraßen?",
            P("Bäume spenden Schatten und halten Wasser zurück, können aber auch zur Gefahr im Verkehr werden. Sollen "
              "an Kreisstraßen wieder Alleen gepflanzt werden?"),
            5, "Grün",
            comments=(
                DemoComment("lena", "Ja, mit genug Abstand zur Fahrbahn und mit heimischen Arten.",
                            replies=(Reply("karlheinz", "Alleebäume sind gefährlich für Autofahrer. Lieber Hecken."),)),
            ),
            up=("lena", "jonas"), down=("karlheinz", "gustav"),
        ),
        DemoIdea(
            "kreis", "Trinkwasser in trockenen Sommern",
            P("Einige Wasserversorger mussten im Sommer dazu aufrufen, keine Rasen zu sprengen und keine Pools zu "
              "füllen. Wie gehen wir sparsamer mit Wasser um?"),
            5, "Wasser",
            comments=(DemoComment("berta", "Regentonnen und Zisternen sollten gefördert werden."),),
            up=("berta", "yusuf", "karlheinz"),
        ),
    ),
)  # fmt: skip

BUDGET = DemoDialogue(
    organisation="beispielhausen", slug="buergerhaushalt-2027", title="Bürgerhaushalt 2027: Was ist Ihnen am wichtigsten?",
    summary="Für kleinere Vorhaben stehen im Haushalt 2027 rund 60.000 Euro bereit. Bewerten Sie die Vorschläge des "
            "Gemeinderats: Die am besten bewerteten setzt die Gemeinde zuerst um.",
    description=P("Der Gemeinderat hat sechs Vorhaben ausgewählt, die zusammen mehr kosten, als im Haushalt bereitsteht. "
                  "Sie entscheiden mit, welche zuerst umgesetzt werden.")
                + P("Die Vorschläge wurden zwei Wochen lang diskutiert. Jetzt können Sie sie bewerten; die Kommentare "
                    "aus der Diskussion bleiben sichtbar."),
    topics=("sonstiges",), blueprint=Blueprint.PRIORITISATION, module_name="Vorschläge für den Bürgerhaushalt",
    module_description="Bewerten Sie jeden Vorschlag mit „dafür“ oder „dagegen“. Die Kosten sind geschätzt.",
    staff="gemeinde", comments_until=-6.5,
    phases=(
        DemoPhase("discuss", "Vorschläge diskutieren", -20, -6, "Kommentieren und bewerten Sie die Vorschläge."),
        DemoPhase("rate", "Bewerten", -6, 15, "Bewerten Sie die Vorschläge. Kommentare sind nicht mehr möglich."),
        DemoPhase("result", "Ergebnis", 15, 90, "Der Gemeinderat beschließt die Reihenfolge."),
    ),
    categories=("Freizeit und Spiel", "Sicherheit", "Umwelt", "Ortsbild"),
    ideas=(
        DemoIdea(
            "gemeinde", "Defibrillator am Bürgerhaus (ca. 2.500 €)",
            P("Ein öffentlich zugänglicher Defibrillator in einem beheizten Kasten an der Außenwand des Bürgerhauses, "
              "dazu ein Erste-Hilfe-Kurs für alle, die mögen."),
            20, "Sicherheit",
            comments=(DemoComment("karlheinz", "Sehr wichtig. Der Rettungswagen braucht zu uns oft 15 Minuten."),),
            up=("karlheinz", "berta", "hannah", "marie", "gustav", "yusuf", "lena"),
        ),
        DemoIdea(
            "gemeinde", "Neue Spielgeräte am Spielplatz Am Weiher (ca. 25.000 €)",
            P("Die Kletterkombination ist gesperrt und muss ersetzt werden. Vorgesehen sind ein Kletterturm mit Rutsche "
              "und ein Karussell, das auch mit dem Rollstuhl befahren werden kann."),
            20, "Freizeit und Spiel",
            comments=(DemoComment("marie", "Das Karussell für Rollstühle finde ich toll. Mein Neffe würde sich freuen."),),
            up=("marie", "hannah", "lena", "berta", "yusuf"), down=("gustav",),
        ),
        DemoIdea(
            "gemeinde", "Sanierung des Bolzplatzes (ca. 12.000 €)",
            P("Neue Tore, ein Ballfangzaun zur Straße hin und eine ebene Rasenfläche."),
            20, "Freizeit und Spiel",
            comments=(
                DemoComment("gustav", "Der Bolzplatz wird kaum genutzt. Lieber das Geld in den Spielplatz stecken.",
                            replies=(Reply("jonas", "Doch, abends und am Wochenende sind wir regelmäßig mit zehn Leuten "
                                                    "dort."),)),
            ),
            up=("jonas", "yusuf", "lena"), down=("gustav", "karlheinz"),
        ),
        DemoIdea(
            "gemeinde", "Blühwiesen an den Ortseingängen (ca. 4.000 €)",
            P("Die Rasenflächen an den drei Ortseingängen werden zu insektenfreundlichen Blühwiesen und nur noch "
              "zweimal im Jahr gemäht."),
            20, "Umwelt",
            up=("lena", "hannah", "jonas"), down=("karlheinz",),
        ),
        DemoIdea(
            "gemeinde", "Sitzbänke am Mühlbach-Wanderweg (ca. 3.500 €)",
            P("Fünf Bänke mit Rücken- und Armlehnen entlang des Wanderwegs, etwa alle 400 Meter."),
            20, "Ortsbild",
            up=("karlheinz", "berta", "gustav", "hannah"),
        ),
        DemoIdea(
            "gemeinde", "LED-Laternen im Lindenweg (ca. 15.000 €)",
            P("Die zwölf alten Laternen im Lindenweg werden durch sparsame LED-Leuchten ersetzt. Der Weg ist abends "
              "bisher sehr dunkel."),
            20, "Sicherheit",
            comments=(
                DemoComment("hannah", "Bitte warmweißes Licht, das ist für Insekten besser.",
                            replies=(Reply("gemeinde", "Ja, vorgesehen sind Leuchten mit 3000 Kelvin."),)),
            ),
            up=("hannah", "berta", "marie"), down=("jonas",),
        ),
    ),
)  # fmt: skip

CLUBS = DemoDialogue(
    organisation="musterkreis", slug="vereinsforum", title="Vereinsforum: Was brauchen Vereine vom Landkreis?",
    summary="Der Landkreis hat die Vereine der Region eingeladen, Vorschläge für die Förderung des Ehrenamts zu machen. "
            "Alle können mitlesen; beteiligen können sich die eingeladenen Vertreterinnen und Vertreter der Vereine.",
    description=P("Vereine tragen das Leben in unseren Dörfern. Das Vereinsforum sammelt, was ihnen die Arbeit "
                  "erleichtern würde.")
                + P("Das Projekt ist halböffentlich: Alle können die Beiträge lesen, schreiben und bewerten können nur "
                    "die eingeladenen Vereinsvertreterinnen und -vertreter."),
    topics=("soziales", "kultur"), access=AccessMode.SEMIPUBLIC, blueprint=Blueprint.BRAINSTORMING,
    module_name="Vorschläge der Vereine",
    module_description="Reichen Sie Vorschläge ein und kommentieren Sie die der anderen Vereine.",
    staff="kreis",
    phases=(
        DemoPhase("collect", "Vorschläge sammeln", -10, 20, "Eingeladene reichen Vorschläge ein, kommentieren und "
                                                             "bewerten."),
        DemoPhase("result", "Ergebnis", 20, 80, "Der Kreisausschuss berät über die Vorschläge."),
    ),
    categories=("Förderung", "Räume", "Verwaltung und Formulare", "Nachwuchs"),
    members=(("berta", ParticipantRole.PARTICIPANT), ("marie", ParticipantRole.PARTICIPANT),
             ("karlheinz", ParticipantRole.PARTICIPANT)),
    ideas=(
        DemoIdea(
            "marie", "Eine Ansprechperson für alle Förderanträge",
            P("Als kleiner Sportverein verlieren wir bei den vielen Förderprogrammen den Überblick. Eine Lotsin im "
              "Kreishaus, die Vereine berät und bei Anträgen hilft, wäre eine große Entlastung."),
            9, "Verwaltung und Formulare",
            comments=(DemoComment("karlheinz", "Unbedingt, gern mit festen Sprechzeiten auch in den "
                                               "Verbandsgemeinden."),),
            up=("berta", "karlheinz"),
            feedback=(Feedback.IN_REVIEW,
                      P("Eine Ehrenamtslotsin ist im Stellenplan für das nächste Jahr beantragt. Der Kreistag "
                        "entscheidet im Dezember.")),
        ),
        DemoIdea(
            "karlheinz", "Schulsporthallen am Wochenende kostenlos nutzen",
            P("Die Hallen der Kreisschulen stehen am Wochenende leer. Vereine sollten sie für Turniere und Feste "
              "kostenlos nutzen können, wenn sie hinterher aufräumen."),
            6, "Räume",
            comments=(DemoComment("berta", "Das würde auch dem Musikverein für Konzerte helfen."),),
            up=("marie", "berta"),
        ),
        DemoIdea(
            "berta", "Ehrenamtskarte bekannter machen",
            P("Kaum jemand weiß, dass es die Ehrenamtskarte gibt. Der Landkreis könnte mit den Vereinen eine "
              "Aktionswoche veranstalten und mehr Geschäfte für Vergünstigungen gewinnen."),
            3, "Nachwuchs",
            up=("marie",),
        ),
    ),
)  # fmt: skip

DIALOGUES = (SCHOOL, MOBILITY, CEMETERY, CLIMATE, BUDGET, CLUBS)


# --- seeding --------------------------------------------------------------------------------------------------


def seed(stdout: Any, scale: int) -> None:
    for key, (email, name) in CITIZENS.items():
        if key not in ("berta", "gustav"):  # these two come from the organisations seeder
            ensure_account(email, name)
    modules = []
    for demo in DIALOGUES:
        project = _project(demo)
        module = project.modules.filter(module_type=module_type_key(demo.blueprint)).first()
        if module is None:
            module = _create(demo, project)
        modules.append((demo, project, module))
    if scale:
        _scale(scale_module(), scale)

    stdout.write("Dialoge (Ideen, Kommentare, Bewertungen, Textdiskussion):")
    for demo, project, module in modules:
        ideas = Idea.objects.filter(module=module)
        comments = (
            Comment.objects.filter(idea__module=module).count()
            + Comment.objects.filter(paragraph__chapter__module=module).count()
        )
        what = (
            f"{Paragraph.objects.filter(chapter__module=module).count()} Absätze"
            if demo.blueprint == Blueprint.TEXT_REVIEW
            else f"{ideas.count()} Beiträge"
        )
        path = f"{project.get_absolute_url()}module/{module.pk}/"
        stdout.write(
            f"  {path:58} {services.settings_for(module).get_blueprint_display()}: {what}, {comments} Kommentare"
        )
    school = modules[0][2]
    stdout.write(
        f"Moderation: Warteschlangen unter …/dialog/<Modul>/moderation/, z. B. "
        f"/{SCHOOL.organisation}/projekte/{MOBILITY.slug}/dialog/{modules[1][2].pk}/moderation/ "
        f"(Vorab-Moderation). {STAFF['moderation']} moderiert /{SCHOOL.organisation}/projekte/{SCHOOL.slug}/ "
        f"(Modul {school.pk})."
    )
    stdout.write(
        f"Halböffentlich: /{CLUBS.organisation}/projekte/{CLUBS.slug}/ – {CITIZENS['berta'][0]} ist eingeladen, "
        f"{CITIZENS['gustav'][0]} kann nur lesen. Weitere Demo-Teilnehmende (Passwort wie oben): "
        + ", ".join(email for key, (email, _name) in CITIZENS.items() if key not in ("berta", "gustav"))
    )


def _project(demo: DemoDialogue) -> Project:
    organisation = Organisation.objects.get(slug=demo.organisation)
    project, _created = Project.objects.get_or_create(
        organisation=organisation, slug=demo.slug,
        defaults={"title": demo.title, "summary": demo.summary, "description": demo.description,
                  "topics": list(demo.topics), "access": demo.access, "status": ProjectStatus.PUBLISHED,
                  "published_at": timezone.now() - timedelta(days=-min(p.start for p in demo.phases) + 1),
                  "location": demo.location, "location_label": demo.location_label, "contact_name": "Projektteam",
                  "contact_email": f"beteiligung@{organisation.slug}.example"},
    )  # fmt: skip
    return project


def _accounts() -> dict[str, Any]:
    """Fresh user objects: permission checks cache roles on them, and memberships change while seeding."""
    emails = {key: email for key, (email, _name) in CITIZENS.items()} | STAFF
    users = {user.email: user for user in get_user_model().objects.filter(email__in=emails.values())}
    return {key: users[email] for key, email in emails.items()}


@contextlib.contextmanager
def _everything_allowed(module: Module) -> Iterator[None]:
    """A temporary phase that allows every action, so content of earlier phases can go through the services."""
    now = timezone.now()
    phase = Phase.objects.create(module=module, phase_type="seeding", name="Demo", features=["create", "comment", "rate"],
                                 start=now - timedelta(days=3650), end=now + timedelta(days=1))  # fmt: skip
    try:
        yield
    finally:
        phase.delete()
        project_services.refresh_phase_span(module.project)


class Clock:
    """Collects the moments things should seem to have happened at, and applies them at the end."""

    def __init__(self) -> None:
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.moments: list[tuple[type[Any], int, dict[str, datetime]]] = []

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def set(self, model: type[Any], pk: int, **moments: datetime) -> None:
        self.moments.append((model, pk, moments))

    def apply(self) -> None:
        for model, pk, moments in self.moments:
            model.objects.filter(pk=pk).update(**{name: self.daytime(moment) for name, moment in moments.items()})

    def daytime(self, moment: datetime) -> datetime:
        """Move a moment into the waking hours of its day (German time), keeping the order of all moments.

        Each day's 24 hours are squeezed into 7:00–22:00; today's hours until now into the time before now.
        """
        local, now = timezone.localtime(moment), timezone.localtime(self.now)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if local.date() < now.date():
            return midnight + timedelta(hours=7) + (local - midnight) * 15 / 24
        if local.date() > now.date() or local >= now:
            return moment
        today = now - midnight
        first = min(timedelta(hours=7), today / 2)
        span = max(today - timedelta(minutes=10) - first, timedelta(0))
        return midnight + first + (local - midnight) * (span / today)


def _create(demo: DemoDialogue, project: Project) -> Module:
    accounts = _accounts()
    for key, role in demo.members:
        ProjectMembership.objects.get_or_create(project=project, user=accounts[key], defaults={"role": role})
    accounts = _accounts()  # again: the memberships above are not in any cached role map
    staff = accounts[demo.staff]
    clock = Clock()
    module = project_services.module_add(actor=staff, project=project, module_type=module_type_key(demo.blueprint),
                                         name=demo.module_name, description=demo.module_description)  # fmt: skip
    known = {phase.key: phase for phase in PHASES[Blueprint(demo.blueprint)]}
    for phase in demo.phases:
        assert phase.phase_type in known, f"{demo.slug}: no phase type {phase.phase_type}"  # noqa: S101
        project_services.phase_add(actor=staff, module=module, phase_type=phase.phase_type, name=phase.name,
                                   start=_day(clock.ago(-phase.start)), end=_day(clock.ago(-phase.end)),
                                   description=phase.description)  # fmt: skip
    services.settings_for(module)
    if demo.premoderation:
        services.settings_update(actor=staff, module=module, premoderation=True)
    for model, names in ((Category, demo.categories), (Label, demo.labels)):
        if names:
            services.names_set(actor=staff, module=module, model=model, names="\n".join(names))
    categories = {c.name: c for c in Category.objects.filter(module=module)}
    labels = {label.name: label for label in Label.objects.filter(module=module)}
    module = Module.objects.select_related("project__organisation").get(pk=module.pk)

    with _everything_allowed(module):
        for demo_idea in demo.ideas:
            _idea(demo, module, demo_idea, accounts, categories, labels, clock)
        for number, demo_chapter in enumerate(demo.chapters, start=1):
            _chapter(demo, module, number, demo_chapter, accounts, clock)
        if demo.block:
            citizen, reason = demo.block
            entry = services.block(actor=staff, user=accounts[citizen], reason=reason, project=project)
            clock.set(type(entry), entry.pk, created_at=clock.ago(1.5))
    for citizen, frequency in demo.follows:
        services.follow(user=accounts[citizen], project=project, frequency=frequency)
    clock.apply()
    return module


def _day(moment: datetime) -> datetime:
    """Phases begin and end at midnight (German time), as staff would enter them."""
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _idea(
    demo: DemoDialogue, module: Module, item: DemoIdea, accounts: dict[str, Any], categories: dict[str, Category],
    labels: dict[str, Label], clock: Clock,
) -> None:  # fmt: skip
    staff = accounts[demo.staff]
    category = categories.get(item.category)
    chosen = [labels[name] for name in item.labels]
    if item.author in STAFF:
        idea = services.item_create(actor=accounts[item.author], module=module, title=item.title, text=item.text,
                                    category=category, labels=chosen)  # fmt: skip
    else:
        lon, lat = item.location or (None, None)
        idea = services.idea_create(user=accounts[item.author], module=module, title=item.title, text=item.text,
                                    category=category, labels=chosen, lon=lon, lat=lat,
                                    image=_schoolhouse() if item.image_alt else None, image_alt=item.image_alt)  # fmt: skip
    if not idea.approved and not item.pending:
        services.approve(actor=staff, target=idea)
    created = clock.ago(item.days_ago)
    clock.set(Idea, idea.pk, created_at=created, updated_at=created)
    if item.pending:
        return
    until = clock.ago(-demo.comments_until) if demo.comments_until else clock.now - timedelta(minutes=20)
    _thread(demo, idea, item.comments, accounts, clock, created, until)
    rate_from = created
    if demo.comments_until:  # the discussion is over and a rating phase runs: the ratings came in since it began
        rating_phase = next(phase for phase in demo.phases if phase.phase_type == "rate")
        rate_from = max(created, _day(clock.ago(-rating_phase.start)))
    ratings = [(citizen, 1) for citizen in item.up] + [(citizen, -1) for citizen in item.down]
    for index, (citizen, value) in enumerate(ratings):
        rating = services.rate(user=accounts[citizen], idea=idea, value=value)
        clock.set(Rating, rating.pk, created_at=_between(rate_from, clock.now, index + 1, len(ratings) + 1))
    if item.feedback:
        status, text = item.feedback
        idea.refresh_from_db()
        services.give_feedback(actor=staff, idea=idea, status=status, text=text)
        clock.set(Idea, idea.pk, feedback_at=_between(created, clock.now, 4, 5))
    if item.flag:
        reporter, reason = item.flag
        entry = services.flag(user=accounts[reporter], idea=idea, reason=reason)
        clock.set(Flag, entry.pk, created_at=clock.now - timedelta(hours=3))


def _schoolhouse() -> SimpleUploadedFile:
    """A small drawing of the old school, made in memory: no image files are kept in the repository."""
    image = Image.new("RGB", (640, 420), (196, 222, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, 640, 420), fill=(120, 150, 90))  # lawn
    draw.rectangle((130, 170, 510, 340), fill=(222, 204, 170))  # walls
    draw.polygon([(110, 175), (320, 80), (530, 175)], fill=(160, 60, 50))  # roof
    draw.rectangle((300, 45, 340, 100), fill=(222, 204, 170))  # bell tower
    draw.polygon([(292, 50), (320, 20), (348, 50)], fill=(160, 60, 50))
    for column in range(6):
        for row in range(2):
            left, top = 150 + column * 60 + (40 if column > 2 else 0), 195 + row * 70
            if 290 <= left <= 330:
                continue
            draw.rectangle((left, top, left + 30, top + 40), fill=(90, 110, 130))
    draw.rectangle((295, 270, 345, 340), fill=(110, 70, 40))  # door
    draw.text((302, 250), "1912", fill=(80, 60, 40))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return SimpleUploadedFile("alte-schule.jpg", output.getvalue(), content_type="image/jpeg")


def _between(start: datetime, end: datetime, step: int, steps: int) -> datetime:
    return start + (end - start) * step / steps


def _thread(
    demo: DemoDialogue, target: Idea | Paragraph, comments: tuple[DemoComment, ...], accounts: dict[str, Any],
    clock: Clock, start: datetime, until: datetime,
) -> None:  # fmt: skip
    """Comments and replies in order, spread evenly between ``start`` and ``until``."""
    staff = accounts[demo.staff]
    moderator = accounts["moderation"] if any(key == "moderation" for key, _role in demo.members) else staff
    total = sum(1 + len(comment.replies) for comment in comments)
    position = 0

    def when() -> datetime:
        nonlocal position
        position += 1
        return _between(start, until, position, total + 1)

    for item in comments:
        comment = services.comment_create(user=accounts[item.author], target=target, text=item.text)
        if not comment.approved and not item.pending:
            services.approve(actor=staff, target=comment)
        clock.set(Comment, comment.pk, created_at=when())
        for reply_item in item.replies:
            reply = services.comment_create(user=accounts[reply_item.author], target=target, text=reply_item.text,
                                            parent=comment)  # fmt: skip
            if not reply.approved:
                services.approve(actor=staff, target=reply)
            clock.set(Comment, reply.pk, created_at=when())
            if reply_item.highlighted:
                services.comment_mark(actor=moderator, comment=reply, highlighted=True)
        if item.pinned or item.highlighted:
            services.comment_mark(actor=moderator, comment=comment, pinned=item.pinned or None,
                                  highlighted=item.highlighted or None)  # fmt: skip
        if item.flag:
            reporter, reason = item.flag
            entry = services.flag(user=accounts[reporter], comment=comment, reason=reason)
            clock.set(Flag, entry.pk, created_at=clock.now - timedelta(hours=5))
        if item.hide:
            reporter, flag_reason, public_reason = item.hide
            entry = services.flag(user=accounts[reporter], comment=comment, reason=flag_reason)
            clock.set(Flag, entry.pk, created_at=clock.now - timedelta(days=2))
            services.hide(actor=moderator, target=comment, reason=public_reason)
        if item.deleted:
            comment.refresh_from_db()
            services.comment_delete(user=accounts[item.author], comment=comment)
            clock.set(Comment, comment.pk, deleted_at=until)


def _chapter(
    demo: DemoDialogue, module: Module, number: int, item: DemoChapter, accounts: dict[str, Any], clock: Clock
) -> None:
    chapter = services.chapter_add(actor=accounts[demo.staff], module=module, title=item.title,
                                   text="\n\n".join(P(text) for text in item.paragraphs))  # fmt: skip
    paragraphs = list(chapter.paragraphs.order_by("position"))
    start = clock.ago(-min(p.start for p in demo.phases))
    for paragraph_number, comment in item.comments:
        paragraph = paragraphs[paragraph_number - 1]
        # Earlier chapters were discussed a little earlier: spread the threads over the running phase.
        began = _between(start, clock.now, number - 1, len(demo.chapters) + 1)
        _thread(demo, paragraph, (comment,), accounts, clock, began, clock.now - timedelta(minutes=20))


# --- scale data -----------------------------------------------------------------------------------------------

BATCH = 5_000
IDEAS_PER_ROUND = 500  # 500 ideas → 4,000 comments, 1,000 replies and up to 1,500 ratings per round
SCALE_TEXTS = [
    "Mehr Sitzgelegenheiten im Schulhof und ein schattiger Treffpunkt für alle Generationen.",
    "Räume für Vereine, Kurse der Volkshochschule und Veranstaltungen am Abend.",
    "Ein kleiner Laden mit regionalen Produkten und einer Paketstation.",
    "Eine Werkstatt, in der man gemeinsam Fahrräder und Haushaltsgeräte repariert.",
    "Ein Raum für Musik, Theater und Ausstellungen aus der Region.",
]
SCALE_COMMENTS = [
    "Gute Idee, das unterstütze ich.",
    "Wie soll das finanziert werden?",
    "Das gab es früher schon einmal und hat gut funktioniert.",
    "Bitte an die Barrierefreiheit denken.",
    "Ich würde mich ehrenamtlich beteiligen.",
    "Das passt besser in einen anderen Ortsteil.",
    "Gibt es dafür Fördermittel?",
    "Die Nachbarschaft sollte früh einbezogen werden.",
]


def scale_module() -> Module:
    """The module ``--scale`` fills: the brainstorming of the old school."""
    org_slug, slug = SCALE_PROJECT
    return Module.objects.get(project__organisation__slug=org_slug, project__slug=slug,
                              module_type=module_type_key(Blueprint.BRAINSTORMING))  # fmt: skip


def _scale(module: Module, count: int) -> int:
    """Bulk-insert ``count`` ideas with 8 comments and 2 replies each, and 0–3 ratings; counters match the rows.

    The ideas are dated just after the start of the first phase, so the demo ideas stay on top of the
    "newest first" list. Returns the number of ideas added.
    """
    users = list(get_user_model().objects.filter(
        email__in=[email for key, (email, _name) in CITIZENS.items() if key != "dieter"]).order_by("pk"))  # fmt: skip
    categories: list[Category | None] = [*Category.objects.filter(module=module).order_by("pk")] or [None]
    first = module.phases.order_by("start").values_list("start", flat=True).first() or timezone.now()
    existing = Idea.objects.filter(module=module, title__startswith="Idee Nr. ").count()
    done = 0
    while done < count:
        size = min(IDEAS_PER_ROUND, count - done)
        ideas = []
        for offset in range(size):
            number = existing + done + offset
            created = first + timedelta(minutes=1, seconds=number % 86_400)
            raters = number % 4  # 0–3 ratings: the third is against
            positive = min(raters, 2)
            negative = raters - positive
            ideas.append(Idea(
                module=module, author=users[number % len(users)], title=f"Idee Nr. {number + 1}",
                text=P(SCALE_TEXTS[number % len(SCALE_TEXTS)]), category=categories[number % len(categories)],
                comment_count=10, positive_count=positive, negative_count=negative, score=positive - negative,
                created_at=created, updated_at=created,
            ))  # fmt: skip
        ideas = Idea.objects.bulk_create(ideas, batch_size=BATCH)
        top = []
        for position, idea in enumerate(ideas):
            for index in range(8):
                top.append(Comment(idea=idea, author=users[(position + index) % len(users)],
                                   text=SCALE_COMMENTS[index], created_at=idea.created_at + timedelta(minutes=index + 1),
                                   reply_count=2 if index == 0 else 0))  # fmt: skip
        top = Comment.objects.bulk_create(top, batch_size=BATCH)
        replies = []
        for position, parent in enumerate(top[::8]):
            for index in range(2):
                replies.append(Comment(idea_id=parent.idea_id, parent=parent, text=SCALE_COMMENTS[-1 - index],
                                       author=users[(position + index + 3) % len(users)],
                                       created_at=parent.created_at + timedelta(seconds=30 * (index + 1))))  # fmt: skip
        Comment.objects.bulk_create(replies, batch_size=BATCH)
        ratings = []
        for idea in ideas:
            number = int(idea.title.removeprefix("Idee Nr. ")) - 1
            for index in range(number % 4):
                ratings.append(Rating(idea=idea, user=users[(number + index) % len(users)],
                                      value=1 if index < 2 else -1, created_at=idea.created_at))  # fmt: skip
        Rating.objects.bulk_create(ratings, batch_size=BATCH)
        done += size
    return done


def check_counters(module: Module) -> list[str]:
    """Ideas whose stored counters differ from their rows (for tests and for checking a seeded database)."""
    wrong = []
    for idea in Idea.objects.filter(module=module):
        comments = Comment.objects.filter(idea=idea, approved=True, hidden=False, deleted_at__isnull=True).count()
        ratings = Rating.objects.filter(idea=idea)
        positive, negative = ratings.filter(value=1).count(), ratings.filter(value=-1).count()
        if (idea.comment_count, idea.positive_count, idea.negative_count, idea.score) != (
            comments,
            positive,
            negative,
            positive - negative,
        ):
            wrong.append(f"{idea.pk} {idea.title}")
    return wrong
