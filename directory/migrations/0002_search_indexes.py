"""Trigram and prefix indexes behind the directory search, on PostgreSQL only.

- 3+ characters: search_text LIKE '%q%' is answered by the trigram GIN indexes.
- 1-2 characters: a word prefix, search_name LIKE '% q%', is answered by the same
  trigram index (pg_trgm indexes word starts as "  q"/" qx"); the whole-name
  prefix LIKE ' q%' and extension numbers LIKE 'q%' by btree pattern_ops indexes.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from switchboard.migration_ops import PostgresOnlySQL

INDEXES = [
    ("staff_search_trgm", "directory_staff", "USING gin (search_text gin_trgm_ops)"),
    ("staff_search_name_trgm", "directory_staff", "USING gin (search_name gin_trgm_ops)"),
    ("staff_search_name_prefix", "directory_staff", "(search_name varchar_pattern_ops)"),
    ("department_search_trgm", "directory_department", "USING gin (search_text gin_trgm_ops)"),
    ("infoentry_search_trgm", "directory_infoentry", "USING gin (search_text gin_trgm_ops)"),
    ("extension_number_prefix", "directory_extension", "(number varchar_pattern_ops)"),
]


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        TrigramExtension(),
        *[
            PostgresOnlySQL(
                sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for name, table, definition in INDEXES
        ],
    ]
