"""Django's PostgreSQL backend, checking a kept connection without a round trip.

With persistent connections and CONN_HEALTH_CHECKS, Django checks the connection at the first
query of every request by sending `SELECT 1`: one round trip and one more statement for the
server on every page. A server that restarted, or that ended the session, has already written
its goodbye (a FATAL message, then end of file) to the socket of an idle connection, so the
socket reads as ready while no query is waiting: that is checked with a poll that returns at
once. Inside a transaction, or when in doubt, Django's own check runs.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        idle = connection.info.transaction_status == pq.TransactionStatus.IDLE
        if not idle or not hasattr(select, "poll"):  # in a transaction, or no poll (Windows)
            return bool(super().is_usable())
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
            # Nothing may arrive on an idle connection; whatever did ends it (at worst, one
            # new connection for a message that was harmless).
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
