"""Moderation hints in the queues: which waiting or reported contribution the organisation's moderators would
probably hide, learned from what they hid and let stand before (``mitwirken.analysis.moderation``).

A hint orders the queue (most likely first) and says which words or signals weighed; it never hides, approves or
holds back anything. It works through the generic participation targets, so ideas, comments and whatever a module
registers as ``moderated`` are learned from and sorted alike. The model is per organisation, retrained by a task a
while after moderators decide (debounced: one run for a burst of decisions).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django_tasks import task

from mitwirken.analysis import decisions, state
from mitwirken.analysis import moderation as engine
from mitwirken.analysis.models import Outcome, SuggestionKind
from mitwirken.organisations.models import Organisation

from . import targets

DEBOUNCE = timedelta(minutes=5)  # a moderator works through a queue in a burst; train once after it
SUGGESTS_HIDING = 0.5  # from here on a hint counts as "would hide" for the acceptance log


def state_key(organisation_id: int) -> str:
    return f"organisation:{organisation_id}:moderation"


def text_of(obj: Any) -> str:
    return f"{getattr(obj, 'title', '') or ''}\n{strip_tags(getattr(obj, 'text', '') or '')}".strip()


def examples(organisation: Organisation) -> list[tuple[str, bool]]:
    """What the organisation's moderators hid (True) and what stands published (False), the newest of each."""
    pairs: list[tuple[str, bool]] = []
    for kind in targets.moderated():
        objects = kind.model._default_manager.filter(**{f"{kind.module_path}__project__organisation": organisation})
        if any(f.name == "deleted_at" for f in kind.model._meta.get_fields()):
            objects = objects.filter(deleted_at__isnull=True)  # deleted by their authors: nobody decided
        for hidden, chosen in (
            (True, objects.filter(hidden=True)),
            (False, objects.filter(approved=True, hidden=False)),
        ):
            for obj in chosen.order_by("-pk")[: engine.MAX_PER_CLASS]:
                pairs.append((text_of(obj), hidden))
    return pairs


def retrain(organisation: Organisation) -> engine.ModerationModel | None:
    model = engine.train(examples(organisation))
    if model is None:
        state.forget(state_key(organisation.pk))
    else:
        state.save(state_key(organisation.pk), model, trained_at=timezone.now().isoformat(), **model.counts)
    return model


@task()
def retrain_moderation_hints(organisation_id: int) -> bool:
    cache.delete(f"moderation-hints:due:{organisation_id}")
    return retrain(Organisation.objects.get(pk=organisation_id)) is not None


def schedule_retrain(organisation: Organisation) -> None:
    """One retraining a while after the first of a burst of decisions (the others find it already scheduled)."""
    if not cache.add(f"moderation-hints:due:{organisation.pk}", True, int(DEBOUNCE.total_seconds()) + 60):
        return
    if retrain_moderation_hints.get_backend().supports_defer:
        retrain_moderation_hints.using(run_after=timezone.now() + DEBOUNCE).enqueue(organisation.pk)
    else:  # the tests' immediate backend
        retrain_moderation_hints.enqueue(organisation.pk)


def model_for(organisation_id: int) -> engine.ModerationModel | None:
    loaded = state.load(state_key(organisation_id))
    if loaded is None or getattr(loaded[0], "version", None) != engine.VERSION:
        return None
    return loaded[0]  # type: ignore[no-any-return]


def annotate(organisation_id: int, *queues: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Give every queue row (``{"target": obj, …}``) its ``hint`` and order each queue, most likely to hide first.

    Without a model (too few decisions yet) the rows keep their order and get no hint. One query for all queues.
    """
    if not any(queues):
        return list(queues)
    model = model_for(organisation_id)
    if model is None:
        return list(queues)
    ordered = []
    for rows in queues:
        for row, hint in zip(rows, model.hints([text_of(row["target"]) for row in rows]), strict=True):
            row["hint"] = hint
        ordered.append(sorted(rows, key=lambda row: -row["hint"].probability))
    return ordered


def decided(*, actor: Any, module: Any, target: Any, action: str) -> None:
    """After a moderator's decision: log it against the hint the contribution had, and schedule retraining."""
    organisation = module.project.organisation
    if action in ("hide", "approve", "dismiss"):
        model = model_for(organisation.pk)
        if model is not None:
            hint = model.hints([text_of(target)])[0]
            if hint.probability >= SUGGESTS_HIDING:
                decisions.record(
                    actor=actor, organisation=organisation, module=module, kind=SuggestionKind.MODERATION,
                    outcome=Outcome.ACCEPTED if action == "hide" else Outcome.REJECTED, score=hint.probability,
                    detail={"reasons": list(hint.reasons), "action": action},
                )  # fmt: skip
    if action in ("hide", "unhide", "approve", "dismiss"):
        transaction.on_commit(lambda: schedule_retrain(organisation), robust=True)
