"""Hooks other apps may connect to, so that projects never imports them (see [tool.importlinter])."""

from django.dispatch import Signal

# Sent by the periodic check before the due jobs are looked at: the sandbox delivers its webhooks then.
checks_due = Signal()
