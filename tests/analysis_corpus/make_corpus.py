"""Generate the labelled German test set for near-duplicate grouping (``statements.jsonl``).

Run ``python tests/analysis_corpus/make_corpus.py`` to rewrite the committed file; the output depends only on
the seed, so a rerun writes the same bytes. ``build(...)`` is also used by ``bench/analysis_bench.py`` to scale
the same model up to 50,000 statements.

How the texts come about (all sentences and vocabularies below are our own):

* Six planning topics. Each topic has *concerns* (species protection, groundwater, noise, …). A concern has
  roles (claim, two details, demand); every role has three phrasings that say the same thing with other words
  and sentence structure, filled from slots (places, species, figures).
* A **campaign** is one fixed instantiation: a choice of concerns, roles, phrasings and slot values, plus an
  intro and a closing. Its members are copies of it in a letter frame of their own (greeting, sender, date,
  sign-off, or an online form with none) with variations: typos, paragraphs reordered, a sentence removed or
  added, an individual paragraph added, shortened, or reworded (other phrasings for every sentence, synonyms,
  sentence and paragraph order changed), sometimes two of them.
* An **individual** statement draws concerns, phrasings and slot values at random from the *same* grammar,
  plus personal sentences. So it shares topic, vocabulary and sometimes whole generic sentences with the
  campaigns and with other individuals; what a campaign member shares with its lead is the particular
  combination: the concerns, the figures and places, the order of the argument.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "statements.jsonl"
SEED = 20250318

# --- topics ----------------------------------------------------------------------------------------------------------
# Slot values per topic. "E_*" is the intervention as a noun phrase in nominative/accusative/dative.

Slots = dict[str, Sequence[Any]]


@dataclass(frozen=True)
class Topic:
    key: str
    title: str  # for subject lines
    subject: str  # what the statement objects to, used in subject lines and intros (accusative)
    e_nom: str
    e_akk: str
    e_dat: str
    slots: Slots
    concerns: dict[str, list[list[str]]]
    short: list[str]  # short individual statements


def _streets(*names: str) -> list[str]:
    # "an der Lindenstraße" / "am Mühlweg": a location phrase that fits every frame
    return [f"an der {n}" if n.lower().endswith(("straße", "gasse", "allee")) else f"am {n}" for n in names]


COMMON_SLOTS: Slots = {
    "abstand": range(150, 1500, 50),
    "gw": (1, 2, 3, 4),
    "seiten": range(400, 2600, 100),
    "hektar": range(4, 160),
    "hektar2": range(2, 40),
    "mio": range(8, 160),
    "jahr": range(2009, 2020),
    "lkw": range(40, 400, 10),
    "monate": range(10, 48),
}

# fmt: off
# Shared concerns: every topic has them, filled with its own slot values.
SHARED_CONCERNS: dict[str, list[list[str]]] = {
    "artenschutz": [
        ["{E_nom} zerstört den Lebensraum der {art} zwischen {ort} und {ort2}.",
         "Zwischen {ort} und {ort2} leben {art}, deren Lebensraum durch {e_akk} verloren ginge.",
         "Durch {e_akk} verlieren die {art} zwischen {ort} und {ort2} ihren Lebensraum."],
        ["Das nächste bekannte Vorkommen liegt nur {abstand} Meter vom geplanten Baufeld entfernt.",
         "Nur {abstand} Meter vom Baufeld entfernt ist ein Vorkommen bekannt.",
         "Ein nachgewiesenes Vorkommen befindet sich in lediglich {abstand} Metern Entfernung zum Baufeld."],
        ["Im artenschutzrechtlichen Fachbeitrag wird dieses Vorkommen nicht berücksichtigt.",
         "Der artenschutzrechtliche Fachbeitrag übergeht dieses Vorkommen vollständig.",
         "Dieses Vorkommen fehlt im Fachbeitrag zum Artenschutz."],
        ["Ich fordere eine neue Kartierung über eine volle Vegetationsperiode, bevor entschieden wird.",
         "Vor einer Entscheidung muss über eine ganze Vegetationsperiode neu kartiert werden.",
         "Eine erneute Kartierung über eine vollständige Vegetationsperiode ist nachzuholen, bevor entschieden wird."],
    ],
    "wasser": [
        ["{E_nom} gefährdet das Grundwasser, das bei {ort} nur {gw} Meter unter der Oberfläche steht.",
         "Bei {ort} steht das Grundwasser nur {gw} Meter unter der Oberfläche und wäre durch {e_akk} gefährdet.",
         "Das Grundwasser liegt bei {ort} lediglich {gw} Meter tief und ist durch {e_akk} bedroht."],
        ["Aus diesem Grundwasser speist sich auch der {bach}, der schon heute in trockenen Sommern kaum Wasser führt.",
         "Der {bach} wird aus diesem Grundwasser gespeist und fällt schon jetzt in heißen Sommern fast trocken.",
         "Schon heute führt der {bach}, der von diesem Grundwasser lebt, in trockenen Sommern kaum noch Wasser."],
        ["Die hydrogeologische Untersuchung beruht auf nur zwei Messstellen.",
         "Für das hydrogeologische Gutachten wurden lediglich zwei Messstellen ausgewertet.",
         "Nur zwei Messstellen bilden die Grundlage der hydrogeologischen Untersuchung."],
        ["Ich fordere ein unabhängiges hydrogeologisches Gutachten mit einem dichten Messnetz.",
         "Notwendig ist ein unabhängiges Gutachten zum Grundwasser auf Grundlage eines dichten Messnetzes.",
         "Es muss ein unabhängiges hydrogeologisches Gutachten mit deutlich mehr Messstellen erstellt werden."],
    ],
    "landschaft": [
        ["{E_nom} verändert das Landschaftsbild rund um {ort} für immer.",
         "Das Landschaftsbild um {ort} würde durch {e_akk} dauerhaft zerstört.",
         "Rund um {ort} ginge durch {e_akk} eine gewachsene Landschaft unwiederbringlich verloren."],
        ["Der Wanderweg „{weg}“ ist eines der wichtigsten Naherholungsziele der Region.",
         "Zu den beliebtesten Zielen der Naherholung in der Region gehört der Wanderweg „{weg}“.",
         "Viele Menschen aus der Region suchen auf dem Wanderweg „{weg}“ Erholung."],
        ["Unmittelbar angrenzend liegt {gebiet}, dessen Erholungswert verloren ginge.",
         "Auch {gebiet} grenzt direkt an und würde seinen Wert für die Erholung verlieren.",
         "Für {gebiet}, das direkt angrenzt, bedeutet das den Verlust seines Erholungswertes."],
        ["Ich fordere Visualisierungen von allen Wanderwegen aus, die die Wirkung ehrlich zeigen.",
         "Es müssen Visualisierungen von den Wanderwegen aus vorgelegt werden, die die Wirkung ehrlich zeigen.",
         "Notwendig sind ehrliche Visualisierungen, wie das Vorhaben von den Wanderwegen aus wirkt."],
    ],
    "belastung": [
        ["Die Anwohner in {ort} werden durch {belastung} zusätzlich belastet.",
         "Für die Menschen in {ort} bedeutet das eine zusätzliche Belastung durch {belastung}.",
         "In {ort} kommt auf die Anwohner eine weitere Belastung durch {belastung} zu."],
        ["Die Häuser {an_strasse} liegen nur {abstand} Meter entfernt.",
         "Nur {abstand} Meter trennen die Häuser {an_strasse} vom Vorhaben.",
         "Die Wohnhäuser {an_strasse} stehen in einem Abstand von nur {abstand} Metern."],
        ["Die schalltechnische Untersuchung rechnet mit Mittelwerten und blendet Spitzenbelastungen aus.",
         "Spitzenbelastungen werden in der schalltechnischen Untersuchung durch Mittelwerte ausgeblendet.",
         "Statt der Spitzenbelastungen betrachtet die schalltechnische Untersuchung nur Mittelwerte."],
        ["Ich fordere wirksamen Schutz für die Gesundheit der Anwohner, auch in der Nacht.",
         "Die Gesundheit der Anwohner muss wirksam geschützt werden, gerade nachts.",
         "Gerade in der Nacht muss die Gesundheit der Anwohner wirksam geschützt sein."],
    ],
    "verfahren": [
        ["Die ausgelegten Unterlagen sind unvollständig.",
         "Die Unterlagen der Auslegung sind lückenhaft.",
         "In der Auslegung fehlen wesentliche Unterlagen."],
        ["Das Gutachten zu {gutachten} wird nur erwähnt, lag aber nicht aus.",
         "Auf das Gutachten zu {gutachten} wird verwiesen, ausgelegt wurde es nicht.",
         "Das Gutachten zu {gutachten} ist nicht ausgelegt worden, obwohl es zitiert wird."],
        ["Für mehr als {seiten} Seiten Fachgutachten war die Frist von einem Monat viel zu kurz.",
         "Eine Frist von einem Monat reicht für über {seiten} Seiten Fachgutachten nicht aus.",
         "Mehr als {seiten} Seiten Gutachten lassen sich in einem Monat nicht sorgfältig prüfen."],
        ["Ich fordere eine erneute Auslegung mit vollständigen Unterlagen.",
         "Die Unterlagen müssen vollständig erneut ausgelegt werden.",
         "Notwendig ist eine neue Auslegung, diesmal mit allen Unterlagen."],
    ],
    "alternativen": [
        ["{Alternative} wurde nicht ernsthaft geprüft.",
         "Nicht ernsthaft geprüft wurde {alternative}.",
         "Eine naheliegende Alternative wäre {alternative}, sie wurde aber nie ernsthaft untersucht."],
        ["Diese Lösung würde {hektar2} Hektar weniger Fläche verbrauchen.",
         "Damit ließen sich {hektar2} Hektar Fläche einsparen.",
         "Der Flächenverbrauch läge um {hektar2} Hektar niedriger."],
        ["Die Abwägung der Varianten ist in den Unterlagen nicht nachvollziehbar.",
         "Wie die Varianten gegeneinander abgewogen wurden, lässt sich den Unterlagen nicht entnehmen.",
         "Den Unterlagen ist nicht zu entnehmen, nach welchen Kriterien die Varianten verglichen wurden."],
        ["Ich fordere einen offenen Variantenvergleich mit nachvollziehbaren Kriterien.",
         "Es braucht einen transparenten Vergleich aller Varianten nach nachvollziehbaren Kriterien.",
         "Alle Varianten müssen offen und nach klaren Kriterien verglichen werden."],
    ],
    "flaeche": [
        ["Für {e_akk} sollen {hektar} Hektar bester Ackerboden in der Flur „{flur}“ verloren gehen.",
         "In der Flur „{flur}“ gingen durch {e_akk} {hektar} Hektar wertvoller Ackerboden verloren.",
         "{E_nom} verbraucht in der Flur „{flur}“ {hektar} Hektar hochwertigen Ackerboden."],
        ["Die Böden bei {ort} gehören zu den fruchtbarsten im ganzen Landkreis.",
         "Bei {ort} liegen einige der fruchtbarsten Böden des Landkreises.",
         "Kaum irgendwo im Landkreis sind die Böden so fruchtbar wie bei {ort}."],
        ["Mehrere Familienbetriebe verlieren dadurch einen großen Teil ihrer Pachtflächen.",
         "Für mehrere Familienbetriebe bedeutet das den Verlust wichtiger Pachtflächen.",
         "Mehreren bäuerlichen Familienbetrieben würden wichtige Pachtflächen genommen."],
        ["Ich fordere, den Flächenverbrauch auf das unbedingt Notwendige zu begrenzen.",
         "Der Flächenverbrauch ist auf das zwingend notwendige Maß zu beschränken.",
         "Es darf nur so viel Fläche verbraucht werden, wie unbedingt nötig ist."],
    ],
    "kosten": [
        ["Die Kosten sind seit der ersten Schätzung auf {mio} Millionen Euro gestiegen.",
         "Inzwischen werden die Kosten auf {mio} Millionen Euro geschätzt, weit mehr als anfangs angegeben.",
         "Mit {mio} Millionen Euro liegen die geschätzten Kosten heute weit über der ersten Schätzung."],
        ["Die Wirtschaftlichkeitsberechnung stammt aus dem Jahr {jahr} und berücksichtigt diese Steigerung nicht.",
         "Diese Steigerung fehlt in der Wirtschaftlichkeitsberechnung, die aus dem Jahr {jahr} stammt.",
         "Die Wirtschaftlichkeitsberechnung von {jahr} bildet diese Steigerung nicht ab."],
        ["Das Geld fehlt dann für Schulen, Radwege und den Nahverkehr.",
         "Dieses Geld fehlt später für Schulen, Radwege und den öffentlichen Nahverkehr.",
         "Für Schulen, Radwege und den Nahverkehr stünde dieses Geld dann nicht mehr zur Verfügung."],
        ["Ich fordere eine aktuelle und unabhängige Prüfung der Wirtschaftlichkeit.",
         "Die Wirtschaftlichkeit muss aktuell und unabhängig geprüft werden.",
         "Notwendig ist eine neue, unabhängige Prüfung der Wirtschaftlichkeit."],
    ],
    "bauverkehr": [
        ["Während der Bauzeit von {monate} Monaten rollen täglich bis zu {lkw} Lkw durch {ort}.",
         "Bis zu {lkw} Lkw täglich sollen während der {monate} Monate dauernden Bauzeit durch {ort} fahren.",
         "In {ort} ist während der Bauzeit von {monate} Monaten mit bis zu {lkw} Lkw-Fahrten am Tag zu rechnen."],
        ["Die Baustraße führt direkt {an_strasse} vorbei, wo Kindergarten und Grundschule liegen.",
         "Genau {an_strasse}, wo Kindergarten und Grundschule liegen, ist die Baustraße geplant.",
         "Ausgerechnet {an_strasse} mit Kindergarten und Grundschule soll der Baustellenverkehr fahren."],
        ["Ein Konzept für die Baustellenlogistik fehlt.",
         "Es gibt kein Konzept für die Logistik der Baustelle.",
         "Die Unterlagen enthalten kein Konzept für die Baustellenlogistik."],
        ["Ich fordere, den Baustellenverkehr außerhalb der Ortslage zu führen.",
         "Der Baustellenverkehr muss um die Ortslage herum geführt werden.",
         "Die Baustellenfahrzeuge dürfen nicht durch die Ortslage fahren."],
    ],
}

TOPICS = [
    Topic(
        key="ortsumgehung",
        title="Planfeststellung Ortsumgehung Lindenau (B 312)",
        subject="den Plan für die Ortsumgehung Lindenau im Zuge der B 312",
        e_nom="der Bau der Ortsumgehung", e_akk="den Bau der Ortsumgehung", e_dat="dem Bau der Ortsumgehung",
        slots={
            "ort": ("Lindenau", "Oberlindenau", "Hasselbach", "Kirchweiler", "Moorbrück"),
            "art": ("Feldhamster", "Kiebitze", "Laubfrösche", "Zauneidechsen", "Steinkäuze", "Rebhühner"),
            "gebiet": ("das Landschaftsschutzgebiet „Lindenauer Aue“", "das FFH-Gebiet „Hasselbacher Bruch“",
                       "das Naturschutzgebiet „Moorwiesen“"),
            "bach": ("Hasselbach", "Mühlgraben", "Lindbach"),
            "flur": ("Am Galgenberg", "Im Hasenwinkel", "Lange Äcker", "Auf der Heide", "Am Sauerbrunnen"),
            "weg": ("Lindenauer Rundweg", "Auenpfad", "Kirchweg nach Kirchweiler"),
            "belastung": ("Verkehrslärm und Abgase", "den Reifenlärm der Lkw", "Feinstaub und Lärm"),
            "alternative": ("die Nordvariante entlang der Bahnlinie",
                            "ein Ausbau der bestehenden Ortsdurchfahrt mit Tempo 30",
                            "eine Tunnellösung unter dem Kirchberg"),
            "gutachten": ("den Luftschadstoffen", "der Entwässerung der Trasse", "den Lärmschutzwänden"),
            "an_strasse": _streets("Lindenstraße", "Mühlweg", "Anger", "Schulstraße", "Hasselbacher Straße",
                                   "Gartenweg"),
            "kfz": range(6000, 18000, 500), "damm": (2, 3, 4, 5, 6),
        },
        concerns={
            "prognose": [
                ["Die Verkehrsprognose beruht auf einer Zählung aus dem Jahr {jahr} und ist veraltet.",
                 "Grundlage der Verkehrsprognose ist eine veraltete Zählung aus dem Jahr {jahr}.",
                 "Die Prognose stützt sich auf Verkehrszahlen aus dem Jahr {jahr}, die längst überholt sind."],
                ["Die angenommenen {kfz} Fahrzeuge pro Tag werden in der Ortsdurchfahrt heute nicht erreicht.",
                 "Heute fahren deutlich weniger als die angenommenen {kfz} Fahrzeuge täglich durch den Ort.",
                 "Von den unterstellten {kfz} Fahrzeugen am Tag ist die Ortsdurchfahrt weit entfernt."],
                ["Damit fehlt die Begründung für den Bedarf der Umgehung.",
                 "Der behauptete Bedarf für die Umgehung ist damit nicht belegt.",
                 "Ohne belastbare Zahlen lässt sich der Bedarf der Umgehung nicht begründen."],
                ["Ich fordere eine neue Verkehrszählung, bevor weiter geplant wird.",
                 "Vor jeder weiteren Planung muss der Verkehr neu gezählt werden.",
                 "Es braucht eine aktuelle Zählung, bevor über die Trasse entschieden wird."],
            ],
            "zerschneidung": [
                ["Die Trasse zerschneidet die Feldflur „{flur}“ zwischen {ort} und {ort2}.",
                 "Zwischen {ort} und {ort2} würde die Feldflur „{flur}“ von der Trasse durchtrennt.",
                 "Die neue Straße teilt die Flur „{flur}“ zwischen {ort} und {ort2} in zwei Hälften."],
                ["Der Feldweg, den viele Kinder als Schulweg nach {ort2} nutzen, soll ohne Querung enden.",
                 "Für den Feldweg nach {ort2}, auf dem viele Kinder zur Schule radeln, ist keine Querung vorgesehen.",
                 "Viele Schulkinder fahren auf dem Feldweg nach {ort2}, der an der Trasse ohne Querung endet."],
                ["Landwirte müssten mit ihren Maschinen Umwege von mehreren Kilometern fahren.",
                 "Für die Landwirte entstehen mit ihren Maschinen kilometerlange Umwege.",
                 "Die landwirtschaftlichen Betriebe müssten weite Umwege in Kauf nehmen."],
                ["Ich fordere eine sichere Unterführung für Rad- und Fußverkehr.",
                 "Eine sichere Unterführung für Fußgänger und Radfahrer ist unverzichtbar.",
                 "Es muss eine gesicherte Unterführung für den Rad- und Fußverkehr geben."],
            ],
            "hochwasser": [
                ["Die Trasse soll auf einem {damm} Meter hohen Damm quer durch die Aue am {bach} verlaufen.",
                 "Quer durch die Aue am {bach} ist ein {damm} Meter hoher Straßendamm geplant.",
                 "Ein {damm} Meter hoher Damm würde die Aue am {bach} quer versperren."],
                ["Bei Hochwasser staut sich das Wasser dann vor dem Damm bis in die Gärten von {ort}.",
                 "Das Hochwasser würde sich vor dem Damm stauen und die Gärten in {ort} erreichen.",
                 "In {ort} stünden die Gärten bei Hochwasser unter Wasser, weil der Damm es aufstaut."],
                ["Die Berechnung des Abflusses berücksichtigt die Starkregen der letzten Jahre nicht.",
                 "Die Starkregen der vergangenen Jahre fehlen in der Abflussberechnung.",
                 "In der Berechnung des Abflusses kommen die Starkregen der letzten Jahre nicht vor."],
                ["Ich fordere eine Brücke statt eines Dammes über die ganze Breite der Aue.",
                 "Statt eines Dammes muss die ganze Aue mit einer Brücke überspannt werden.",
                 "Über die gesamte Breite der Aue ist eine Brücke anstelle des Dammes zu bauen."],
            ],
        },
        short=["Ich bin gegen die Ortsumgehung.", "Die Umgehung brauchen wir nicht.",
               "Bitte bauen Sie die Ortsumgehung nicht durch die Aue.", "Ich lehne die Trasse ab."],
    ),
    Topic(
        key="windpark",
        title="Genehmigungsverfahren Windpark Hoher Kamm",
        subject="die Genehmigung des Windparks Hoher Kamm mit sieben Windenergieanlagen",
        e_nom="der Windpark", e_akk="den Windpark", e_dat="dem Windpark",
        slots={
            "ort": ("Kammerode", "Hohenbuch", "Altenweiler", "Steinfeld", "Buchenhain"),
            "art": ("Rotmilane", "Schwarzstörche", "Mopsfledermäuse", "Uhus", "Wespenbussarde", "Wildkatzen"),
            "gebiet": ("das Vogelschutzgebiet „Hoher Kamm“", "das FFH-Gebiet „Buchenwälder am Kamm“",
                       "das Naturschutzgebiet „Steinfelder Moor“"),
            "bach": ("Kammbach", "Buchenbach", "Steinbach"),
            "flur": ("Am Windberg", "Die Hardt", "Auf dem Kamm", "Hohe Wiese", "Am Kreuz"),
            "weg": ("Kammweg", "Hohenbucher Höhenweg", "Pfad der Quellen"),
            "belastung": ("Schattenwurf und Rotorlärm", "das nächtliche Blinken der Anlagen",
                          "tieffrequenten Schall"),
            "alternative": ("der Standort neben dem Gewerbegebiet Ost", "das Repowering der Altanlagen bei Steinfeld",
                            "eine Konzentrationszone entlang der Autobahn"),
            "gutachten": ("den Schlagopfern", "der Eiswurfgefahr", "dem tieffrequenten Schall"),
            "an_strasse": _streets("Waldstraße", "Kammweg", "Buchenallee", "Höhenstraße", "Wiesenweg",
                                   "Bergstraße"),
            "hoehe": range(200, 275, 5), "wald": range(3, 30), "anlagen": (5, 6, 7, 8, 9),
        },
        concerns={
            "abstand_wohnen": [
                ["Die Anlagen mit {hoehe} Metern Gesamthöhe sollen nur {abstand} Meter vor {ort} stehen.",
                 "Nur {abstand} Meter vor {ort} sind Anlagen mit einer Gesamthöhe von {hoehe} Metern geplant.",
                 "Vor {ort} sollen in lediglich {abstand} Metern Abstand Anlagen von {hoehe} Metern Höhe entstehen."],
                ["Eine solche Anlage wirkt auf die Häuser am Ortsrand erdrückend.",
                 "Für die Häuser am Ortsrand hätte das eine erdrückende Wirkung.",
                 "Die Häuser am Ortsrand wären einer erdrückenden Wirkung ausgesetzt."],
                ["Der Abstand entspricht nicht einmal dem Dreifachen der Anlagenhöhe.",
                 "Nicht einmal das Dreifache der Anlagenhöhe wird als Abstand eingehalten.",
                 "Das Dreifache der Höhe der Anlagen wird beim Abstand unterschritten."],
                ["Ich fordere einen Mindestabstand von 1000 Metern zu jeder Wohnbebauung.",
                 "Zu jeder Wohnbebauung müssen mindestens 1000 Meter Abstand eingehalten werden.",
                 "Jede Anlage muss mindestens 1000 Meter von Wohnhäusern entfernt sein."],
            ],
            "wald": [
                ["Für {e_akk} sollen {wald} Hektar Buchenwald in der Flur „{flur}“ gerodet werden.",
                 "In der Flur „{flur}“ sollen für {e_akk} {wald} Hektar Buchenwald fallen.",
                 "{E_nom} würde die Rodung von {wald} Hektar Buchenwald in der Flur „{flur}“ bedeuten."],
                ["Dieser Wald ist nach den Trockenjahren einer der wenigen gesunden Bestände.",
                 "Nach den trockenen Jahren gehört dieser Wald zu den wenigen noch gesunden Beständen.",
                 "Von den Trockenjahren hat sich dieser Bestand als einer der wenigen gut erholt."],
                ["Zufahrten und Kranstellflächen kommen zur Rodung noch hinzu.",
                 "Zu der Rodung kommen noch die Zufahrten und Kranstellflächen hinzu.",
                 "Hinzu kommen die Flächen für Zufahrten und Kranstellplätze."],
                ["Ich fordere, keine Anlagen in alten Laubwäldern zu errichten.",
                 "In alten Laubwäldern dürfen keine Anlagen errichtet werden.",
                 "Alte Laubwälder müssen von Windenergieanlagen frei bleiben."],
            ],
            "denkmal": [
                ["Die {anlagen} Anlagen stehen direkt in der Sichtachse zur Burgruine {ort}.",
                 "In der Sichtachse zur Burgruine {ort} sollen die {anlagen} Anlagen stehen.",
                 "Genau in der Blickachse auf die Burgruine {ort} sind {anlagen} Anlagen geplant."],
                ["Die Burgruine ist das Wahrzeichen der Region und ein eingetragenes Kulturdenkmal.",
                 "Als eingetragenes Kulturdenkmal ist die Burgruine das Wahrzeichen der Region.",
                 "Das Wahrzeichen der Region, die Burgruine, steht als Kulturdenkmal unter Schutz."],
                ["Die Denkmalbehörde wurde zu dieser Wirkung nicht angehört.",
                 "Zu dieser Wirkung hat man die Denkmalbehörde nicht angehört.",
                 "Eine Anhörung der Denkmalbehörde zu dieser Wirkung hat nicht stattgefunden."],
                ["Ich fordere, die Anlagen aus der Sichtachse herauszunehmen.",
                 "Die Anlagen müssen aus der Sichtachse entfernt werden.",
                 "Aus der Sichtachse müssen die Anlagen herausgenommen werden."],
            ],
        },
        short=["Ich bin gegen den Windpark.", "Keine Windräder im Wald!",
               "Der Windpark zerstört unsere Heimat.", "Ich lehne die Windräder am Kamm ab."],
    ),
    Topic(
        key="regionalplan",
        title="Entwurf Regionalplan Obere Aue",
        subject="den Entwurf des Regionalplans Obere Aue",
        e_nom="die geplante Ausweisung", e_akk="die geplante Ausweisung", e_dat="der geplanten Ausweisung",
        slots={
            "ort": ("Auental", "Wiesbrunn", "Oberaue", "Sandhofen", "Talheim"),
            "art": ("Feldlerchen", "Rebhühner", "Wiesenweihen", "Grauammern", "Feldhasen"),
            "gebiet": ("das Vogelschutzgebiet „Obere Aue“", "das Landschaftsschutzgebiet „Talheimer Hänge“",
                       "das Naturschutzgebiet „Wiesbrunner Quellen“"),
            "bach": ("Auenbach", "Wiesbach", "Sandbach"),
            "flur": ("Oberfeld", "Im Brühl", "Am Sandberg", "Untere Wiesen", "Hohlweg"),
            "weg": ("Auental-Radweg", "Quellenweg", "Talheimer Panoramaweg"),
            "belastung": ("den Lärm eines neuen Gewerbegebiets", "den Lieferverkehr der Logistikhallen",
                          "Licht und Lärm rund um die Uhr"),
            "alternative": ("die Nachnutzung der Industriebrache in Sandhofen", "eine Verdichtung im Bestand",
                            "die Erweiterung des bestehenden Gewerbeparks an der Autobahn"),
            "gutachten": ("dem Flächenbedarf", "den Verkehrsfolgen", "dem Kaltluftabfluss"),
            "an_strasse": _streets("Hauptstraße", "Sandweg", "Brunnenstraße", "Talstraße", "Feldweg",
                                   "Auenstraße"),
            "wohneinheiten": range(20, 200, 10),
        },
        concerns={
            "vorranggebiet": [
                ["Das Vorranggebiet für Industrie und Gewerbe in der Flur „{flur}“ umfasst {hektar} Hektar Ackerland.",
                 "In der Flur „{flur}“ soll ein Vorranggebiet für Industrie und Gewerbe mit {hektar} Hektar Ackerland entstehen.",
                 "{hektar} Hektar Ackerland in der Flur „{flur}“ sollen zum Vorranggebiet für Industrie und Gewerbe werden."],
                ["Ein konkreter Bedarf für diese Fläche ist nicht belegt.",
                 "Der Bedarf für diese Fläche wird nirgends konkret belegt.",
                 "Wofür diese Fläche konkret gebraucht wird, bleibt unbelegt."],
                ["In der Region stehen schon heute Gewerbeflächen leer.",
                 "Schon jetzt gibt es in der Region leerstehende Gewerbeflächen.",
                 "Bereits heute stehen in der Region Gewerbeflächen leer."],
                ["Ich fordere, das Vorranggebiet in der Flur „{flur}“ zu streichen.",
                 "Das Vorranggebiet in der Flur „{flur}“ muss aus dem Plan gestrichen werden.",
                 "Das Vorranggebiet in der Flur „{flur}“ ist aus dem Entwurf zu nehmen."],
            ],
            "eigenentwicklung": [
                ["{Ort} wird auf Eigenentwicklung beschränkt und darf nur noch {wohneinheiten} Wohneinheiten bauen.",
                 "Nur noch {wohneinheiten} Wohneinheiten darf {ort} bauen, weil es auf Eigenentwicklung beschränkt wird.",
                 "Die Beschränkung auf Eigenentwicklung erlaubt {ort} nur noch {wohneinheiten} Wohneinheiten."],
                ["Junge Familien finden dann keinen Bauplatz mehr im eigenen Dorf.",
                 "Für junge Familien gäbe es dann im eigenen Dorf keinen Bauplatz mehr.",
                 "Im eigenen Dorf bliebe für junge Familien dann kein Bauplatz."],
                ["Schule, Vereine und Nahversorgung verlieren so auf Dauer ihre Grundlage.",
                 "Auf Dauer verlieren dadurch Schule, Vereine und Nahversorgung ihre Grundlage.",
                 "Damit wird Schule, Vereinen und Nahversorgung auf Dauer die Grundlage entzogen."],
                ["Ich fordere eine maßvolle Entwicklung auch für die kleinen Orte.",
                 "Auch die kleinen Orte müssen sich maßvoll entwickeln dürfen.",
                 "Den kleinen Orten muss eine maßvolle Entwicklung möglich bleiben."],
            ],
            "gruenzug": [
                ["Der Regionale Grünzug bei {ort} wird im Entwurf um {hektar2} Hektar verkleinert.",
                 "Der Entwurf verkleinert den Regionalen Grünzug bei {ort} um {hektar2} Hektar.",
                 "Um {hektar2} Hektar soll der Regionale Grünzug bei {ort} schrumpfen."],
                ["Über diese Fläche fließt nachts die Kaltluft in die Ortslage von {ort2}.",
                 "Nachts strömt über diese Fläche die Kaltluft nach {ort2}.",
                 "Die Ortslage von {ort2} erhält nachts über diese Fläche ihre Kaltluft."],
                ["Die Klimafunktion dieser Fläche wird im Umweltbericht nicht bewertet.",
                 "Im Umweltbericht fehlt eine Bewertung der Klimafunktion dieser Fläche.",
                 "Der Umweltbericht lässt die Klimafunktion dieser Fläche unbewertet."],
                ["Ich fordere, den Grünzug in seiner bisherigen Größe zu erhalten.",
                 "Der Grünzug muss in seiner bisherigen Größe bestehen bleiben.",
                 "In der bisherigen Größe ist der Grünzug zu erhalten."],
            ],
        },
        short=["Ich bin gegen das Gewerbegebiet im Oberfeld.", "Lasst unsere Dörfer wachsen!",
               "Der Regionalplan ist so nicht akzeptabel.", "Bitte keine Logistikhallen auf Ackerland."],
    ),
    Topic(
        key="kiesgrube",
        title="Erweiterung der Kiesgrube Sandhausen",
        subject="die Erweiterung der Kiesgrube Sandhausen",
        e_nom="der Kiesabbau", e_akk="den Kiesabbau", e_dat="dem Kiesabbau",
        slots={
            "ort": ("Sandhausen", "Niederwerth", "Bruchhof", "Weidenau", "Kiesdorf"),
            "art": ("Uferschwalben", "Kreuzkröten", "Eisvögel", "Flussregenpfeifer", "Gelbbauchunken"),
            "gebiet": ("das FFH-Gebiet „Weidenauer Altrhein“", "das Naturschutzgebiet „Bruchwiesen“",
                       "das Landschaftsschutzgebiet „Niederwerther Aue“"),
            "bach": ("Weidenbach", "Bruchgraben", "Werthgraben"),
            "flur": ("Am Baggersee", "Kiesfeld", "Im Grund", "Obere Werth", "Am Damm"),
            "weg": ("Rheinauenweg", "Weidenauer Seenpfad", "Kiesdorfer Rundweg"),
            "belastung": ("Staub und Lärm der Förderbänder", "den Lärm der Bagger und Siebanlagen",
                          "Staubverwehungen bei Wind"),
            "alternative": ("die Vertiefung der bestehenden Grube", "der Einsatz von Recyclingbaustoffen",
                            "ein Abbau im bereits genehmigten Feld Nord"),
            "gutachten": ("der Standsicherheit der Böschungen", "der Grundwasserströmung", "den Staubemissionen"),
            "an_strasse": _streets("Rheinstraße", "Kiesweg", "Weidengasse", "Uferstraße", "Dammweg",
                                   "Brückenstraße"),
            "tiefe": range(12, 45), "seen": (3, 4, 5, 6), "jahre_abbau": range(15, 40),
        },
        concerns={
            "grundwasser_see": [
                ["Der Abbau bis in {tiefe} Meter Tiefe legt das Grundwasser auf großer Fläche frei.",
                 "Mit einem Abbau bis {tiefe} Meter Tiefe würde das Grundwasser großflächig freigelegt.",
                 "Bis in {tiefe} Meter Tiefe soll abgebaut werden, wodurch das Grundwasser offen liegt."],
                ["Über die offene Wasserfläche verdunstet im Sommer viel Grundwasser.",
                 "Im Sommer verdunstet über der freien Wasserfläche eine große Menge Grundwasser.",
                 "Viel Grundwasser geht im Sommer über die offene Wasserfläche durch Verdunstung verloren."],
                ["Die Brunnen des Wasserwerks {ort} liegen im Abstrom der Grube.",
                 "Im Abstrom der Grube liegen die Brunnen des Wasserwerks {ort}.",
                 "Das Wasserwerk {ort} fördert aus Brunnen im Abstrom der Grube."],
                ["Ich fordere, die Abbautiefe deutlich zu verringern.",
                 "Die Tiefe des Abbaus muss deutlich geringer ausfallen.",
                 "Die Abbautiefe ist erheblich zu reduzieren."],
            ],
            "rekultivierung": [
                ["Für die Rekultivierung nach {jahre_abbau} Jahren Abbau gibt es nur eine vage Absicht.",
                 "Nach {jahre_abbau} Jahren Abbau soll rekultiviert werden, doch es gibt nur eine vage Absicht.",
                 "Die Rekultivierung nach {jahre_abbau} Jahren Abbauzeit ist nur vage angekündigt."],
                ["Eine Sicherheitsleistung für die Rekultivierung ist nicht vorgesehen.",
                 "Für die Rekultivierung ist keine Sicherheitsleistung vorgesehen.",
                 "Es fehlt eine Sicherheitsleistung, die die Rekultivierung absichert."],
                ["Bei den alten Gruben in der Flur „{flur}“ wurde die Rekultivierung nie abgeschlossen.",
                 "Die alten Gruben in der Flur „{flur}“ wurden nie fertig rekultiviert.",
                 "In der Flur „{flur}“ ist die Rekultivierung der alten Gruben bis heute nicht abgeschlossen."],
                ["Ich fordere einen verbindlichen Rekultivierungsplan mit Sicherheitsleistung.",
                 "Es braucht einen verbindlichen Plan für die Rekultivierung samt Sicherheitsleistung.",
                 "Ein verbindlicher Rekultivierungsplan mit Sicherheitsleistung ist vorzulegen."],
            ],
            "summe_gruben": [
                ["Rund um {ort} gibt es bereits {seen} Baggerseen.",
                 "Schon heute liegen {seen} Baggerseen rund um {ort}.",
                 "{Ort} ist bereits von {seen} Baggerseen umgeben."],
                ["Die Landschaft besteht hier bald mehr aus Wasser als aus Land.",
                 "Bald besteht die Landschaft hier mehr aus Wasser als aus Land.",
                 "Hier gibt es in der Landschaft bald mehr Wasser als Land."],
                ["Die Summe aller Gruben wird in der Umweltprüfung nicht betrachtet.",
                 "In der Umweltprüfung wird die Summe der Gruben nicht betrachtet.",
                 "Die Umweltprüfung betrachtet die Gruben nur einzeln und nicht in ihrer Summe."],
                ["Ich fordere eine Gesamtbetrachtung aller Abbauflächen der Region.",
                 "Alle Abbauflächen der Region müssen gemeinsam betrachtet werden.",
                 "Notwendig ist eine Betrachtung aller Abbauflächen der Region im Zusammenhang."],
            ],
        },
        short=["Keine weitere Kiesgrube!", "Ich bin gegen die Erweiterung der Kiesgrube.",
               "Genug Baggerseen in Sandhausen.", "Die Grube darf nicht größer werden."],
    ),
    Topic(
        key="stromtrasse",
        title="380-kV-Leitung Westerholz–Brunnstedt",
        subject="die Planfeststellung der 380-kV-Leitung Westerholz–Brunnstedt",
        e_nom="die Freileitung", e_akk="die Freileitung", e_dat="der Freileitung",
        slots={
            "ort": ("Westerholz", "Brunnstedt", "Lohmühle", "Ellerbrock", "Heidhof"),
            "art": ("Weißstörche", "Kraniche", "Goldregenpfeifer", "Kiebitze", "Singschwäne"),
            "gebiet": ("das Vogelschutzgebiet „Ellerbrocker Niederung“", "das FFH-Gebiet „Lohmühlenmoor“",
                       "das Landschaftsschutzgebiet „Heidhofer Geest“"),
            "bach": ("Ellerbach", "Lohgraben", "Heidbach"),
            "flur": ("Große Koppel", "Im Moor", "Heidkamp", "Langer Kamp", "Am Brook"),
            "weg": ("Moorpfad", "Heidhofer Radrunde", "Niederungsweg"),
            "belastung": ("elektrische und magnetische Felder", "das Knistern der Leitung bei Nebel",
                          "Koronageräusche bei feuchtem Wetter"),
            "alternative": ("eine Erdverkabelung auf ganzer Länge", "die Bündelung mit der Autobahn A 29",
                            "der Ausbau der bestehenden 220-kV-Trasse"),
            "gutachten": ("den elektromagnetischen Feldern", "dem Vogelschlag", "den Bodenverdichtungen"),
            "an_strasse": _streets("Moorweg", "Heidestraße", "Dorfstraße", "Brookweg", "Kampstraße",
                                   "Lohstraße"),
            "mast": range(60, 95, 5), "masten": range(30, 90),
        },
        concerns={
            "erdkabel": [
                ["Auf dem Abschnitt bei {ort} ist ein Erdkabel technisch möglich und gesetzlich zulässig.",
                 "Bei {ort} wäre ein Erdkabel auf diesem Abschnitt technisch machbar und rechtlich erlaubt.",
                 "Technisch und rechtlich ist auf dem Abschnitt bei {ort} ein Erdkabel möglich."],
                ["Die Mehrkosten werden in den Unterlagen zu hoch angesetzt.",
                 "In den Unterlagen sind die Mehrkosten zu hoch veranschlagt.",
                 "Die Unterlagen setzen die Mehrkosten übertrieben hoch an."],
                ["Andere Netzbetreiber verlegen vergleichbare Abschnitte längst als Kabel.",
                 "Vergleichbare Abschnitte werden von anderen Netzbetreibern längst verkabelt.",
                 "Längst verlegen andere Netzbetreiber ähnliche Abschnitte als Kabel."],
                ["Ich fordere ein Erdkabel für den Abschnitt bei {ort}.",
                 "Für den Abschnitt bei {ort} muss ein Erdkabel vorgesehen werden.",
                 "Bei {ort} ist die Leitung als Erdkabel zu bauen."],
            ],
            "masten": [
                ["Die {masten} Masten mit bis zu {mast} Metern Höhe prägen künftig die ganze Niederung.",
                 "Künftig bestimmen {masten} Masten von bis zu {mast} Metern Höhe das Bild der Niederung.",
                 "Bis zu {mast} Meter hoch sollen die {masten} Masten werden, die die Niederung prägen."],
                ["Ein Mast ist nur {abstand} Meter vom Ortsrand von {ort} entfernt geplant.",
                 "Nur {abstand} Meter vom Ortsrand von {ort} soll ein Mast stehen.",
                 "Vom Ortsrand in {ort} wäre ein Mast gerade einmal {abstand} Meter entfernt."],
                ["Die Überspannung von Wohngrundstücken wird nicht ausgeschlossen.",
                 "Dass Wohngrundstücke überspannt werden, ist nicht ausgeschlossen.",
                 "Es wird nicht ausgeschlossen, dass Wohngrundstücke überspannt werden."],
                ["Ich fordere, dass kein Wohngrundstück überspannt wird.",
                 "Kein Wohngrundstück darf überspannt werden.",
                 "Die Überspannung von Wohngrundstücken muss ausgeschlossen werden."],
            ],
            "vogelschlag": [
                ["Die Leitung quert die Flugroute der {art} zwischen Schlafplatz und Nahrungsflächen.",
                 "Zwischen Schlafplatz und Nahrungsflächen der {art} verläuft quer die Leitung.",
                 "Quer über die Flugroute der {art} zwischen Schlafplatz und Nahrungsflächen führt die Leitung."],
                ["Das Erdseil ist für die Vögel bei Nebel und Dämmerung kaum zu sehen.",
                 "Bei Nebel und in der Dämmerung können die Vögel das Erdseil kaum erkennen.",
                 "In der Dämmerung und bei Nebel ist das Erdseil für Vögel nahezu unsichtbar."],
                ["Markierungen sind nur auf einem kurzen Teilstück vorgesehen.",
                 "Nur für ein kurzes Teilstück sind Markierungen geplant.",
                 "Lediglich ein kurzes Teilstück soll markiert werden."],
                ["Ich fordere Vogelschutzmarker auf der gesamten Länge in der Niederung.",
                 "Auf ganzer Länge in der Niederung müssen Vogelschutzmarker angebracht werden.",
                 "Die Leitung ist in der Niederung durchgehend mit Vogelschutzmarkern zu versehen."],
            ],
        },
        short=["Erdkabel statt Freileitung!", "Ich bin gegen die Stromtrasse.",
               "Keine Masten vor unserem Dorf.", "Die Leitung gehört unter die Erde."],
    ),
    Topic(
        key="wohngebiet",
        title="Bebauungsplan Nr. 47 „Am Sonnenhang“",
        subject="den Bebauungsplan Nr. 47 „Am Sonnenhang“",
        e_nom="die Bebauung des Sonnenhangs", e_akk="die Bebauung des Sonnenhangs",
        e_dat="der Bebauung des Sonnenhangs",
        slots={
            "ort": ("Rosenthal", "Unterberg", "Ahornweiler", "Eichstedt", "Kleinmühl"),
            "art": ("Zauneidechsen", "Mauersegler", "Zwergfledermäuse", "Igel", "Goldammern"),
            "gebiet": ("das Landschaftsschutzgebiet „Sonnenhang“", "das Streuobstgebiet am Unterberg",
                       "das Biotop „Trockenrasen am Eichberg“"),
            "bach": ("Rosenbach", "Mühlbach", "Eichgraben"),
            "flur": ("Sonnenhang", "Am Weinberg", "Obere Halde", "Im Bungert", "Am Eichberg"),
            "weg": ("Streuobstweg", "Rosenthaler Höhenweg", "Eichbergpfad"),
            "belastung": ("den zusätzlichen Autoverkehr", "Baulärm über viele Jahre",
                          "den Verkehr von mehreren hundert neuen Haushalten"),
            "alternative": ("die Bebauung der Brache am Bahnhof", "eine dichtere Bebauung im Ortskern",
                            "die Umnutzung der leeren Gewerbehallen in Eichstedt"),
            "gutachten": ("der Entwässerung", "dem Verkehr", "den Fledermausquartieren"),
            "an_strasse": _streets("Rosenstraße", "Ahornweg", "Sonnenstraße", "Kirchgasse", "Lindenallee",
                                   "Bergweg"),
            "haeuser": range(60, 400, 10), "plaetze": range(10, 60, 5),
        },
        concerns={
            "starkregen": [
                ["Der Sonnenhang liegt oberhalb von {ort} und wird zu einem großen Teil versiegelt.",
                 "Oberhalb von {ort} soll der Sonnenhang zu großen Teilen versiegelt werden.",
                 "Ein großer Teil des Sonnenhangs oberhalb von {ort} würde versiegelt."],
                ["Schon beim Starkregen im letzten Sommer lief Schlamm in die Keller {an_strasse}.",
                 "Beim Starkregen im vergangenen Sommer floss bereits Schlamm in die Keller {an_strasse}.",
                 "Im letzten Sommer standen bei Starkregen die Keller {an_strasse} schon voller Schlamm."],
                ["Das geplante Regenrückhaltebecken ist für ein zehnjährliches Ereignis bemessen.",
                 "Bemessen ist das Regenrückhaltebecken nur für ein zehnjährliches Ereignis.",
                 "Für das Regenrückhaltebecken wird nur ein zehnjährliches Ereignis zugrunde gelegt."],
                ["Ich fordere ein Entwässerungskonzept für hundertjährliche Starkregen.",
                 "Die Entwässerung muss auf hundertjährliche Starkregen ausgelegt werden.",
                 "Es braucht ein Entwässerungskonzept, das hundertjährliche Starkregen beherrscht."],
            ],
            "kita_schule": [
                ["Mit {haeuser} neuen Wohneinheiten kommen viele Kinder in den Ort.",
                 "Viele Kinder werden mit den {haeuser} neuen Wohneinheiten in den Ort ziehen.",
                 "Die {haeuser} geplanten Wohneinheiten bringen zahlreiche Kinder in den Ort."],
                ["Schon heute fehlen in {ort} {plaetze} Kitaplätze.",
                 "In {ort} fehlen bereits heute {plaetze} Plätze in der Kita.",
                 "Bereits jetzt mangelt es in {ort} an {plaetze} Kitaplätzen."],
                ["Die Grundschule ist voll und hat keine Fläche für einen Anbau.",
                 "Für einen Anbau hat die volle Grundschule keine Fläche.",
                 "Die Grundschule ist ausgelastet und kann nicht erweitert werden."],
                ["Ich fordere, erst Kita und Schule zu planen und dann Bauland.",
                 "Zuerst müssen Kita und Schule geplant werden und erst dann Bauland.",
                 "Kita und Schule sind zu planen, bevor Bauland ausgewiesen wird."],
            ],
            "kaltluft": [
                ["Der Sonnenhang ist die wichtigste Kaltluftschneise für {ort}.",
                 "Für {ort} ist der Sonnenhang die wichtigste Schneise für Kaltluft.",
                 "Die Kaltluft für {ort} strömt vor allem über den Sonnenhang."],
                ["In heißen Nächten kühlt sich der Ort nur durch diese Luft ab.",
                 "Nur durch diese Luft kühlt der Ort in heißen Nächten ab.",
                 "In Hitzenächten bringt allein diese Luft dem Ort Abkühlung."],
                ["Eine Riegelbebauung quer zum Hang würde den Luftstrom unterbrechen.",
                 "Quer zum Hang gestellte Gebäuderiegel würden den Luftstrom unterbrechen.",
                 "Der Luftstrom würde von einer Riegelbebauung quer zum Hang unterbrochen."],
                ["Ich fordere eine Klimaanalyse und eine Bebauung längs zum Hang.",
                 "Es braucht eine Klimaanalyse und Gebäude, die längs zum Hang stehen.",
                 "Notwendig sind eine Klimaanalyse und eine hangparallele Stellung der Gebäude."],
            ],
        },
        short=["Ich bin gegen das Baugebiet am Sonnenhang.", "Der Sonnenhang muss grün bleiben.",
               "Kein Bauland am Hang!", "Bitte erst Kita und Schule, dann Baugebiet."],
    ),
]

INTROS = [
    ["hiermit erhebe ich Einwendungen gegen {subject}.",
     "gegen {subject} erhebe ich hiermit fristgerecht Einwendungen.",
     "fristgerecht lege ich hiermit Einwendungen gegen {subject} ein."],
    ["Ich bin von dem Vorhaben unmittelbar betroffen.",
     "Das Vorhaben betrifft mich unmittelbar.",
     "Von dem Vorhaben bin ich direkt betroffen."],
    ["Meine Einwendungen beziehen sich auf die Unterlagen der öffentlichen Auslegung.",
     "Ich beziehe mich auf die öffentlich ausgelegten Unterlagen.",
     "Grundlage meiner Einwendungen sind die ausgelegten Unterlagen."],
]
CLOSINGS = [
    ["Aus den genannten Gründen ist das Vorhaben in der vorliegenden Form abzulehnen.",
     "Aus diesen Gründen lehne ich das Vorhaben in seiner jetzigen Form ab.",
     "In der vorliegenden Form ist das Vorhaben aus den genannten Gründen nicht genehmigungsfähig."],
    ["Ich bitte um eine Bestätigung des Eingangs und um Benachrichtigung über den Erörterungstermin.",
     "Bitte bestätigen Sie mir den Eingang und informieren Sie mich über den Erörterungstermin.",
     "Ich bitte, mir den Eingang zu bestätigen und mich zum Erörterungstermin einzuladen."],
    ["Ich behalte mir vor, meine Einwendungen zu ergänzen.",
     "Eine Ergänzung meiner Einwendungen behalte ich mir vor.",
     "Weitere Einwendungen behalte ich mir ausdrücklich vor."],
]

# Personal sentences: individual statements and the individual paragraph a campaign member adds.
PERSONAL = [
    "Ich wohne seit {jahre} Jahren {an_strasse} in {ort}.",
    "Seit {jahre} Jahren lebe ich mit meiner Familie in {ort}.",
    "Wir haben vor {jahre} Jahren ein Haus {an_strasse} in {ort} gekauft.",
    "Mein Elternhaus steht {an_strasse} in {ort}, und ich bin dort aufgewachsen.",
    "Unsere {kinder} Kinder fahren jeden Tag mit dem Rad von {ort} nach {ort2} zur Schule.",
    "{Verwandte} ist {alter} Jahre alt und braucht nachts ihre Ruhe.",
    "{Verwandter} arbeitet im Schichtdienst und muss tagsüber schlafen.",
    "Unsere Tochter hat Asthma und reagiert in {ort} schon jetzt empfindlich auf schlechte Luft.",
    "Ich bin Landwirt in dritter Generation und bewirtschafte {hektar} Hektar rund um {ort}.",
    "Jeden Morgen gehe ich mit meinem Hund auf dem {weg} spazieren.",
    "Am Wochenende fahren wir oft mit den Kindern an den {bach}.",
    "Seit {jahre} Jahren beobachte ich in der Flur „{flur}“ {art}.",
    "Im letzten Frühjahr habe ich dort selbst {zahl} {art} gezählt.",
    "Ich habe Angst, dass unser Haus {an_strasse} an Wert verliert.",
    "Wir zahlen noch {kredit} Jahre den Kredit für unser Haus in {ort} ab.",
    "Ich mache mir große Sorgen um die Gesundheit meiner {zahl2} Enkel in {ort}.",
    "Bei der Informationsveranstaltung im {monat} in {ort2} wurden meine Fragen nicht beantwortet.",
    "Ich habe im {monat} schriftlich um Auskunft gebeten und bis heute keine Antwort erhalten.",
    "Als Mitglied im Heimatverein {ort} kenne ich die Geschichte dieser Landschaft seit {jahre} Jahren.",
    "Ich führe einen kleinen Reiterhof {an_strasse} mit {zahl} Pferden.",
    "Unsere Ferienwohnung lebt von Gästen, die wegen der Ruhe nach {ort} kommen.",
    "Als Imkerin stehen meine {zahl} Bienenvölker am Rand der Flur „{flur}“.",
    "Ich bin auf den Rollstuhl angewiesen und nutze die ebenen Wege rund um {ort}.",
    "Mein Betrieb liegt {an_strasse}, und meine {zahl} Mitarbeiter kommen über diese Straße.",
    "Meine Frau und ich sind vor {jahre} Jahren bewusst aufs Land nach {ort} gezogen.",
    "Unser Brunnen im Garten {an_strasse} ist im {monat} zum ersten Mal trockengefallen.",
    "Ich leite die Jugendgruppe des Angelvereins am {bach}.",
    "Wir haben unseren Garten in {ort} naturnah angelegt und sehen dort regelmäßig {art}.",
]
PERSONAL_SLOTS: Slots = {
    "jahre": range(3, 60), "kinder": ("zwei", "drei", "beiden", "vier"), "alter": range(70, 96),
    "zahl": range(3, 40), "zahl2": range(2, 9), "kredit": range(5, 28),
    "verwandte": ("Meine Mutter", "Meine Schwiegermutter", "Meine Nachbarin", "Meine Tante", "Meine Großmutter"),
    "verwandter": ("Mein Mann", "Mein Sohn", "Mein Nachbar", "Mein Bruder", "Mein Schwiegervater"),
    "monat": ("Januar", "Februar", "März", "April", "Mai", "Juni", "September", "Oktober", "November"),
}
# Individuals say what worries them in their own words: an opener with a "dass" clause (verb last) about a fact
# of one of the concerns, sometimes a demand. Same topic vocabulary as the campaigns, other sentences.
OPENERS = [
    "Ich finde es unverantwortlich, dass {f}.", "Mich ärgert besonders, dass {f}.", "Es kann doch nicht sein, dass {f}.",
    "Jeder hier weiß, dass {f}.", "Ich fürchte, dass {f}.", "Bedenken Sie bitte, dass {f}.", "Mir macht Sorgen, dass {f}.",
    "Es ist ein Skandal, dass {f}.", "Hinzu kommt, dass {f}.", "Vergessen Sie nicht, dass {f}.",
    "Ich halte es für falsch, dass {f}.", "Wir erleben jeden Tag, dass {f}.", "Mir ist aufgefallen, dass {f}.",
    "Es ist doch offensichtlich, dass {f}.", "Ich kann nicht verstehen, dass {f}.", "Erschreckend finde ich, dass {f}.",
    "Dabei ist längst bekannt, dass {f}.", "Wir Anwohner wissen genau, dass {f}.",
]
DEMANDS = ["Ich bitte Sie dringend, {d}.", "Bitte haben Sie den Mut, {d}.", "Es wäre das Mindeste, {d}.",
           "Ich appelliere an Sie, {d}.", "Sie haben die Pflicht, {d}.", "Deshalb bitte ich Sie, {d}."]
OWN_WORDS: dict[str, tuple[list[str], list[str]]] = {
    "artenschutz": (["am Rand von {ort} seit Jahren {art} zu beobachten sind",
                     "die {art} bei {ort2} ihre letzten Rückzugsräume haben",
                     "im Gutachten über die {art} kaum etwas steht"],
                    ["die {art} noch einmal gründlich kartieren zu lassen", "die Vorkommen der {art} ernst zu nehmen"]),
    "wasser": (["unsere Keller in {ort} schon jetzt bei jedem Regen feucht werden",
                "der {bach} im Sommer fast kein Wasser mehr hat", "das Trinkwasser für {ort} aus diesem Gebiet kommt"],
               ["das Grundwasser besser zu schützen", "weitere Grundwassermessungen anzuordnen"]),
    "landschaft": (["der Blick vom {weg} auf {ort} dann für immer verschandelt ist",
                    "Touristen wegen der schönen Landschaft nach {ort} kommen",
                    "{gebiet} für viele Familien der wichtigste Ausflugsort ist"],
                   ["die Landschaft um {ort} zu erhalten", "an die Erholung der Menschen zu denken"]),
    "belastung": (["wir {an_strasse} schon heute kaum schlafen können",
                   "die Belastung durch {belastung} in {ort} immer weiter steigt",
                   "niemand die Gesundheit der Menschen in {ort} ernsthaft untersucht hat"],
                  ["die Grenzwerte in {ort} wirklich einzuhalten",
                   "die Gesundheit der Anwohner an die erste Stelle zu setzen"]),
    "verfahren": (["man als Bürger die Unterlagen kaum verstehen kann", "die Frist mitten in den Sommerferien lag",
                   "wichtige Gutachten zu {gutachten} erst auf Nachfrage zu bekommen waren"],
                  ["die Frist zu verlängern", "die Bürger besser zu informieren"]),
    "alternativen": (["{alternative} viel weniger Schaden anrichten würde",
                      "über {alternative} nie offen gesprochen wurde",
                      "die Planer sich von Anfang an auf eine Lösung festgelegt haben"],
                     ["die Alternativen noch einmal ehrlich zu prüfen", "auch andere Standorte zu untersuchen"]),
    "flaeche": (["in der Flur „{flur}“ der beste Boden der ganzen Gegend liegt",
                 "jeden Tag wertvolles Ackerland bei {ort} verloren geht",
                 "die Landwirte in {ort} schon jetzt um jede Pachtfläche kämpfen"],
                ["sparsamer mit unserem Boden umzugehen", "die Äcker in der Flur „{flur}“ zu verschonen"]),
    "kosten": (["die Kosten von {mio} Millionen Euro am Ende wieder die Steuerzahler tragen",
                "das Geld in {ort} an anderer Stelle dringend gebraucht wird",
                "die Kosten am Ende immer höher sind als geplant"],
               ["die Kosten ehrlich offenzulegen", "das Geld sinnvoller einzusetzen"]),
    "bauverkehr": (["schon jetzt zu viele Lkw {an_strasse} fahren", "die Kinder in {ort} auf dem Schulweg gefährdet sind",
                    "die Straßen in {ort} für schwere Baufahrzeuge nicht gebaut sind"],
                   ["die Baufahrzeuge nicht durch {ort} zu schicken", "die Baustellenzufahrt anders zu planen"]),
    "prognose": (["heute weniger Autos durch {ort} fahren als vor zehn Jahren",
                  "die Zahlen von {jahr} nichts mehr mit der Wirklichkeit zu tun haben",
                  "der Verkehr in {ort} seit Jahren abnimmt"],
                 ["den Verkehr neu zu zählen", "aktuelle Zahlen vorzulegen"]),
    "zerschneidung": (["die Kinder aus {ort} ihren Schulweg verlieren",
                       "man von {ort} nicht mehr zu Fuß nach {ort2} kommt",
                       "die Flur „{flur}“ dann in zwei Teile zerfällt"],
                      ["eine Querung für Fußgänger vorzusehen", "die Feldwege zu erhalten"]),
    "hochwasser": (["die Aue am {bach} bei jedem Hochwasser überflutet wird",
                    "das Wasser bei Starkregen schon heute bis an die Häuser in {ort} steht",
                    "ein Damm das Wasser direkt in den Ort drückt"],
                   ["auf den Damm zu verzichten", "den Hochwasserschutz ernst zu nehmen"]),
    "abstand_wohnen": (["die Windräder höher als jeder Kirchturm sein werden",
                        "die Anlagen so nah an {ort} heranrücken",
                        "man die Rotoren von jedem Garten in {ort} aus sehen wird"],
                       ["die Abstände zu den Häusern zu vergrößern", "die Anlagen weiter weg von {ort} zu bauen"]),
    "wald": (["für die Windräder gesunder Wald gefällt werden soll",
              "in der Flur „{flur}“ einer der letzten alten Buchenwälder steht",
              "der Wald gerade jetzt gebraucht wird, wo so viele Bäume sterben"],
             ["den Wald in der Flur „{flur}“ stehen zu lassen", "keine Bäume für die Anlagen zu fällen"]),
    "denkmal": (["man die Burgruine bald nur noch mit Windrädern dahinter sieht",
                 "die Burgruine {ort} das Wahrzeichen unserer Heimat ist", "niemand an den Denkmalschutz gedacht hat"],
                ["die Sicht auf die Burgruine freizuhalten", "den Denkmalschutz zu beteiligen"]),
    "vorranggebiet": (["auf den Äckern in der Flur „{flur}“ Logistikhallen entstehen sollen",
                       "im Gewerbegebiet nebenan schon Hallen leer stehen", "kein Mensch diese Gewerbeflächen braucht"],
                      ["die Gewerbefläche in der Flur „{flur}“ zu streichen", "erst die leeren Flächen zu nutzen"]),
    "eigenentwicklung": (["unsere Kinder in {ort} keinen Bauplatz mehr finden",
                          "kleine Dörfer wie {ort} so langsam aussterben",
                          "in {ort} nur noch {wohneinheiten} Wohnungen gebaut werden dürfen"],
                         ["auch {ort} wachsen zu lassen", "die kleinen Dörfer nicht zu vergessen"]),
    "gruenzug": (["der Grünzug bei {ort} für das Klima im Tal so wichtig ist",
                  "im Sommer die kühle Luft vom Feld nach {ort2} zieht",
                  "der Grünzug jetzt einfach kleiner gemacht wird"],
                 ["den Grünzug bei {ort} so zu lassen", "an das Klima im Tal zu denken"]),
    "grundwasser_see": (["durch die Grube immer mehr Grundwasser verdunstet",
                         "das Wasserwerk in {ort} direkt neben der Grube liegt",
                         "bis in {tiefe} Meter Tiefe gebaggert werden soll"],
                        ["nicht so tief zu baggern", "das Trinkwasser zu schützen"]),
    "rekultivierung": (["die alten Gruben in der Flur „{flur}“ bis heute nicht renaturiert sind",
                        "nach dem Abbau niemand mehr zuständig sein will",
                        "der Betreiber schon früher Versprechen gebrochen hat"],
                       ["eine Sicherheitsleistung zu verlangen", "die Renaturierung verbindlich festzuschreiben"]),
    "summe_gruben": (["{ort} schon von {seen} Baggerseen umgeben ist", "es hier bald mehr Wasser als Äcker gibt",
                      "jede neue Grube einzeln genehmigt wird, ohne auf das Ganze zu schauen"],
                     ["keine weiteren Gruben bei {ort} zuzulassen", "alle Gruben zusammen zu betrachten"]),
    "erdkabel": (["ein Erdkabel bei {ort} ohne Weiteres möglich wäre",
                  "andere Länder ihre Leitungen längst unter die Erde legen",
                  "die Masten die ganze Niederung verschandeln"],
                 ["die Leitung bei {ort} als Erdkabel zu bauen", "ein Erdkabel ernsthaft zu prüfen"]),
    "masten": (["ein Mast fast direkt vor unserem Haus in {ort} stehen soll", "die Masten bis zu {mast} Meter hoch werden",
                "die Leitung über Gärten in {ort} hinweg führen könnte"],
               ["die Masten weiter weg von {ort} zu stellen", "keine Leitung über Wohnhäuser zu führen"]),
    "vogelschlag": (["jeden Herbst Tausende {art} über die Niederung ziehen",
                     "die Vögel die Seile im Nebel nicht sehen können",
                     "wir schon tote {art} unter der alten Leitung gefunden haben"],
                    ["die Seile für Vögel sichtbar zu machen", "an die Zugvögel zu denken"]),
    "starkregen": (["bei Starkregen schon jetzt Schlamm {an_strasse} steht",
                    "das Wasser vom Hang direkt in unsere Keller läuft",
                    "durch die neuen Dächer und Straßen noch mehr Wasser ins Tal kommt"],
                   ["das Regenwasser am Hang zurückzuhalten", "erst die Entwässerung zu lösen"]),
    "kita_schule": (["in {ort} schon heute Kitaplätze fehlen", "die Grundschule in {ort} aus allen Nähten platzt",
                     "für {haeuser} neue Wohnungen keine einzige neue Kita geplant ist"],
                    ["zuerst eine Kita zu bauen", "die Schule rechtzeitig zu erweitern"]),
    "kaltluft": (["die kühle Luft im Sommer nachts vom Sonnenhang nach {ort} kommt", "es in {ort} immer heißer wird",
                  "die Häuser quer zum Hang die Luft aufhalten werden"],
                 ["den Hang für die Frischluft freizuhalten", "ein Klimagutachten zu machen"]),
}
# What a signer adds as one sentence: a personal point, or a filler that adds nothing.
FILLERS = [
    "Dem schließe ich mich ausdrücklich an.",
    "Bitte nehmen Sie meine Bedenken ernst.",
    "Ich unterstütze diese Einwendung voll und ganz.",
    "Das sehe ich genauso.",
    "Bitte berücksichtigen Sie das.",
]
CONNECTORS = ["Hinzu kommt: ", "Ganz wichtig ist mir: ", "Ein weiterer Punkt: ", "Noch etwas: ", "Und: "]

# Words that can stand for each other without changing article or ending, for the campaigns' own wording and
# for rewording. Every word of a set can be replaced by any other of it.
SYNONYM_SETS = [
    "nur lediglich bloß", "vollständig komplett gänzlich", "deutlich erheblich", "Unterlagen Planunterlagen",
    "Vorhaben Projekt Bauvorhaben", "Anwohner Anlieger Nachbarn", "Wald Forst", "Gutachten Fachgutachten",
    "fordere verlange", "zerstört vernichtet ruiniert", "Lebensraum Rückzugsraum Lebensbereich",
    "wichtigsten bedeutendsten", "Belastung Beeinträchtigung", "veraltet überholt", "Region Gegend Umgebung",
    "schon bereits", "dringend unbedingt", "Menschen Leute", "Landwirte Bauern", "geplant vorgesehen",
    "geplanten vorgesehenen", "geplante vorgesehene", "Häuser Gebäude Wohnhäuser", "fruchtbarsten ertragreichsten",
    "Entscheidung Genehmigung", "Grundlage Basis", "unabhängiges neutrales",
    "unabhängige neutrale", "unabhängig neutral", "ehrlich realistisch", "Kosten Ausgaben", "Baufeld Baugelände",
    "Kartierung Erfassung Bestandsaufnahme", "Untersuchung Analyse Studie",
    "Erholung Entspannung", "Wirkung Auswirkung", "Frist Einwendungsfrist", "Lösung Variante",
    "Landkreis Kreis", "Familienbetriebe Höfe", "Pachtflächen Pachtäcker",
    "Schätzung Kalkulation", "Steigerung Erhöhung", "Bauzeit Bauphase", "Ortslage Ortsmitte", "Zählung Erhebung",
    "Begründung Rechtfertigung", "Trasse Straßentrasse", "Damm Straßendamm", "Anlagen Windräder",
    "Rodung Abholzung", "Sichtachse Blickachse", "Denkmalbehörde Denkmalschutzbehörde", "Ackerland Agrarland",
    "Wohneinheiten Wohnungen", "Kaltluft Frischluft", "Rekultivierung Renaturierung", "Sicherheitsleistung Kaution",
    "Gruben Abbaustätten", "Mehrkosten Zusatzkosten", "Masten Strommasten", "Markierungen Kennzeichnungen",
    "Regenrückhaltebecken Rückhaltebecken", "Grundschule Schule", "Anbau Erweiterungsbau", "gefährdet bedroht",
    "bekannt belegt", "berücksichtigt beachtet", "dichten engmaschigen", "beliebtesten populärsten",
    "dauerhaft endgültig", "zusätzlich obendrein", "wirksam effektiv", "wirksamen effektiven",
    "unvollständig lückenhaft", "wesentliche wichtige", "erwähnt genannt", "kurz knapp", "sorgfältig gründlich",
    "ernsthaft ernstlich", "nachvollziehbar transparent", "nachvollziehbaren transparenten", "hochwertigen wertvollen",
    "wertvoller hochwertiger", "gestiegen angewachsen", "aktuelle neue", "täglich jeden Tag", "belastbare verlässliche",
    "sichere gefahrlose", "unverzichtbar unerlässlich", "erdrückende bedrückende", "gesunden vitalen",
    "eingetragenes geschütztes", "konkret genau", "leer ungenutzt", "maßvolle moderate", "verbindlichen bindenden",
    "vergleichbare ähnliche", "ausgelastet überlastet", "versiegelt zubetoniert",
    "wichtigste bedeutendste", "Gefahr Bedrohung", "Kinder Schulkinder",
    "Niederung Flussniederung", "Böden Ackerböden", "Bedarf Flächenbedarf", "nie niemals", "viele zahlreiche",
    "großen erheblichen", "direkt unmittelbar", "Hektar ha",
]
SYNONYMS: dict[str, list[str]] = {
    word: [other for other in group.split() if other != word] for group in SYNONYM_SETS for word in group.split()
}
# fmt: on

# --- letter frames ---------------------------------------------------------------------------------------------------

# fmt: off
FIRST = [
    "Anna", "Petra", "Jonas", "Lukas", "Maria", "Thomas", "Sabine", "Michael", "Julia", "Stefan", "Katrin",
    "Andreas", "Monika", "Frank", "Laura", "Tobias", "Ursula", "Dieter", "Nicole", "Jan", "Heike", "Markus", "Elif",
    "Mehmet", "Svenja", "Oliver", "Renate", "Hans", "Birgit", "Paul", "Lea", "Ahmet", "Ingrid", "Klaus", "Sophie",
    "Finn", "Gisela", "Uwe", "Marion", "Karl"
]
LAST = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch",
    "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
    "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Yilmaz", "Kaya", "Öztürk",
    "Nowak"
]
GREETINGS = ["Sehr geehrte Damen und Herren,", "Sehr geehrte Damen und Herren!", "Guten Tag,",
             "Sehr geehrte Frau Dr. Berger,", "Sehr geehrter Herr Landrat,", "Hallo,", "Sehr geehrtes Planungsteam,"]
SIGNOFFS = ["Mit freundlichen Grüßen", "Freundliche Grüße", "Mit freundlichem Gruß", "Viele Grüße", "Hochachtungsvoll",
            "MfG", "Beste Grüße", "Mit besten Grüßen"]
MONTHS = [
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
    "Dezember"
]
AUTHORITIES = ["Regierungspräsidium Nordstadt\nReferat 24 – Planfeststellung\nPostfach 10 11 12\n34100 Nordstadt",
               "Kreisverwaltung Auental\nFachbereich Bauen und Umwelt\nMarktplatz 1\n35200 Auental",
               "Stadt Rosenthal\nStadtplanungsamt\nRathausplatz 3\n36300 Rosenthal"]
# fmt: on


@dataclass
class Frame:
    """A sender's letter around the body: none of this is content."""

    head: list[str] = field(default_factory=list)
    greeting: str = ""
    tail: list[str] = field(default_factory=list)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _letter_frame(rng: random.Random, topic: Topic, places: Slots) -> Frame:
    name = _person(rng)
    street = f"{re.sub(r'^(an der|am) ', '', rng.choice(places['an_strasse']))} {rng.randint(1, 120)}"
    city = f"{rng.randint(10000, 99999)} {rng.choice(places['ort'])}"
    frame = Frame()
    if rng.random() < 0.25:  # an online form: no letter around the text at all
        return frame
    sender = [name, street, city]
    if rng.random() < 0.2:
        sender.append(f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.org")
    date = rng.choice(["{ort}, den {d:02d}.{m:02d}.2025", "{ort}, {d}. {mon} 2025", "{d:02d}.{m:02d}.2025"]).format(
        ort=city.split(" ", 1)[1], d=rng.randint(1, 28), m=rng.randint(1, 12), mon=rng.choice(MONTHS)
    )
    if rng.random() < 0.6:
        frame.head.append("\n".join(sender))
    if rng.random() < 0.3:
        frame.head.append("An das\n" + rng.choice(AUTHORITIES))
    if rng.random() < 0.6:
        frame.head.append(date)
    if rng.random() < 0.6:
        frame.head.append(
            rng.choice(
                ["Betreff: Einwendung – {s}", "Einwendung: {s}", "Stellungnahme – {s}", "Az. 24-{n}: {s}"]
            ).format(s=topic.title, n=rng.randint(1000, 9999))
        )
    frame.greeting = rng.choice(GREETINGS) if rng.random() < 0.85 else ""
    signoff = rng.choice(SIGNOFFS)
    frame.tail.append(f"{signoff}\n{name}" if rng.random() < 0.8 else signoff)
    if (not frame.head or frame.head[0] != "\n".join(sender)) and rng.random() < 0.5:
        frame.tail.append("\n".join(sender[1:]))
    return frame


LOWER_AFTER_GREETING = {
    "Hiermit", "Gegen", "Fristgerecht", "Die", "Der", "Das", "Zwischen", "Durch", "Bei", "Für", "In", "Im", "Nur",
    "Mit", "Auf", "Über", "Quer", "Ein", "Eine", "Schon", "Rund", "Vor", "Genau", "Seit", "Wir", "Unser", "Unsere",
    "Mein", "Meine", "Als", "Am", "Jeden", "Dem", "Bitte", "Keine", "Kein", "Lasst", "Genug", "Erdkabel",
}  # fmt: skip


def render_letter(frame: Frame, paragraphs: list[str], postscript: str = "") -> str:
    body = list(paragraphs)
    if frame.greeting.endswith(",") and body:  # a letter goes on in lower case after "Sehr geehrte …,"
        word, _, rest = body[0].partition(" ")
        if word in LOWER_AFTER_GREETING:
            body[0] = f"{word.lower()} {rest}"
    elif body:
        body[0] = body[0][0].upper() + body[0][1:]
    parts = [*frame.head, *([frame.greeting] if frame.greeting else []), *body, *frame.tail]
    if postscript:
        parts.append(postscript)
    return "\n\n".join(parts)


# --- sentences and campaigns -----------------------------------------------------------------------------------------


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(template: str, values: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = str(values[name.lower()] if name[0].isupper() else values[name])
        return _upper_first(value) if name[0].isupper() else value

    return re.sub(r"\{(\w+)\}", one, template)


def _slot_values(rng: random.Random, topic: Topic) -> dict[str, Any]:
    """One random value per slot: the facts a text states."""
    pools = {**COMMON_SLOTS, **PERSONAL_SLOTS, **topic.slots}
    values = {name: rng.choice(list(pool)) for name, pool in pools.items()}
    values["ort2"] = rng.choice([o for o in topic.slots["ort"] if o != values["ort"]])
    values.update(e_nom=topic.e_nom, e_akk=topic.e_akk, e_dat=topic.e_dat, subject=topic.subject)
    return values


@dataclass
class Sentence:
    frames: list[str]  # the phrasings of this role
    choice: int  # which one this text uses
    wording: str = ""  # a campaign's own wording of it (its authors' choice of words)


@dataclass
class Paragraph:
    kind: str  # "intro", "closing" or the concern's name
    sentences: list[Sentence]
    values: dict[str, Any]


def _concerns(topic: Topic) -> dict[str, list[list[str]]]:
    return {**SHARED_CONCERNS, **topic.concerns}


def _paragraph(rng: random.Random, kind: str, roles: list[list[str]], values: dict[str, Any], full: bool) -> Paragraph:
    if full:  # a prepared letter argues completely: claim, detail(s), demand
        picked = [0, *sorted(rng.sample([1, 2], rng.choice([1, 2]))), 3]
    else:  # somebody writing on their own: the claim and maybe a detail or a demand
        picked = [0, *sorted(rng.sample([1, 2, 3], rng.choice([0, 1, 1, 2])))]
    sentences = [Sentence(roles[i], rng.randrange(len(roles[i]))) for i in picked]
    return Paragraph(kind, sentences, values)


def make_campaign(rng: random.Random, topic: Topic, n_paragraphs: int) -> list[Paragraph]:
    """A prepared letter: intro, n-2 concerns, closing (or n-1 concerns and no closing)."""
    concerns = _concerns(topic)
    closing = rng.random() < 0.8
    n_concerns = n_paragraphs - 1 - int(closing)
    base = _slot_values(rng, topic)
    intro = [0, *sorted(rng.sample([1, 2], rng.choice([0, 1, 2])))]
    paragraphs = [Paragraph("intro", [Sentence(INTROS[i], rng.randrange(3)) for i in intro], base)]
    for name in rng.sample(sorted(concerns), n_concerns):
        values = {**base, **_slot_values(rng, topic)}
        paragraphs.append(_paragraph(rng, name, concerns[name], values, full=True))
    if closing:
        picked = sorted(rng.sample(range(3), rng.choice([1, 2])))
        paragraphs.append(Paragraph("closing", [Sentence(CLOSINGS[i], rng.randrange(3)) for i in picked], base))
    for paragraph in paragraphs:  # every campaign words the common arguments a little differently
        for sentence in paragraph.sentences:
            text = _upper_first(_fill(sentence.frames[sentence.choice], paragraph.values))
            sentence.wording = _synonyms(rng, text, 0.5)
    return paragraphs


_SYNONYM = re.compile(r"\b(" + "|".join(sorted(SYNONYMS, key=len, reverse=True)) + r")\b")


def _synonyms(rng: random.Random, text: str, rate: float) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        return rng.choice(SYNONYMS[word]) if rng.random() < rate else word

    return _SYNONYM.sub(swap, text)


def render_paragraph(paragraph: Paragraph, rng: random.Random | None = None, reword: str = "") -> list[str]:
    """The sentences of a paragraph, as the campaign wrote them or reworded as a language model would.

    ``reword="reworded"``: synonyms throughout, about 40 % of the sentences said in a wholly different way, often
    the order of the sentences after the first changed. ``reword="rewritten"``: every sentence said differently,
    nearly every synonym used, the order changed (what a thorough rewrite leaves: the facts and the points).
    """
    thorough = reword == "rewritten"
    out = []
    for sentence in paragraph.sentences:
        text = sentence.wording or _upper_first(_fill(sentence.frames[sentence.choice], paragraph.values))
        if reword and rng is not None:
            if thorough or rng.random() < 0.4:
                other = rng.choice([i for i in range(len(sentence.frames)) if i != sentence.choice])
                text = _upper_first(_fill(sentence.frames[other], paragraph.values))
            text = _synonyms(rng, text, 0.9 if thorough else 0.7)
        out.append(text)
    if reword and rng is not None and len(out) > 2 and (thorough or rng.random() < 0.6):
        rest = out[1:]
        rng.shuffle(rest)  # keep the claim first, as a rewriter would
        out = [out[0], *rest]
    return out


def _typos(rng: random.Random, text: str, rate: float) -> str:
    """Letter swaps, missing and doubled letters in about `rate` of the longer words."""

    def typo(match: re.Match[str]) -> str:
        word = match.group(0)
        if rng.random() >= rate:
            return word
        i = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if kind == 1:
            return word[:i] + word[i + 1 :]
        return word[:i] + word[i] + word[i:]

    return re.sub(r"\b[^\W\d_]{5,}\b", typo, text)  # figures are copied, not retyped


def personal_paragraph(rng: random.Random, topic: Topic, n: int) -> str:
    values = _slot_values(rng, topic)
    return " ".join(_fill(s, values) for s in rng.sample(PERSONAL, n))


BODY_VARIATIONS = [
    ("none", 24), ("typos", 14), ("reordered", 10), ("sentence_removed", 10), ("filler_added", 6),
    ("sentence_added", 6), ("paragraph_added", 10), ("reworded", 14), ("shortened", 6), ("rewritten", 4),
]  # fmt: skip
SECOND_VARIATIONS = ["typos", "reordered", "paragraph_added", "sentence_removed"]
ADDS = {"sentence_added", "paragraph_added"}  # the variations a case worker must see as something new


def make_member(rng: random.Random, topic: Topic, campaign: list[Paragraph]) -> dict[str, Any]:
    """One signer's copy of a campaign letter."""
    names, weights = zip(*BODY_VARIATIONS, strict=True)
    variations = [rng.choices(names, weights)[0]]
    if variations[0] != "none" and rng.random() < 0.25:
        second = rng.choice(SECOND_VARIATIONS)
        if second not in variations and not (second == "paragraph_added" and variations[0] == "sentence_added"):
            variations.append(second)
    reword = next((v for v in variations if v in ("reworded", "rewritten")), "")
    paragraphs = [render_paragraph(p, rng, reword) for p in campaign]
    body = paragraphs[1:-1] if campaign[-1].kind == "closing" else paragraphs[1:]
    head, tail = paragraphs[0], (paragraphs[-1:] if campaign[-1].kind == "closing" else [])
    if "shortened" in variations and len(body) > 1:
        keep = max(1, round(len(body) * rng.uniform(0.55, 0.75)))
        body = [body[i] for i in sorted(rng.sample(range(len(body)), keep))]
    if "reordered" in variations or (reword and rng.random() < 0.5):
        rng.shuffle(body)
    if "sentence_removed" in variations:
        candidates = [p for p in body if len(p) > 1]
        if candidates:
            para = rng.choice(candidates)
            para.pop(rng.randrange(1, len(para)))
    paragraphs = [head, *body, *tail]
    added: list[str] = []
    postscript = ""
    if "sentence_added" in variations or "filler_added" in variations:
        if "filler_added" in variations:
            sentence = rng.choice(FILLERS)
        else:
            sentence = rng.choice(CONNECTORS) + personal_paragraph(rng, topic, 1)
        added.append(sentence)
        target = rng.choice(paragraphs[1:] or paragraphs)
        target.insert(rng.randrange(len(target) + 1), sentence)
    if "paragraph_added" in variations:
        own = personal_paragraph(rng, topic, rng.choice([2, 3, 3, 4]))
        added.append(own)
        where = rng.random()
        if where < 0.25:
            postscript = "PS: " + own
        else:
            paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), [own])
    texts = [" ".join(p) for p in paragraphs]
    if "typos" in variations:
        texts = [_typos(rng, t, rng.uniform(0.04, 0.1)) for t in texts]
    frame = _letter_frame(rng, topic, {**COMMON_SLOTS, **topic.slots})
    return {"text": render_letter(frame, texts, postscript), "variations": variations, "added": added}


def _own_paragraph(rng: random.Random, topic: Topic, name: str) -> str:
    """One concern in a person's own words: one or two facts, maybe a demand, maybe something personal."""
    facts, demands = OWN_WORDS[name]
    values = _slot_values(rng, topic)
    openers = rng.sample(OPENERS, 2)
    sentences = [
        _fill(openers[i].replace("{f}", fact), values) for i, fact in enumerate(rng.sample(facts, rng.choice([1, 2])))
    ]
    if rng.random() < 0.5:
        sentences.append(_fill(rng.choice(DEMANDS).replace("{d}", rng.choice(demands)), values))
    if rng.random() < 0.2:  # an argument picked up from elsewhere, in its usual wording
        roles = _concerns(topic)[name]
        sentences.insert(0, _upper_first(_fill(rng.choice(roles[rng.randrange(3)]), values)))
    if rng.random() < 0.35:
        sentences.insert(rng.randrange(len(sentences) + 1), personal_paragraph(rng, topic, 1))
    return _synonyms(rng, " ".join(sentences), 0.5)  # everybody has their own words


def make_individual(rng: random.Random, topic: Topic) -> dict[str, Any]:
    """A statement written by one person on the topic: the same concerns and vocabulary, own sentences."""
    texts: list[str] = []
    base = _slot_values(rng, topic)
    if rng.random() < 0.5:
        texts.append(_upper_first(_fill(rng.choice(INTROS[0]), base)))
    if rng.random() < 0.75:
        texts.append(_synonyms(rng, personal_paragraph(rng, topic, rng.choice([1, 2, 2, 3])), 0.5))
    for name in rng.sample(sorted(_concerns(topic)), rng.choice([1, 2, 2, 3, 3, 4, 5])):
        texts.append(_own_paragraph(rng, topic, name))
    if rng.random() < 0.4:
        texts.append(_fill(rng.choice(CLOSINGS[rng.randrange(3)]), base))
    if rng.random() < 0.2:  # some people write one block without paragraphs
        texts = [" ".join(texts)]
    frame = _letter_frame(rng, topic, {**COMMON_SLOTS, **topic.slots})
    return {"text": render_letter(frame, texts), "variations": ["own_text"], "added": []}


def make_short(rng: random.Random, topic: Topic) -> dict[str, Any]:
    """One to three sentences: too little to tell a campaign from a coincidence."""
    sentences = [rng.choice(topic.short)]
    if rng.random() < 0.6:
        sentences.append(personal_paragraph(rng, topic, 1))
    if rng.random() < 0.3:
        sentences.append(rng.choice(FILLERS))
    text = " ".join(sentences)
    if rng.random() < 0.3:
        text = f"{rng.choice(GREETINGS)}\n\n{text}\n\n{rng.choice(SIGNOFFS)}\n{_person(rng)}"
    return {"text": text, "variations": ["short"], "added": []}


def make_quoting(rng: random.Random, topic: Topic, campaign: list[Paragraph]) -> dict[str, Any]:
    """An own statement that adopts one paragraph of a campaign: it must stay apart from the campaign."""
    own = make_individual(rng, topic)
    # one argument out of several; quoting the whole argument of a one-point letter would be signing it
    quoted = " ".join(render_paragraph(rng.choice([p for p in campaign if p.kind not in ("intro", "closing")])))
    paragraphs = own["text"].split("\n\n")
    lead_in = rng.choice(["Ich teile außerdem folgenden Punkt der Bürgerinitiative:",
                          "Wie andere schon geschrieben haben:", "Dazu zitiere ich aus einem Aufruf:"])  # fmt: skip
    paragraphs.insert(max(1, len(paragraphs) - 1), f"{lead_in} {quoted}")
    return {"text": "\n\n".join(paragraphs), "variations": ["quotes_campaign"], "added": []}


def make_resubmission(rng: random.Random, original: dict[str, Any]) -> dict[str, Any]:
    """The same person sends their own statement again (mail and portal): same text, other frame, a typo or two."""
    body = [p for p in original["text"].split("\n\n") if len(p.split()) > 8]
    text = "\n\n".join(_typos(rng, p, 0.02) for p in body)
    return {"text": text, "variations": ["resubmitted"], "added": []}


# --- the corpus ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How many of what: the committed set and the bench differ only in these numbers and the seed."""

    campaigns_per_topic: tuple[int, int] = (4, 5)
    members: tuple[int, int] = (3, 400)  # campaign sizes, drawn log-uniformly
    individuals_per_topic: int = 90
    short_per_topic: int = 14
    quoting_per_topic: int = 4
    resubmitted_per_topic: int = 3


def _log_uniform(rng: random.Random, low: int, high: int) -> int:
    import math

    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _same_letter(campaign: list[Paragraph], other: list[Paragraph]) -> bool:
    """Two campaigns (of any topics) must be two letters, not one letter with other figures or another project.

    Different initiatives argue the same points, but in their own sentences: the shorter letter may share at most
    a third of its argument sentences (the same point said in the same phrasing) with the other, and two short
    letters (three points or fewer) do not share a point at all.
    """

    def said(letter: list[Paragraph]) -> set[tuple[str, str, int]]:
        return {
            (p.kind, s.frames[0], s.choice) for p in letter if p.kind not in ("intro", "closing") for s in p.sentences
        }

    mine, theirs = said(campaign), said(other)
    if len(mine & theirs) > min(len(mine), len(theirs)) / 3:
        return True
    points = ({p.kind for p in c} - {"intro", "closing"} for c in (campaign, other))
    mine_points, their_points = points
    return max(len(mine_points), len(their_points)) <= 3 and bool(mine_points & their_points)


def build(seed: int = SEED, plan: Plan | None = None) -> list[dict[str, Any]]:
    """All statements in the order they arrived (shuffled, so a lead is any kind of member)."""
    plan = plan or Plan()
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []

    def add(record: dict[str, Any], group: str, kind: str, topic: Topic) -> None:
        rows.append({"group": group, "kind": kind, "topic": topic.key, **record})

    letters: list[list[Paragraph]] = []  # of all topics: the shared concerns read alike everywhere
    for topic in TOPICS:
        campaigns: list[list[Paragraph]] = []
        for c in range(rng.randint(*plan.campaigns_per_topic)):
            campaign = make_campaign(rng, topic, rng.randint(3, 12))
            while any(_same_letter(campaign, other) for other in letters):
                campaign = make_campaign(rng, topic, rng.randint(3, 12))
            campaigns.append(campaign)
            letters.append(campaign)
            for _ in range(_log_uniform(rng, *plan.members)):
                add(make_member(rng, topic, campaign), f"{topic.key}-kampagne-{c + 1}", "campaign", topic)
        for i in range(plan.individuals_per_topic):
            record = make_individual(rng, topic)
            add(record, f"{topic.key}-einzel-{i + 1}", "individual", topic)
            if i < plan.resubmitted_per_topic:
                add(make_resubmission(rng, record), f"{topic.key}-einzel-{i + 1}", "individual", topic)
        for i in range(plan.short_per_topic):
            add(make_short(rng, topic), f"{topic.key}-kurz-{i + 1}", "individual", topic)
        for i in range(plan.quoting_per_topic):
            source = rng.choice([c for c in campaigns if len(c) >= 5] or campaigns)
            add(make_quoting(rng, topic, source), f"{topic.key}-zitat-{i + 1}", "individual", topic)
    rng.shuffle(rows)
    for number, row in enumerate(rows, 1):
        row["id"] = f"s{number:05d}"
    return [{k: row[k] for k in ("id", "group", "kind", "topic", "variations", "added", "text")} for row in rows]


def write(rows: list[dict[str, Any]], path: Path = OUTPUT) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def load(path: Path = OUTPUT) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def main() -> None:
    rows = build()
    write(rows)
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    print(f"{len(rows)} statements, {len({r['group'] for r in rows})} groups, {kinds} -> {OUTPUT}")


if __name__ == "__main__":
    main()
