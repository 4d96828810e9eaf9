"""Services (writes) for supervision, one module per area."""
