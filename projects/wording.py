"""Words for the messages people read."""

from django.utils.translation import ngettext


def counted(count, singular, plural=None):
    """`1 segment`, `2 segments`: a count with its noun in the right number."""
    return ngettext("%(count)d " + singular, "%(count)d " + (plural or singular + "s"), count) % {
        "count": count
    }
