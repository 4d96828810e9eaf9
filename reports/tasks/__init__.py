"""Celery tasks for supervision, one module per area; Celery's autodiscovery
imports this package, which imports them all."""

from reports.tasks.kpi import *  # noqa: F403
from reports.tasks.quality import *  # noqa: F403
from reports.tasks.recap import *  # noqa: F403
from reports.tasks.roster import *  # noqa: F403
