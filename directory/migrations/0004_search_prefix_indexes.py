"""Byte-order prefix indexes for the directory search.

A name that starts with what the operator typed is found as a range,
search_name >= ' bud' AND search_name < ' bue', in byte order (COLLATE "C"),
and the same index returns the rows already sorted, so the first twenty come
straight off it. A varchar_pattern_ops index answers the LIKE but cannot sort,
and the database's own collation may ignore the leading space; both are replaced.
Info entries also get a trigram index on the title, for word starts.
"""

from django.db import migrations

from switchboard.migration_ops import PostgresOnlySQL, VendorSQL

POSTGRES = [
    (
        "staff_search_name_c",
        'ON directory_staff (search_name COLLATE "C", id)',
    ),
    (
        "infoentry_search_title_c",
        'ON directory_infoentry (search_title COLLATE "C", id)',
    ),
    (
        "infoentry_search_title_trgm",
        "ON directory_infoentry USING gin (search_title gin_trgm_ops)",
    ),
    (
        "extension_number_c",
        'ON directory_extension (number COLLATE "C")',
    ),
]
SQLITE = [
    ("staff_search_name_bin", "ON directory_staff (search_name, id)"),
    ("infoentry_search_title_bin", "ON directory_infoentry (search_title, id)"),
]


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_importbatch")]

    operations = [
        *[
            PostgresOnlySQL(
                sql=f"CREATE INDEX IF NOT EXISTS {name} {definition}",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for name, definition in POSTGRES
        ],
        *[
            VendorSQL(
                "sqlite",
                sql=f"CREATE INDEX IF NOT EXISTS {name} {definition}",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for name, definition in SQLITE
        ],
        PostgresOnlySQL(
            sql="DROP INDEX IF EXISTS staff_search_name_prefix",
            reverse_sql=(
                "CREATE INDEX IF NOT EXISTS staff_search_name_prefix "
                "ON directory_staff (search_name varchar_pattern_ops)"
            ),
        ),
        PostgresOnlySQL(
            sql="DROP INDEX IF EXISTS extension_number_prefix",
            reverse_sql=(
                "CREATE INDEX IF NOT EXISTS extension_number_prefix "
                "ON directory_extension (number varchar_pattern_ops)"
            ),
        ),
    ]
