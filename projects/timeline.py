"""What the editor's timeline reads: every segment's timing in one compact answer.

The timeline draws the whole script (a feature film has 3,000 segments) while the list loads its rows
a chunk at a time, so it cannot read the rows from the page. One query for the segments (the text cut
short in the database) and one for the speakers, whatever the length: the answer is arrays, not objects,
to keep a 3,000-segment script small (~250 KB before compression).
"""

from django.db.models.functions import Substr

from . import quality
from .models import Segment
from .selectors import speakers_of

TEXT_EXCERPT_CHARS = 80  # enough for a region's label; the list shows the whole text
SPEAKER_COLOURS = 8  # static/css/app.css has --speaker-0 … --speaker-7

SEGMENT_FIELDS = ["id", "start_ms", "end_ms", "speaker_id", "version", "flags", "text"]


def timeline_data(project):
    """The project's speakers (each with a lane and a colour) and segments in time order, as plain data."""
    speakers = speakers_of(project)
    segments = (
        Segment.objects.filter(project=project)
        .order_by("start_ms", "id")
        .annotate(text=Substr("target_text", 1, TEXT_EXCERPT_CHARS))
        .values_list(*SEGMENT_FIELDS)
    )
    return {
        "duration_ms": project.video_duration_ms,
        "speakers": [
            {
                "id": speaker.pk,
                "name": speaker.name,
                "lane": lane,
                "colour": speaker.speaker_id % SPEAKER_COLOURS,
            }
            for lane, speaker in enumerate(speakers)
        ],
        "flag_bits": {
            kind: {"bit": bit, "label": quality.FLAG_KINDS[kind]} for kind, bit in quality.FLAG_BITS.items()
        },
        "fields": SEGMENT_FIELDS,
        "segments": [list(values) for values in segments],
    }
