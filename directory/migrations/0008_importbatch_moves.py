"""Import batches keep the extensions their file moves from one person or
department to another, which the admin must accept before confirming."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_importbatch_sent_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="move_count",
            field=models.PositiveIntegerField(default=0, verbose_name="extension moves"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="moves",
            field=models.JSONField(blank=True, default=list, verbose_name="extension moves"),
        ),
    ]
