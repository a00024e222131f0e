"""Comments, ratings, flags, blocks, follows and digest items move to the participation app.

Only the migration state changes here; the tables stay as they are and ``participation.0001`` takes them
over (renamed), so their rows and ids are kept.
"""

from django.db import migrations

MOVED = ["Flag", "Rating", "Follow", "Comment", "Block", "DigestItem"]


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0002_ordering_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
            database_operations=[],
        )
    ]
