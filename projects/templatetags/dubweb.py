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
def modelslab_dubs_into(code):
    return languages.modelslab_dubs_into(code)


@register.filter
def modelslab_languages(_):
    return ", ".join(languages.modelslab_output_names())


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def copy_stuck(submission):
    """The job's output copy is still pending long after it ended: its task died."""
    from ..services.outputs import copy_stuck as stuck

    return stuck(submission)


@register.filter
def can_follow_again(submission):
    """The job failed after the provider took it: "Check again" may still find its result."""
    from ..services.submissions import can_follow_again as can

    return can(submission)


@register.filter
def followed_again(submission):
    from ..services.submissions import followed_again as again

    return again(submission)


@register.filter
def pretty_json(value):
    """A stored answer, indented, for the job's details."""
    import json

    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
