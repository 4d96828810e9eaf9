# Switchboard: one image for the web (gunicorn), worker and beat (Celery) containers.
#
#   docker build -t switchboard .
#   docker compose up -d --build        # the whole set, see docker-compose.yml and README
#
# The image runs as an unprivileged user. Its code and collected static files belong
# to root and are read-only for that user; the only writable place is /data
# (media uploads, the beat schedule), which docker-compose.yml puts on named volumes.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A fixed uid/gid so files on volumes keep one owner across image rebuilds.
RUN groupadd --system --gid 1000 switchboard \
    && useradd --system --uid 1000 --gid switchboard --home-dir /home/switchboard \
       --create-home --shell /usr/sbin/nologin switchboard \
    && install -d -o switchboard -g switchboard -m 0750 /data /data/media

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml
# changes. pyproject has `packages = []`, so `pip install .` installs exactly the
# dependency list; the source is copied in the next step. pyproject names README.md
# as the long description, so an empty stand-in keeps README edits from busting
# this layer.
COPY pyproject.toml ./
RUN touch README.md \
    && pip install . \
    && rm -rf README.md build ./*.egg-info

COPY . .

# Static files are collected into the image (served by whitenoise), so every web
# container has the same hashed files and no volume is needed for them. settings.py
# refuses to start with DEBUG off and no SECRET_KEY: the key below exists only for
# this build step and is not kept in the image.
ENV DEBUG=false \
    SWITCHBOARD_VAR_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=3
RUN SECRET_KEY=build-only DEBUG=false ALLOWED_HOSTS=x python manage.py collectstatic --noinput \
    && python -m compileall -q /app

USER switchboard

EXPOSE 8000

# Workers come from WEB_CONCURRENCY (gunicorn reads it); any other gunicorn option
# can be added at run time with GUNICORN_CMD_ARGS. Database migrations are not run
# here: docker-compose.yml has a one-shot `migrate` service, so scaling web to
# several containers never runs migrations concurrently.
CMD ["gunicorn", "switchboard.wsgi", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--access-logfile", "-"]
