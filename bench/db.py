"""Where the benchmark data lives: never in the app's own database.

PostgreSQL (DATABASE_URL set): a database named ``<name>_bench`` on the same server,
created on first use. SQLite: ``<var>/bench/bench.sqlite3``.
"""

from pathlib import Path

POSTGRES = "django.db.backends.postgresql"


def bench_database(app_db: dict, var_dir: Path) -> dict:
    """The settings of the bench database derived from the app's database settings."""
    db = {**app_db, "OPTIONS": dict(app_db.get("OPTIONS", {}))}
    if db["ENGINE"] == POSTGRES:
        name = str(app_db["NAME"])
        db["NAME"] = name if name.endswith("_bench") else f"{name}_bench"
    else:
        db["NAME"] = str(Path(var_dir) / "bench" / "bench.sqlite3")
    return db


def ensure_database(db: dict) -> bool:
    """Create the bench database if it is missing. Returns True if it was created."""
    if db["ENGINE"] != POSTGRES:
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        return not Path(db["NAME"]).exists()
    import psycopg2
    from psycopg2 import sql

    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    conn = psycopg2.connect(dbname="postgres", **{k: v for k, v in params.items() if v})
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        conn.close()
