"""Step 3 of 3: the dialogue-specific columns go; the generic ones become required and get their indexes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('participation', '0002_generic_targets'),
        ('projects', '0004_module_slug'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='comment',
            name='comment_has_one_target',
        ),
        migrations.RemoveConstraint(
            model_name='follow',
            name='follow_idea_once',
        ),
        migrations.RemoveConstraint(
            model_name='rating',
            name='rate_once',
        ),
        migrations.RemoveIndex(
            model_name='comment',
            name='comment_thread',
        ),
        migrations.RemoveIndex(
            model_name='comment',
            name='comment_paragraph',
        ),
        migrations.RemoveField(
            model_name='comment',
            name='idea',
        ),
        migrations.RemoveField(
            model_name='comment',
            name='paragraph',
        ),
        migrations.RemoveField(
            model_name='flag',
            name='comment',
        ),
        migrations.RemoveField(
            model_name='flag',
            name='idea',
        ),
        migrations.RemoveField(
            model_name='follow',
            name='idea',
        ),
        migrations.RemoveField(
            model_name='rating',
            name='idea',
        ),
        migrations.AlterField(
            model_name='comment',
            name='content_type',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype', verbose_name='Art des Gegenstands'),
        ),
        migrations.AlterField(
            model_name='comment',
            name='module',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.module', verbose_name='Modul'),
        ),
        migrations.AlterField(
            model_name='comment',
            name='object_pk',
            field=models.PositiveBigIntegerField(verbose_name='Nummer des Gegenstands'),
        ),
        migrations.AlterField(
            model_name='flag',
            name='content_type',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype', verbose_name='Art des Gegenstands'),
        ),
        migrations.AlterField(
            model_name='flag',
            name='object_pk',
            field=models.PositiveBigIntegerField(verbose_name='Nummer des Gegenstands'),
        ),
        migrations.AlterField(
            model_name='rating',
            name='content_type',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype', verbose_name='Art des Gegenstands'),
        ),
        migrations.AlterField(
            model_name='rating',
            name='module',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.module', verbose_name='Modul'),
        ),
        migrations.AlterField(
            model_name='rating',
            name='object_pk',
            field=models.PositiveBigIntegerField(verbose_name='Nummer des Gegenstands'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['content_type', 'object_pk', 'parent', 'created_at'], name='comment_thread'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['module', 'approved'], name='comment_module'),
        ),
        migrations.AddIndex(
            model_name='flag',
            index=models.Index(fields=['content_type', 'object_pk'], name='flag_target'),
        ),
        migrations.AddIndex(
            model_name='follow',
            index=models.Index(fields=['content_type', 'object_pk'], name='follow_object'),
        ),
        migrations.AddConstraint(
            model_name='follow',
            constraint=models.UniqueConstraint(condition=models.Q(('object_pk__isnull', False)), fields=('user', 'content_type', 'object_pk'), name='follow_object_once'),
        ),
        migrations.AddConstraint(
            model_name='rating',
            constraint=models.UniqueConstraint(fields=('content_type', 'object_pk', 'user'), name='rate_once'),
        ),
    ]
