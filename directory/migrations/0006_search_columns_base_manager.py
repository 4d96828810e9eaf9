"""Department, Staff and InfoEntry use their search-column-keeping manager for
Django's internal writes too (Meta.base_manager_name); no schema change."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_importbatch_queued"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="department",
            options={
                "base_manager_name": "objects",
                "ordering": ["name"],
                "verbose_name": "department",
                "verbose_name_plural": "departments",
            },
        ),
        migrations.AlterModelOptions(
            name="infoentry",
            options={
                "base_manager_name": "objects",
                "ordering": ["title"],
                "verbose_name": "info entry",
                "verbose_name_plural": "info entries",
            },
        ),
        migrations.AlterModelOptions(
            name="staff",
            options={
                "base_manager_name": "objects",
                "ordering": ["full_name"],
                "permissions": [
                    ("change_presence", "Can set anyone's presence"),
                    ("import_directory", "Can import and export the directory"),
                ],
                "verbose_name": "staff member",
                "verbose_name_plural": "staff",
            },
        ),
    ]
