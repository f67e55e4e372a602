from django import template

from .. import languages
from ..timecodes import format_duration, format_timecode

register = template.Library()


@register.filter
def timecode(ms):
    return format_timecode(ms)


@register.filter
def duration(ms):
    return format_duration(ms)


@register.filter
def language_name(code):
    return languages.name(code)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def copy_stuck(submission):
    """The job's output copy is still pending long after it ended: its task died."""
    from ..services.outputs import copy_stuck as stuck

    return stuck(submission)
