"""After bulk seeding, before measuring: bring PostgreSQL to the state a live database is in.

A live database is vacuumed and analysed by autovacuum all the time; a benchmark that measures right after
inserting 100,000 rows would see plans made from empty statistics and index-only scans that still visit every
heap page (the visibility map is not set yet). ``VACUUM (ANALYZE)`` does at once what autovacuum does over
minutes. Nothing to do on SQLite.
"""

from __future__ import annotations

import time


def settle() -> float:
    """Seconds spent in ``VACUUM (ANALYZE)``; 0 on other databases."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return round(time.perf_counter() - began, 1)
