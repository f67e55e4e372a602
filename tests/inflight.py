"""Requests the live server is still answering: a browser test's database is flushed only once the
pages it opened have stopped talking to the server (the editor polls for presence every few seconds,
and SQLite cannot flush a table a request is reading).

With SQLite in memory, the live server's threads also share the test's one database connection, and with
it one transaction: two requests answered at once (a save and the page's presence poll) can begin a
transaction inside the other's ("cannot start a transaction within a transaction"), or commit it. There
the live server answers one request at a time, as a file database would serialise their writes. The
providers' sandbox is left out: dubweb's own requests call it over HTTP while they are being answered."""

import contextlib
import threading
import time

from django.db import connection

_lock = threading.Lock()
_count = 0
_one_at_a_time = threading.Lock()


def _shares_one_connection():
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


class InFlightMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        global _count
        with _lock:
            _count += 1
        serial = _shares_one_connection() and not request.path.startswith("/sandbox/")
        try:
            with _one_at_a_time if serial else contextlib.nullcontext():
                return self.get_response(request)
        finally:
            with _lock:
                _count -= 1


def wait_until_idle(timeout=10.0):
    """Wait until no request is being answered (True), or give up after `timeout` seconds (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            if _count == 0:
                return True
        time.sleep(0.02)
    return False
