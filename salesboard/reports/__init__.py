"""Insight: forecast, funnel, velocity, stuck deals, outcomes and owners, read-only.

The reports are computed from the deals and the append-only event log, beside the
service and never through it: nothing here writes. ``facts`` holds the plain data every
report works on (pure Python, so every figure can be checked by hand in a test),
``source`` reads those facts from a database in a few aggregate-free queries, and each
report has its own module (``forecast``, ``funnel``, ``velocity``, ``stuck``,
``outcomes``, ``owners``, ``digest``) that turns facts into figures, JSON, CSV rows and
plain tables that the CLI and the board draw.
"""
