"""Supervision views, one module per area (roster and attendance, quality, KPIs)."""
