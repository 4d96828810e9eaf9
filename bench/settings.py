"""Settings of the benchmark process: the app's own settings, pointed at the bench
database, with the bench urlconf (adds the hello-world floor view) and DEBUG off,
as in production (no query log, no debug template machinery)."""

from bench.db import bench_database
from switchboard.settings import *  # noqa: F403
from switchboard.settings import ALLOWED_HOSTS, DATABASES, STATIC_ROOT, VAR_DIR

DATABASES = {**DATABASES, "default": bench_database(DATABASES["default"], VAR_DIR)}
BENCH_DIR = VAR_DIR / "bench"
ROOT_URLCONF = "bench.urls"
DEBUG = False
# django.test.Client sends Host: testserver.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# The bench serves no collected static files; an empty folder keeps whitenoise quiet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
