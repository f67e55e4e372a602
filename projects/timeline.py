"""What the editor's timeline reads: every segment's timing in one compact answer.

The timeline draws the whole script (a feature film has 3,000 segments) while the list loads its rows
a chunk at a time, so it cannot read the rows from the page. One query for the segments, one for the
speakers and one for the finished dubs to listen to, whatever the length: the answer is arrays, not
objects, to keep a 3,000-segment script small (~250 KB before compression).
"""

from django.urls import reverse
from django.utils import timezone

from . import quality
from .models import Segment, Submission
from .selectors import speakers_of
from .services import script_summary

TEXT_EXCERPT_CHARS = 80  # enough for a region's label; the list shows the whole text
SPEAKER_COLOURS = 8  # static/css/app.css has --speaker-0 … --speaker-7
DUBS_LISTED = 10  # the newest finished dubs offered for listening

# `fit`: how much faster than natural the voice must speak the line (1.4 = "needs 1.4× to fit"), for the
# lines flagged as too long to speak; 0 for the others.
SEGMENT_FIELDS = ["id", "start_ms", "end_ms", "speaker_id", "version", "flags", "text", "fit"]
_FIT_BIT = quality.FLAG_BITS["fit"]


def timeline_data(project):
    """The project's speakers (each with a lane and a colour), segments in time order, as plain data, and
    the finished dubs whose kept copy can be heard under the source."""
    speakers = speakers_of(project)
    thresholds = script_summary.thresholds_of(project)
    segments = []
    rows = (
        Segment.objects.filter(project=project)
        .order_by("start_ms", "id")
        .values_list("id", "start_ms", "end_ms", "speaker_id", "version", "flags", "target_text")
    )
    for pk, start, end, speaker, version, flags, text in rows:
        fit = quality.speedup_needed(text, end - start, thresholds) if flags & _FIT_BIT else 0
        segments.append([pk, start, end, speaker, version, flags, text[:TEXT_EXCERPT_CHARS], fit])
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
        "segments": segments,
        "dubs": finished_dubs(project),
    }


def finished_dubs(project):
    """The newest finished jobs with a kept copy of their output: what the timeline can play under the
    source. The voice track alone when there is one (the dub without the film's sound), else the video."""
    jobs = (
        Submission.objects.filter(
            project=project, status=Submission.Status.SUCCEEDED, output_copy=Submission.OutputCopy.KEPT
        )
        .exclude(output_video_file="", output_audio_file="")
        .only("pk", "kind", "finished_at", "created_at", "output_video_file", "output_audio_file")
        .order_by("-created_at", "-id")[:DUBS_LISTED]
    )
    dubs = []
    for job in jobs:
        which = "audio" if job.output_audio_file else "video"
        when = timezone.localtime(job.finished_at or job.created_at)
        args = [project.pk, job.pk, which]
        dubs.append(
            {
                "id": job.pk,
                "label": f"{job.get_kind_display()} #{job.pk}, {when:%d %b %H:%M}"
                + (" (voice track)" if which == "audio" else " (dubbed video)"),
                "src": reverse("projects:submission-output", args=args),
                "peaks": reverse("projects:output-waveform-peaks", args=args),
            }
        )
    return dubs
