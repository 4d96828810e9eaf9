"""A caller who gives "021-5551234 ext 12" is the Caller +62215551234; the
extension belongs to the call. Blank for every existing call; the database
default also serves rows loaded outside the ORM (the bench data set's bulk load).
Reverse: drop it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("calls", "0004_call_export_permission")]

    operations = [
        migrations.AddField(
            model_name="call",
            name="caller_extension",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=8, verbose_name="caller's extension"
            ),
        ),
        migrations.AddField(
            model_name="historicalcall",
            name="caller_extension",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=8, verbose_name="caller's extension"
            ),
        ),
    ]
