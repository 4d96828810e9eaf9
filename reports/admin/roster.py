"""roster admin."""
