from django.db import migrations, models
from django.utils.text import slugify

RESERVED = {"bild", "anhaenge", "module", "dialog", "verfahren"}


def fill_slugs(apps, schema_editor):
    Module = apps.get_model("projects", "Module")
    taken: dict[int, set[str]] = {}
    for module in Module.objects.order_by("project_id", "weight", "id").only("pk", "project_id", "name"):
        used = taken.setdefault(module.project_id, set())
        base = slugify(module.name)[:40].strip("-") or "modul"
        if base in RESERVED or base.isdigit():
            base = f"modul-{base}"
        slug, number = base, 1
        while slug in used:
            number += 1
            slug = f"{base}-{number}"
        used.add(slug)
        Module.objects.filter(pk=module.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_listed_indexes")]

    operations = [
        migrations.AddField(
            model_name="module",
            name="slug",
            field=models.SlugField(
                default="",
                help_text="Teil der Internetadresse des Moduls, z. B. „radverkehr“. Wird aus dem Namen vorgeschlagen.",
                max_length=50,
                verbose_name="Adresse",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="module",
            constraint=models.UniqueConstraint(fields=("project", "slug"), name="unique_module_slug_per_project"),
        ),
    ]
