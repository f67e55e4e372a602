from django import template

from .. import comment_text

register = template.Library()


@register.filter
def comment_html(comment):
    """The comment's text as safe HTML, its stored mentions marked (mentions prefetched by the reader)."""
    return comment_text.to_html(comment.body, [user.username for user in comment.mentioned.all()])


@register.filter
def clock(ms):
    """A time on a video as people say it: `0:12`, `3:05.5`, `1:02:03`."""
    if ms is None:
        return ""
    total_s, millis = divmod(int(ms), 1000)
    hours, rest = divmod(total_s, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{text}.{millis // 100}" if millis >= 100 else text
