"""stridelift: the application shell (CLI, configuration, report)."""

__version__ = "0.1.0"
