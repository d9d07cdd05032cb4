"""Storage: the tables, the engine recipe, migrations, and the transaction boundaries.

Only the service layer uses this package, and only through ``Database.read()`` and
``Database.write()``; nothing above it opens a session by hand.
"""

from salesboard.store.database import Database
from salesboard.store.location import default_db_path, resolve_url
from salesboard.store.models import (
    EXCHANGE_RATE,
    PIPELINE_VERSION,
    SETTING,
    ChecklistItem,
    Deal,
    Event,
    Presence,
)

__all__ = [
    "EXCHANGE_RATE",
    "PIPELINE_VERSION",
    "SETTING",
    "ChecklistItem",
    "Database",
    "Deal",
    "Event",
    "Presence",
    "default_db_path",
    "resolve_url",
]
