"""Django admin for supervision, one module per area."""

from reports.admin import handover, kpi, quality, recap, roster  # noqa: F401  (registers the models)
