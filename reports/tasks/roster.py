"""roster tasks: thin adapters over reports.services."""

__all__: list[str] = []
