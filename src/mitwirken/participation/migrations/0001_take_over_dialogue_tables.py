"""Take over the dialogue's tables of comments, ratings, flags, blocks, follows and digest items.

Step 1 of 3 (expand → backfill → contract). The state gets the models exactly as the dialogue had them, then
the tables are renamed to this app's names; rows and ids stay. ``0002`` adds the generic columns and fills
them, ``0003`` drops the dialogue-specific ones.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

FK = django.db.models.deletion


def _moved(name, fields, options):
    """The model as it was in the dialogue, on the dialogue's table; then the table gets this app's name."""
    return [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(name=name, fields=fields, options={**options, "db_table": f"dialogue_{name.lower()}"})
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name=name.lower(), table=None),
    ]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dialogue", "0003_participation_parts_move"),
        ("organisations", "0001_initial"),
        ("projects", "0003_listed_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *_moved("Block", [
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("reason", models.CharField(max_length=300, verbose_name="Grund")),
            ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="Zeitpunkt")),
            ("created_by", models.ForeignKey(null=True, on_delete=FK.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="Gesperrt von")),
            ("organisation", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="+", to="organisations.organisation", verbose_name="Organisation")),
            ("project", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="+", to="projects.project", verbose_name="Projekt")),
            ("user", models.ForeignKey(on_delete=FK.CASCADE, related_name="dialogue_blocks", to=settings.AUTH_USER_MODEL, verbose_name="Konto")),
        ], {"verbose_name": "Sperre", "verbose_name_plural": "Sperren"}),
        *_moved("Comment", [
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("text", models.TextField(max_length=4000, verbose_name="Kommentar")),
            ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="Erstellt")),
            ("edited_at", models.DateTimeField(blank=True, null=True, verbose_name="Bearbeitet")),
            ("deleted_at", models.DateTimeField(blank=True, null=True, verbose_name="Gelöscht")),
            ("approved", models.BooleanField(default=True, verbose_name="Freigegeben")),
            ("hidden", models.BooleanField(default=False, verbose_name="Ausgeblendet")),
            ("hidden_reason", models.CharField(blank=True, max_length=300, verbose_name="Grund für das Ausblenden")),
            ("pinned", models.BooleanField(default=False, verbose_name="Angeheftet")),
            ("highlighted", models.BooleanField(default=False, verbose_name="Von der Moderation hervorgehoben")),
            ("reply_count", models.PositiveIntegerField(default=0, verbose_name="Antworten")),
            ("author", models.ForeignKey(null=True, on_delete=FK.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="Verfasst von")),
            ("parent", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="replies", to="participation.comment", verbose_name="Antwort auf")),
            ("idea", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="comments", to="dialogue.idea", verbose_name="Idee")),
            ("paragraph", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="comments", to="dialogue.paragraph", verbose_name="Absatz")),
        ], {
            "verbose_name": "Kommentar", "verbose_name_plural": "Kommentare", "ordering": ["created_at", "pk"],
            "indexes": [
                models.Index(fields=["idea", "parent", "created_at"], name="comment_thread"),
                models.Index(fields=["paragraph", "parent", "created_at"], name="comment_paragraph"),
            ],
            "constraints": [
                models.CheckConstraint(
                    condition=models.Q(models.Q(("idea__isnull", False), ("paragraph__isnull", True)), models.Q(("idea__isnull", True), ("paragraph__isnull", False)), _connector="OR"),
                    name="comment_has_one_target",
                )
            ],
        }),
        *_moved("DigestItem", [
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("title", models.CharField(max_length=300, verbose_name="Titel")),
            ("url", models.CharField(blank=True, max_length=300, verbose_name="Adresse")),
            ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="Zeitpunkt")),
            ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="Gesendet")),
            ("user", models.ForeignKey(on_delete=FK.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="Konto")),
        ], {
            "verbose_name": "Eintrag der Tageszusammenfassung", "verbose_name_plural": "Einträge der Tageszusammenfassung",
            "indexes": [models.Index(fields=["sent_at", "user"], name="digest_pending")],
        }),
        *_moved("Follow", [
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("frequency", models.CharField(choices=[("immediate", "sofort"), ("daily", "täglich gesammelt")], default="immediate", max_length=10, verbose_name="Häufigkeit")),
            ("project", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="+", to="projects.project", verbose_name="Projekt")),
            ("user", models.ForeignKey(on_delete=FK.CASCADE, related_name="dialogue_follows", to=settings.AUTH_USER_MODEL, verbose_name="Konto")),
            ("idea", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="follows", to="dialogue.idea", verbose_name="Idee")),
        ], {
            "verbose_name": "Folgen", "verbose_name_plural": "Folgen",
            "constraints": [
                models.UniqueConstraint(condition=models.Q(("project__isnull", False)), fields=("user", "project"), name="follow_project_once"),
                models.UniqueConstraint(condition=models.Q(("idea__isnull", False)), fields=("user", "idea"), name="follow_idea_once"),
            ],
        }),
        *_moved("Flag", [
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("reason", models.CharField(max_length=500, verbose_name="Grund")),
            ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="Zeitpunkt")),
            ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="Erledigt")),
            ("comment", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="flags", to="participation.comment", verbose_name="Kommentar")),
            ("module", models.ForeignKey(on_delete=FK.CASCADE, related_name="+", to="projects.module", verbose_name="Modul")),
            ("reporter", models.ForeignKey(null=True, on_delete=FK.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="Gemeldet von")),
            ("idea", models.ForeignKey(blank=True, null=True, on_delete=FK.CASCADE, related_name="flags", to="dialogue.idea", verbose_name="Idee")),
        ], {
            "verbose_name": "Meldung an die Moderation", "verbose_name_plural": "Meldungen an die Moderation",
            "indexes": [models.Index(fields=["module", "resolved_at"], name="flag_queue")],
        }),
        *_moved("Rating", [
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("value", models.SmallIntegerField(choices=[(1, "dafür"), (-1, "dagegen")], verbose_name="Bewertung")),
            ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="Zeitpunkt")),
            ("idea", models.ForeignKey(on_delete=FK.CASCADE, related_name="ratings", to="dialogue.idea", verbose_name="Idee")),
            ("user", models.ForeignKey(on_delete=FK.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="Konto")),
        ], {
            "verbose_name": "Bewertung", "verbose_name_plural": "Bewertungen",
            "constraints": [models.UniqueConstraint(fields=("idea", "user"), name="rate_once")],
        }),
    ]
