"""Step 2 of 3: the generic columns (module, content type, object id) are added and filled from the old ones.

Comments and flags keep their ids, so flags on comments, replies and notifications' links stay valid. The
update runs as a few set-based UPDATEs (no loop over rows), on SQLite and PostgreSQL alike.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def fill(apps, schema_editor):
    Comment = apps.get_model("participation", "Comment")
    Rating = apps.get_model("participation", "Rating")
    Flag = apps.get_model("participation", "Flag")
    Follow = apps.get_model("participation", "Follow")
    Idea = apps.get_model("dialogue", "Idea")
    Paragraph = apps.get_model("dialogue", "Paragraph")
    idea = content_type(apps, "dialogue", "idea")
    paragraph = content_type(apps, "dialogue", "paragraph")
    comment = content_type(apps, "participation", "comment")

    module_of_idea = Subquery(Idea.objects.filter(pk=OuterRef("idea_id")).values("module_id")[:1])
    module_of_paragraph = Subquery(Paragraph.objects.filter(pk=OuterRef("paragraph_id")).values("chapter__module_id")[:1])
    Comment.objects.filter(idea__isnull=False).update(content_type=idea, object_pk=F("idea_id"), module_id=module_of_idea)
    Comment.objects.filter(paragraph__isnull=False).update(
        content_type=paragraph, object_pk=F("paragraph_id"), module_id=module_of_paragraph
    )
    Rating.objects.update(content_type=idea, object_pk=F("idea_id"), module_id=module_of_idea)
    Flag.objects.filter(idea__isnull=False).update(content_type=idea, object_pk=F("idea_id"))
    Flag.objects.filter(idea__isnull=True, comment__isnull=False).update(content_type=comment, object_pk=F("comment_id"))
    Flag.objects.filter(content_type__isnull=True).delete()  # a flag on nothing: nobody can act on it
    Follow.objects.filter(idea__isnull=False).update(content_type=idea, object_pk=F("idea_id"))


def unfill(apps, schema_editor):
    """Backwards: the old columns are still there (step 3 drops them), so nothing to restore."""


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("participation", "0001_take_over_dialogue_tables"),
        ("projects", "0003_listed_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="block",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="Gesperrt bis"),
        ),
        migrations.AlterField(
            model_name="block",
            name="user",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="participation_blocks", to=settings.AUTH_USER_MODEL, verbose_name="Konto"),
        ),
        migrations.AlterField(
            model_name="follow",
            name="user",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="participation_follows", to=settings.AUTH_USER_MODEL, verbose_name="Konto"),
        ),
        *[
            migrations.AddField(
                model_name=model,
                name="content_type",
                field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype", verbose_name="Art des Gegenstands"),
            )
            for model in ("comment", "rating", "flag", "follow")
        ],
        *[
            migrations.AddField(
                model_name=model,
                name="object_pk",
                field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="Nummer des Gegenstands"),
            )
            for model in ("comment", "rating", "flag", "follow")
        ],
        migrations.AddField(
            model_name="comment",
            name="module",
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="projects.module", verbose_name="Modul"),
        ),
        migrations.AddField(
            model_name="rating",
            name="module",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="projects.module", verbose_name="Modul"),
        ),
        migrations.RunPython(fill, unfill),
    ]
