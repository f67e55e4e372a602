"""The editor's segment rows, rendered by one Jinja2 template (templates/jinja2/projects/segment_row.html).

A project's script is thousands of rows (read-only markup; the page's one editor form attaches to the
current row), each with a dozen values: Django's template engine spent
~0.4 ms a row on them, Jinja2 a tenth of that, which is what lets the editor's first screen and each
save stay close to a bare view (bench/editor.py). The page, the chunks and every HTMX swap use this one
template, so a row looks the same however it arrives.
"""

from functools import lru_cache

import jinja2
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from markupsafe import Markup, escape

from .models import ReviewStatus
from .timecodes import format_duration, format_timecode

TEMPLATE = "projects/segment_row.html"


def _linebreaksbr(text):
    return Markup("<br>").join(escape(line) for line in (text or "").split("\n"))


@lru_cache(maxsize=1)
def _environment():
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(settings.BASE_DIR / "templates" / "jinja2"),
        autoescape=True,
        auto_reload=settings.DEBUG,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=False,
    )
    environment.filters.update(timecode=format_timecode, duration=format_duration, linebreaksbr=_linebreaksbr)
    return environment


def render_fragment(template_name, context):
    """Another fragment on the editor's hot path (the presence poll's answer), from templates/jinja2/."""
    return _environment().get_template(template_name).render(context)


EDITOR_URL_NAMES = [
    "edit", "editor", "quality-summary", "redo", "undo", "replace-apply", "replace-preview", "segment-insert",
    "segment-merge", "segment-split", "segment-save", "segment-row", "segment-rows", "segments-delete",
    "segments-shift", "segments-speaker", "speakers-panel", "next-problem", "presence",
]  # fmt: skip


@lru_cache(maxsize=1024)
def editor_urls(project_pk):
    """The editor's URLs for a project, reversed once (per-segment ones with 0 for the segment id, which
    the page's script and the row template fill in). The URLconf does not change while running."""
    urls = {}
    for name in EDITOR_URL_NAMES:
        args = (
            [project_pk, 0]
            if name in ("segment-merge", "segment-split", "segment-save", "segment-row")
            else [project_pk]
        )
        urls[name.replace("-", "_")] = reverse(f"projects:{name}", args=args)
    return urls


class RowRenderer:
    """Renders rows of one project for one request: what is the same for every row is worked out once."""

    def __init__(self, project, speakers):
        self.template = _environment().get_template(TEMPLATE)
        self.reviewer_names = {}
        self.common = {
            "can_edit": project.can_edit,
            "can_select": getattr(project, "can_select", project.can_edit),
            "source_language": project.source_language,
            "target_language": project.target_language,
            "speakers": speakers,
            "speaker_names": {speaker.pk: speaker.name for speaker in speakers},
            "review_labels": dict(ReviewStatus.choices),
            # Filled per render for the rows with changes requested (who asked): see _learn_reviewers.
            "reviewer_names": self.reviewer_names,
            "urls": editor_urls(project.pk),
        }

        # The template's macros, bound to what every row shares.
        self.macros = self.template.make_module(self.common)

    def row(self, segment, flags=(), **extra):
        self._learn_reviewers([segment])
        return mark_safe(self.macros.row(segment, flags, **extra))  # noqa: S308 (Jinja2 escaped every value)

    def rows(self, rows):
        """A batch of rows (the first screen, a batch loaded while scrolling, a filter's page) in one chunk
        container that the browser skips while it is off screen; no markup when there are no rows."""
        self._learn_reviewers([segment for segment, _ in rows])
        return mark_safe(self.macros.rows(rows))  # noqa: S308 (Jinja2 escaped every value)

    def each(self, rows):
        """Rows one after another, without the chunk container: each finds its own place (the presence
        poll's rows, taken one by one by the page)."""
        self._learn_reviewers([segment for segment, _ in rows])
        return mark_safe("".join(self.macros.row(segment, flags) for segment, flags in rows))  # noqa: S308

    def _learn_reviewers(self, segments):
        """The names of who asked for changes on these rows: one query for the lot, and none when no row
        has changes requested (reviewed_by_id is read only on those rows)."""
        wanted = {
            segment.reviewed_by_id
            for segment in segments
            if segment.review_status == ReviewStatus.CHANGES_REQUESTED and segment.reviewed_by_id
        } - self.reviewer_names.keys()
        if wanted:
            from django.contrib.auth import get_user_model

            for user in (
                get_user_model().objects.filter(pk__in=wanted).only("username", "first_name", "last_name")
            ):
                self.reviewer_names[user.pk] = user.get_full_name() or user.username
