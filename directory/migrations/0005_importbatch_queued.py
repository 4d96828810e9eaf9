"""Import batches can be queued: confirmed by an admin, waiting for the worker
to apply them (who confirmed, and when, for the worker and the stuck-batch sweep)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_search_prefix_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmed"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="confirmed by",
            ),
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="status",
            field=models.CharField(
                choices=[
                    ("previewed", "Waiting for confirmation"),
                    ("queued", "Being applied"),
                    ("applied", "Applied"),
                    ("cancelled", "Cancelled"),
                ],
                default="previewed",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
