"""Settings come from the environment; a malformed value stops start-up with a
message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env):
    """Import the settings in a fresh interpreter with the given environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "switchboard.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_embedded_defaults_start():
    result = start(SWITCHBOARD_VAR_DIR=str(ROOT / "var" / "settings-test"))

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"DB_CONN_MAX_AGE": "soon", "DATABASE_URL": "postgres://u@h/db"}, "DB_CONN_MAX_AGE"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE must be an IANA time zone"),
        ({"LANGUAGE_CODE": "fr"}, "LANGUAGE_CODE must be one of"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "localhost:6379"}, "CELERY_BROKER_URL must be a broker URL"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT must be at least 1"),
        ({"AXES_IP_FAILURE_LIMIT": "many"}, "AXES_IP_FAILURE_LIMIT must be an integer"),
        (
            {"AXES_FAILURE_LIMIT": "10", "AXES_IP_FAILURE_LIMIT": "5"},
            "AXES_IP_FAILURE_LIMIT (5) must be at least AXES_FAILURE_LIMIT (10)",
        ),
        ({"AXES_PROXY_COUNT": "-1"}, "AXES_PROXY_COUNT must be at least 0"),
    ],
)
def test_malformed_variable_stops_start_up_with_a_clear_message(env, message):
    result = start(**env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_pass_the_deploy_check():
    # Not DJANGO_ALLOW_ASYNC_UNSAFE (set for the browser tests): it is a deploy error.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 20 + "-production-secret-for-the-deploy-check-" + "y" * 20,
        ALLOWED_HOSTS="switchboard.example.com",
        SWITCHBOARD_VAR_DIR=str(ROOT / "var" / "settings-test"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
