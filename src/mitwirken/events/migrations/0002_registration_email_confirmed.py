from django.db import migrations, models


def unconfirmed_holds(apps, schema_editor):
    # Holds waiting for the e-mail link were never confirmed; every other existing registration counts as confirmed
    # (entries on the waiting list from before this field keep their turn).
    Registration = apps.get_model("events", "Registration")
    Registration.objects.filter(status="unconfirmed").update(email_confirmed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="email_confirmed",
            field=models.BooleanField(default=True, verbose_name="E-Mail-Adresse bestätigt"),
        ),
        migrations.RunPython(unconfirmed_holds, migrations.RunPython.noop),
    ]
