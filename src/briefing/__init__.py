"""briefing: reproducible, dated intelligence briefings from curated claims."""

__version__ = "0.1.0"
