"""Requests the live server is still answering: a browser test's database is flushed only once the
pages it opened have stopped talking to the server (the editor polls for presence every few seconds,
and SQLite cannot flush a table a request is reading)."""

import threading
import time

_lock = threading.Lock()
_count = 0


class InFlightMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        global _count
        with _lock:
            _count += 1
        try:
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
