"""Import batches record when their apply task was handed to the broker, so the
re-send sweep sends only what never reached it (and, much later, what the broker
lost), never a long import while it runs. Batches queued before this migration
have no stamp: the sweep sends each once more, which applying tolerates."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_search_columns_base_manager"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent to the worker"),
        ),
    ]
