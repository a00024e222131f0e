"""Triggers that refuse UPDATE and DELETE on the audit log (see core/audit_triggers.py)."""

from django.db import migrations

from mitwirken.core import audit_triggers


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    audit_triggers.create(schema_editor.connection)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    audit_triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
