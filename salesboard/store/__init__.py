"""Storage: the tables, the engine recipe, migrations, and the transaction boundaries.

Only the service layer uses this package, and only through ``Database.read()`` and
``Database.write()``; nothing above it opens a session by hand.
"""

from salesboard.store.database import Database
from salesboard.store.location import default_db_path, resolve_url
from salesboard.store.models import (
    ACTIVITY,
    EXCHANGE_RATE,
    PIPELINE_VERSION,
    PROBLEM,
    SETTING,
    STAKEHOLDER,
    ChecklistItem,
    Deal,
    Event,
    Presence,
)

__all__ = [
    "ACTIVITY",
    "EXCHANGE_RATE",
    "PIPELINE_VERSION",
    "PROBLEM",
    "SETTING",
    "STAKEHOLDER",
    "ChecklistItem",
    "Database",
    "Deal",
    "Event",
    "Presence",
    "default_db_path",
    "resolve_url",
]
