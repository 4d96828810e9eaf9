"""quality admin."""
