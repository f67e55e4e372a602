"""From dubweb's models to the providers' typed requests: pure builders, one per provider action.

The clients validate what leaves (InvalidRequest names the segment or field); these builders add what
only dubweb knows: which speaker a segment belongs to, language codes per provider, absolute URLs.
"""

from django.utils.text import slugify

from .. import languages, video_urls
from ..models import Segment
from ..providers import dubformer, modelslab
from ..providers.http import InvalidRequest
from ..timecodes import format_timecode


def absolute_url(url, site_url):
    """Providers fetch the video themselves: a path on this site becomes a full URL, percent-encoded as
    their contracts want (a row saved before URLs were encoded on save is encoded here)."""
    if url.startswith("/") and not url.startswith("//"):
        url = site_url.rstrip("/") + url
    try:
        return video_urls.normalise(url)
    except video_urls.BadURL as error:
        raise InvalidRequest([f"The source video URL cannot be sent: {error}"]) from None


def _language(convert, code):
    try:
        return convert(code)
    except languages.UnsupportedLanguage as error:
        raise InvalidRequest([str(error)]) from None


def create_project_request(project, *, site_url, mixing_mode=None, use_soundalike_voices=None,
                           use_emotional_transfer=None):  # fmt: skip
    if not project.source_video_url:
        raise InvalidRequest(
            ["The project has no source video URL; add one before creating it on Dubformer."]
        )
    return dubformer.CreateProjectRequest(
        name=project.title,
        source_lang=_language(languages.dubformer_source, project.source_language),
        target_lang=_language(languages.dubformer_target, project.target_language),
        source_video_url=absolute_url(project.source_video_url, site_url),
        mixing_mode=mixing_mode,
        use_soundalike_voices=use_soundalike_voices,
        use_emotional_transfer=use_emotional_transfer,
    )


def retranslation_rows(project):
    """What a re-translation is built from, one row per segment in time order: (segment id, start_ms, end_ms,
    text, provider speaker id, style, voice key, speaker name). One query."""
    return list(
        Segment.objects.filter(project=project)
        .order_by("start_ms", "id")
        .values_list(
            "id", "start_ms", "end_ms", "target_text", "speaker__speaker_id", "speaker__style",
            "speaker__voice_key", "speaker__name",
        )
    )  # fmt: skip


def script_snapshot(rows):
    """The script as a re-translation sends it, with each line's segment id (Dubformer's body has none):
    [[segment id, start_ms, end_ms, text, speaker_id], …], kept on the Submission to compare the next push with."""
    return [[pk, start_ms, end_ms, text, speaker_id] for pk, start_ms, end_ms, text, speaker_id, *_ in rows]


def retranslation_request(project, *, mixing_mode=None, use_fixed_timings=None, tts_volume=None, rows=None):
    """The project's whole script as Dubformer's target_script + target_speakers (speakers that speak).
    `rows` (retranslation_rows) when the caller has read them already."""
    rows = [row[1:] for row in (retranslation_rows(project) if rows is None else rows)]
    problems = [
        f"Segment {number} ({format_timecode(start_ms)}) has no speaker."
        for number, (start_ms, _, _, speaker_id, _, _, _) in enumerate(rows, start=1)
        if speaker_id is None
    ]
    voiceless = sorted(
        {name for *_, speaker_id, _, voice_key, name in rows if speaker_id is not None and not voice_key}
    )
    problems += [
        f"{name} has no Dubformer voice: choose one in the speakers panel (soundalike keeps the original voice)."
        for name in voiceless
    ]
    if problems:
        raise InvalidRequest(problems)
    script = tuple(
        dubformer.ScriptLine(start_ms=start_ms, end_ms=end_ms, text=text, speaker_id=speaker_id)
        for start_ms, end_ms, text, speaker_id, _, _, _ in rows
    )
    speakers = {}
    for _, _, _, speaker_id, style, voice_key, _ in rows:
        speakers.setdefault(
            speaker_id, dubformer.VoiceAssignment(speaker_id=speaker_id, style=style, voice_key=voice_key)
        )
    return dubformer.RetranslationRequest(
        target_script=script,
        target_speakers=tuple(speakers.values()),
        mixing_mode=mixing_mode,
        use_fixed_timings=use_fixed_timings,
        tts_volume=tts_volume,
    )


def file_prefix(project):
    """The start of the dubbed file's name at ModelsLab: the project and its language (ModelsLab's default
    names every file `…spanish_dub…`). ASCII letters, digits and underscores, like its own default."""
    title = slugify(project.title).replace("-", "_").strip("_")[:40].strip("_") or "dub"
    return f"{title}_{project.target_language.lower().replace('-', '_')}"


def dubbing_request(project, *, site_url, voice_id=None, voice_model=None, speed=None, seed=None, webhook=None,
                    track_id=None):  # fmt: skip
    if not project.source_video_url:
        raise InvalidRequest(["The project has no source video URL; add one before creating a dub."])
    return modelslab.CreateDubbingRequest(
        file_prefix=file_prefix(project),
        init_video=absolute_url(project.source_video_url, site_url),
        source_lang=_language(languages.modelslab_source, project.source_language),
        output_lang=_language(languages.modelslab_output, project.target_language),
        voice_id=voice_id or None,
        voice_model=voice_model or None,
        speed=speed,
        seed=seed,
        webhook=webhook,
        track_id=track_id,
    )
