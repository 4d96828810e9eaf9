"""kpi admin."""
