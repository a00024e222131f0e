"""``core.pagination.counts_of`` counts many lists in one query; each count must be what the list's own
``count()`` says, whatever the list is made of (joins, DISTINCT, annotations, plain sequences)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from mitwirken.core.pagination import CountedPaginator, counts_of
from mitwirken.projects.models import Project

from .factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_counts_match_each_lists_own_count_in_one_query() -> None:
    first, second = OrganisationFactory(), OrganisationFactory()
    ProjectFactory.create_batch(3, organisation=first)
    ProjectFactory.create_batch(2, organisation=second)
    lists = {
        "all": Project.objects.select_related("organisation").order_by("-pk"),
        "filtered": Project.objects.filter(organisation=first),
        "empty": Project.objects.filter(pk=-1),
        # A join that repeats rows, made unique again: the count is of distinct projects.
        "distinct": Project.objects.filter(organisation__projects__isnull=False).distinct(),
        "annotated": Project.objects.annotate(
            siblings=Subquery(
                Project.objects.filter(organisation=OuterRef("organisation"))
                .order_by()
                .values("organisation")
                .annotate(n=Count("pk"))
                .values("n")
            )
        ).filter(siblings__gt=2),
        "with-dash": Project.objects.filter(organisation=second),
        "plain": ["a", "b"],
    }
    with CaptureQueriesContext(connection) as captured:
        counts = counts_of(lists)
    assert len(captured.captured_queries) == 1
    expected = {key: len(rows) if isinstance(rows, list) else rows.count() for key, rows in lists.items()}
    assert counts == expected == {"all": 5, "filtered": 3, "empty": 0, "distinct": 5, "annotated": 3,
                                  "with-dash": 2, "plain": 2}  # fmt: skip


def test_only_sequences_need_no_query() -> None:
    with CaptureQueriesContext(connection) as captured:
        assert counts_of({"one": [1], "none": []}) == {"one": 1, "none": 0}
    assert not captured.captured_queries


def test_a_counted_paginator_pages_by_the_count_it_was_given() -> None:
    ProjectFactory.create_batch(5)
    projects = Project.objects.order_by("pk")
    last = [project.pk for project in projects[4:]]
    paginator = CountedPaginator(projects, 2, count=5)
    with CaptureQueriesContext(connection) as captured:
        assert [project.pk for project in paginator.get_page(3)] == last
    assert paginator.num_pages == 3 and len(captured.captured_queries) == 1  # the rows only, no count
