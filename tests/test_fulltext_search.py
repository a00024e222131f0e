"""Full-text search (issue #15): German stemming and prefixes on PostgreSQL, the substring fallback on SQLite, reference
numbers found exactly, highlighting, input that looks like query syntax, and constant query counts.

The suite runs on both databases; where they differ by design, the test says what each one finds.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitwirken.core.search import highlight, matching, words
from mitwirken.dialogue import services as dialogue_services
from mitwirken.dialogue.models import Blueprint, Idea
from mitwirken.formal.models import Statement
from mitwirken.projects.models import Project

from .conftest import login
from .dialogue_fixtures import make_dialogue
from .formal_fixtures import make_procedure
from .staff_fixtures import many_statements
from .test_browser_formal import backoffice_base, submit_as

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def procedure(world: Any) -> Any:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    submit_as(world.personas["citizen"], procedure.rounds.get().tracks.get(), text="Der Radweg endet im Nichts.")
    return procedure


def _statement(procedure: Any, **values: Any) -> Statement:
    template = Statement.objects.filter(procedure=procedure).earliest("id")
    copy = many_statements(template, 1)[0]
    Statement.objects.filter(pk=copy.pk).update(**values)
    return Statement.objects.get(pk=copy.pk)


def _found(procedure: Any, query: str) -> set[str]:
    return set(Statement.objects.filter(procedure=procedure).search(query).values_list("reference", flat=True))


def test_inflected_forms_and_compounds_are_found_on_postgresql(procedure: Any) -> None:
    first = Statement.objects.get(procedure=procedure)
    network = _statement(procedure, text="Das Radwegenetz hat Lücken an der Brücke.")
    trees = _statement(procedure, text="Die Bäume an der Allee müssen bleiben.")
    if POSTGRES:
        assert _found(procedure, "Radwege") == {first.reference, network.reference}  # stem and prefix
        assert _found(procedure, "Baum") == {trees.reference}  # the umlaut of the plural
        assert _found(procedure, "Brücken Lücke") == {network.reference}  # every word, in any form
    else:  # the fallback finds what contains the words as typed
        assert _found(procedure, "Radweg") == {first.reference, network.reference}
        assert _found(procedure, "Bäume") == {trees.reference}
    assert _found(procedure, "Radweg Allee") == set()  # all words must occur


def test_a_reference_number_finds_exactly_that_statement(procedure: Any) -> None:
    for _ in range(12):
        _statement(procedure)
    references = sorted(Statement.objects.filter(procedure=procedure).values_list("reference", flat=True))
    wanted = references[1]
    assert _found(procedure, wanted) == {wanted}
    assert _found(procedure, f"  {wanted.lower()} ") == {wanted}


def test_the_name_and_the_organisation_are_searched_too(procedure: Any) -> None:
    named = _statement(procedure, author_name="Hildegard Quellmalz", organisation_name="Naturschutzbund Zwiebelhausen")
    assert _found(procedure, "Quellmalz") == {named.reference}
    assert _found(procedure, "naturschutzbund") == {named.reference}


@pytest.mark.parametrize("query", ["a & b | !c", "'); DROP TABLE x; --", "foo:* <-> bar", "(((", "ä\\ö", "%_%"])
def test_query_syntax_typed_into_the_box_is_just_words(client: Any, world: Any, procedure: Any, query: str) -> None:
    login(client, world.personas["case_worker"])
    response = client.get(f"{backoffice_base(procedure)}eingang/", {"q": query})
    assert response.status_code == 200
    assert client.get("/suche/", {"q": query}).status_code == 200


def test_inbox_search_keeps_a_constant_query_count_and_marks_the_matches(
    client: Any, world: Any, procedure: Any
) -> None:
    login(client, world.personas["case_worker"])
    url = f"{backoffice_base(procedure)}eingang/?q=Radweg"
    many_statements(Statement.objects.get(procedure=procedure), 5)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    few = count()
    many_statements(Statement.objects.filter(procedure=procedure).earliest("id"), 300)
    assert count() == few
    html = client.get(url).content.decode()
    assert "<mark>Radweg</mark>" in html


def test_the_idea_list_ranks_title_matches_first_and_marks_them(client: Any, world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    author = world.personas["citizen"]
    in_text = dialogue_services.idea_create(user=author, module=module, title="Mehr Grün",
                                            text="<p>Ein Spielplatz neben dem Radweg.</p>")  # fmt: skip
    in_title = dialogue_services.idea_create(user=author, module=module, title="Radwege beleuchten",
                                             text="<p>Nachts ist es dunkel &amp; gefährlich.</p>")  # fmt: skip
    Idea.objects.update(approved=True)
    project = module.project
    url = f"/{project.organisation.slug}/projekte/{project.slug}/{module.slug}/"
    response = client.get(url, {"q": "Radweg"})
    listed = [idea.pk for idea in response.context["page"].object_list]
    assert set(listed) == {in_text.pk, in_title.pk}
    if POSTGRES:
        assert listed == [in_title.pk, in_text.pk]  # the title weighs more than the text
    html = response.content.decode()
    assert "<mark>Radweg</mark>" in html
    assert "<mark>Radwege</mark> beleuchten" in html
    assert "<p>" not in html.split("<mark>Radweg</mark>")[0][-60:]  # the excerpt is text, not markup


def test_portal_search_finds_inflected_project_titles_with_an_excerpt(client: Any, world: Any) -> None:
    Project.objects.filter(pk=world.public.pk).update(
        title="Lärmaktionsplan Beispielhausen", summary="Wir planen leisere Straßen für alle Ortsteile."
    )
    html = client.get("/suche/", {"q": "Straße" if POSTGRES else "Straßen"}).content.decode()
    assert "Lärmaktionsplan Beispielhausen" in html
    assert "<mark>Straßen</mark>" in html


def test_a_search_without_words_finds_nothing(world: Any) -> None:
    assert Project.objects.exists()
    assert not matching(Project.objects.all(), "  ,;  ").exists()
    assert words("Hauptstraße 25, Beispielhausen") == ["hauptstraße", "25", "beispielhausen"]


def test_highlight_escapes_the_text_and_marks_inflected_words() -> None:
    text = "<b>Radwege</b> & Bäume: der Radweg an der Brücke"
    marked = highlight(text, "radweg baum")
    assert marked == (
        "&lt;b&gt;<mark>Radwege</mark>&lt;/b&gt; &amp; <mark>Bäume</mark>: der <mark>Radweg</mark> an der Brücke"
    )
    assert highlight("<script>x</script>", "") == "&lt;script&gt;x&lt;/script&gt;"


def test_an_excerpt_is_cut_around_the_first_match() -> None:
    text = ("Einleitung " * 40) + "Hier steht der Lärmschutz, um den es geht. " + ("Schluss " * 40)
    excerpt = highlight(text, "Lärmschutz", length=120)
    assert excerpt.startswith("… ") and excerpt.endswith(" …")
    assert "<mark>Lärmschutz</mark>" in excerpt
    assert len(excerpt) < 120 + 40
    assert highlight("kurz", "nichts", length=120) == "kurz"


def test_a_search_of_stop_words_only_finds_them_as_typed(procedure: Any) -> None:
    without = _statement(procedure, text="Ohne Abschnitte und ohne Begründung.")
    assert _found(procedure, "Ohne") == {without.reference}
    assert _found(procedure, "ohne und") == {without.reference}
    assert _found(procedure, "Begründung ohne") == {without.reference}  # stop words beside a word do not count
