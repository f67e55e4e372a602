"""Health: is this process up (liveness), and can it do its work (readiness: the database, the job broker,
and a background worker seen recently). docs/deploy.md, "Health checks"; the views are views/health.py.

A worker is "seen" when it starts a task: `record_heartbeat` runs on django-q2's `pre_execute` signal in
the worker and writes WorkerHeartbeat (at most every BEAT_EVERY_S per process). The periodic check of
provider jobs (ensure_schedules) starts a task every minute, so an idle but running worker is seen too.
This works the same with the database broker and with Redis (django-q2's own cluster statistics live in
the cache, which is per process unless a shared one is configured).
"""

import logging
import socket
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Max
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger("dubweb.health")

BEAT_EVERY_S = 15
FORGET_AFTER = 7 * 24 * 3600  # rows of hosts gone for a week are deleted
_last_beat = 0.0  # time.monotonic() of this process's last recorded heartbeat


def worker_name():
    return f"{socket.gethostname()}/{settings.Q_CLUSTER.get('name', 'dubweb')}"[:200]


def record_heartbeat(sender=None, task=None, force=False, **kwargs):
    """The worker is alive: note when (never failing the task it is about to run). A task run in the web
    process (Q_SYNC) is no sign of a worker."""
    global _last_beat
    if task is not None and task.get("sync"):
        return
    now = time.monotonic()
    if not force and _last_beat and now - _last_beat < BEAT_EVERY_S:
        return
    try:
        with transaction.atomic():
            seen_at = timezone.now()
            WorkerHeartbeat.objects.update_or_create(worker=worker_name(), defaults={"seen_at": seen_at})
            WorkerHeartbeat.objects.filter(
                seen_at__lt=seen_at - timezone.timedelta(seconds=FORGET_AFTER)
            ).delete()
        _last_beat = now
    except DatabaseError:
        logger.warning("The worker's heartbeat could not be recorded", exc_info=True)


def forget_heartbeats():
    """As if no worker had ever run (tests)."""
    global _last_beat
    _last_beat = 0.0
    WorkerHeartbeat.objects.all().delete()


@dataclass
class Check:
    name: str
    ok: bool
    detail: str  # short and public: no host names, no exception text


def check_database():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("Readiness: the database cannot be reached", exc_info=True)
        return Check("database", False, "unreachable")
    return Check("database", True, "ok")


def check_broker():
    """Redis when REDIS_URL is set (a ping, with short timeouts), else the database's job table."""
    redis_url = settings.Q_CLUSTER.get("redis")
    try:
        if redis_url:
            import redis

            client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
        else:
            from django_q.models import OrmQ

            OrmQ.objects.using(settings.Q_CLUSTER.get("orm", "default")).exists()
    except Exception:
        logger.warning("Readiness: the job broker cannot be reached", exc_info=True)
        return Check("broker", False, "unreachable")
    return Check("broker", True, "ok")


def check_worker():
    """A worker started a task within HEALTH_WORKER_MAX_AGE_S (0: not checked; Q_SYNC: jobs run in the
    web process, there is no worker to wait for)."""
    max_age = settings.HEALTH_WORKER_MAX_AGE_S
    if max_age <= 0 or settings.Q_CLUSTER.get("sync"):
        return Check("worker", True, "not checked")
    try:
        seen_at = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    except Exception:
        logger.warning("Readiness: the workers' heartbeats cannot be read", exc_info=True)
        return Check("worker", False, "unknown")
    if seen_at is None:
        return Check("worker", False, "never seen")
    age = max(0, round((timezone.now() - seen_at).total_seconds()))
    if age > max_age:
        return Check("worker", False, f"last seen {age} s ago")
    return Check("worker", True, f"seen {age} s ago")


def readiness():
    """(ready, checks). The worker check needs the database, so it is skipped when that is down."""
    database = check_database()
    checks = [database, check_broker()]
    checks.append(check_worker() if database.ok else Check("worker", False, "unknown (no database)"))
    return all(check.ok for check in checks), checks
