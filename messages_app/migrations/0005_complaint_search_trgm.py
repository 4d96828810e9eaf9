"""The complaint list's keyword search, index-backed on PostgreSQL: a trigram
GIN index on Complaint.search_text (the folded reference, customer name, both
forms of the number and the description, written by the services), which
answers search_text LIKE '%word%' for any word of three letters or more, and
the word starts (LIKE '% wo%') of shorter ones.

PostgreSQL only (SQLite reads the column with a plain LIKE). The extension is
directory 0002's too: going back drops the index, never the extension."""

from django.db import migrations

from switchboard.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("messages_app", "0004_slips_inbox_indexes")]

    operations = [
        PostgresOnlySQL(
            sql="CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        ),
        PostgresOnlySQL(
            sql=(
                "CREATE INDEX IF NOT EXISTS complaint_search_trgm "
                "ON messages_app_complaint USING gin (search_text gin_trgm_ops)"
            ),
            reverse_sql="DROP INDEX IF EXISTS complaint_search_trgm",
        ),
    ]
