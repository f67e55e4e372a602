"""Whole-script operations on the database: read a project's script, replace it (import, restore),
with a backup of what it replaces. Each public function owns its transaction."""

from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from ..models import Project, ScriptEdit, ScriptImport, ScriptSnapshot, Segment, Speaker
from ..wording import counted
from . import changes, project_review, script_formats, script_summary
from .script_formats import Problem, Script, ScriptFileError, ScriptSegment, ScriptSpeaker


class ImportNotPending(Exception):
    """The import was already applied or cancelled (a second click, another tab)."""


class BrokenBlocks(ScriptFileError):
    """The file was refused for its broken blocks only: `staged` is the import of the rest, which
    applies only when the person chooses to skip them (apply_import(…, skip_broken=True))."""

    def __init__(self, problems, staged):
        super().__init__(problems, skippable=True)
        self.staged = staged


def script_from_project(project):
    """The project's script as a `Script`: speakers, then segments in time order (two queries)."""
    speakers = [
        ScriptSpeaker(
            speaker_id=speaker_id,
            name=name,
            style=style,
            voice_key=voice_key,
            modelslab_voice_id=modelslab_voice_id,
        )
        for speaker_id, name, style, voice_key, modelslab_voice_id in Speaker.objects.filter(
            project=project
        ).values_list("speaker_id", "name", "style", "voice_key", "modelslab_voice_id")
    ]
    segments = [
        ScriptSegment(
            start_ms=start_ms,
            end_ms=end_ms,
            source_text=source_text,
            target_text=target_text,
            speaker_id=speaker_id,
            review_status=review_status,
        )
        for start_ms, end_ms, source_text, target_text, speaker_id, review_status in Segment.objects.filter(
            project=project
        )
        .order_by("start_ms", "id")
        .values_list(
            "start_ms", "end_ms", "source_text", "target_text", "speaker__speaker_id", "review_status"
        )
    ]
    return Script(segments=segments, speakers=speakers, speaker_match="id")


def export_script(project, fmt, *, text_column="target", speaker_names=True):
    """The file's text. Raises ScriptFileError when the format cannot hold the script as it is."""
    return script_formats.serialize(
        script_from_project(project), fmt, text_column=text_column, speaker_names=speaker_names
    )


def stage_import(
    project, *, filename, raw, fmt=None, text_column="target", speaker_prefixes=True, by, max_bytes
):
    """Check an uploaded file and keep it, parsed, until the user confirms. Raises ScriptFileError."""
    text, notices = script_formats.decode_upload(raw, max_bytes)
    fmt = fmt or script_formats.detect_format(filename, text)
    if fmt is None:
        raise ScriptFileError(
            "This does not look like a script file. dubweb reads SubRip (.srt), WebVTT (.vtt), "
            "Dubformer JSON (.json) and CSV (.csv)."
        )
    try:
        script = script_formats.parse(text, fmt, text_column=text_column, speaker_prefixes=speaker_prefixes)
    except ScriptFileError as refused:
        if not refused.skippable:
            raise
        # Refused, and kept for the choice to skip the broken blocks: the rest is read and staged.
        try:
            script = script_formats.parse(
                text, fmt, text_column=text_column, speaker_prefixes=speaker_prefixes, skip_broken=True
            )
        except ScriptFileError:
            raise refused from None
        if not script.segments:
            raise
        staged = _stage(project, filename, fmt, text_column, script, notices, by)
        raise BrokenBlocks(refused.problems, staged) from None
    if not script.segments:
        raise ScriptFileError("The file holds no segments, so there is nothing to import.")
    return _stage(project, filename, fmt, text_column, script, notices, by)


def _stage(project, filename, fmt, text_column, script, notices, by):
    data = script.to_dict()
    if script.speakers_from_prefixes:
        # Speakers read from "Name:" prefixes are a guess: keep the file read without it too, so the
        # preview can switch the guess off.
        data |= {"speaker_prefixes": True, "without_speaker_prefixes": script.without_prefixes.to_dict()}
    if script.skipped:
        data["skipped"] = [[problem.line, problem.message] for problem in script.skipped]
    return ScriptImport.objects.create(
        project=project,
        filename=filename[:255],
        file_format=fmt,
        text_column=text_column,
        data=data,
        notices=notices + script.notices,
        segment_count=len(script.segments),
        speaker_count=len(script.speakers),
        skipped_blocks=len(script.skipped),
        created_by=by,
    )


def skipped_blocks(script_import):
    """The broken blocks the staged import leaves out, as Problems (none for a file without any)."""
    return [Problem(line, message) for line, message in script_import.data.get("skipped", [])]


def skipped_notice(skipped):
    """What an applied import records about the blocks it left out, each with its line and text."""
    listed = "; ".join(str(problem) for problem in skipped)
    return f"Skipped {counted(len(skipped), 'broken block')}, not imported: {listed}"


def speakers_were_guessed(script_import):
    """Whether some speakers of the staged import were read from "Name:" prefixes."""
    return "without_speaker_prefixes" in script_import.data


def staged_script(script_import):
    """The staged script as it will be imported: with or without speakers from "Name:" prefixes,
    as the user last chose."""
    data = script_import.data
    if speakers_were_guessed(script_import) and not data["speaker_prefixes"]:
        return Script.from_dict(data["without_speaker_prefixes"])
    return Script.from_dict(data)


def guessed_speakers(script_import):
    """[(name, number of lines)] of the speakers read with "Name:" prefixes, for the preview."""
    script = Script.from_dict(script_import.data)
    lines = Counter(segment.speaker_id for segment in script.segments)
    return [(speaker.name, lines[speaker.speaker_id]) for speaker in script.speakers]


def choose_speaker_prefixes(script_import, use):
    """Import the staged file with or without the speakers read from "Name:" prefixes."""
    with transaction.atomic():
        script_import = ScriptImport.objects.select_for_update().get(pk=script_import.pk)
        if script_import.status != ScriptImport.Status.PENDING:
            raise ImportNotPending(f"This import was already {script_import.get_status_display().lower()}.")
        if not speakers_were_guessed(script_import) or script_import.data["speaker_prefixes"] == use:
            return script_import
        script_import.data = script_import.data | {"speaker_prefixes": use}
        script_import.speaker_count = len(staged_script(script_import).speakers)
        script_import.save(update_fields=["data", "speaker_count"])
    return script_import


def apply_import(script_import, *, by, skip_broken=False):
    """Replace the project's script with the staged import; the old script is kept as a backup. A file
    with broken blocks is imported only with `skip_broken` (the person chose to leave them out); the
    import's notices then record each block skipped."""
    with transaction.atomic():
        script_import = ScriptImport.objects.select_for_update().get(pk=script_import.pk)
        if script_import.status != ScriptImport.Status.PENDING:
            raise ImportNotPending(f"This import was already {script_import.get_status_display().lower()}.")
        skipped = skipped_blocks(script_import)
        if skipped and not skip_broken:
            raise BrokenBlocks(skipped, script_import)
        if skipped:
            script_import.notices = [*script_import.notices, skipped_notice(skipped)]
        project = script_import.project
        snapshot = replace_script(
            project,
            staged_script(script_import),
            by=by,
            reason=f"Before importing {script_import.filename}",
            drop_unused_speakers=True,
            label=f"Imported {counted(script_import.segment_count, 'segment')} from {script_import.filename}"
            + (f", skipping {counted(len(skipped), 'broken block')}" if skipped else ""),
            backup_note=" (the previous script is kept as a backup)",
            after=[{"import": script_import.pk}],
        )
        script_import.status = ScriptImport.Status.APPLIED
        script_import.applied_at = timezone.now()
        script_import.snapshot = snapshot
        script_import.save(update_fields=["status", "applied_at", "snapshot", "notices"])
    return script_import


def cancel_import(script_import):
    updated = ScriptImport.objects.filter(pk=script_import.pk, status=ScriptImport.Status.PENDING).update(
        status=ScriptImport.Status.CANCELLED
    )
    if not updated:
        raise ImportNotPending("This import is no longer waiting.")


def restore_snapshot(snapshot, *, by):
    """Put a backed-up script back; the script it replaces is backed up in turn."""
    with transaction.atomic():
        project = snapshot.project
        replace_script(
            project,
            Script.from_dict(snapshot.data),
            by=by,
            reason=f"Before restoring the backup of {timezone.localtime(snapshot.created_at):%Y-%m-%d %H:%M}",
            restore_speakers=True,
            label=f"Restored the backup “{snapshot.reason}” ({counted(snapshot.segment_count, 'segment')})",
            after=[{"backup": snapshot.pk}],
        )


def replace_script(project, script, *, by, reason, restore_speakers=False, drop_unused_speakers=False,
                   label=None, after=None, backup_note=""):  # fmt: skip
    """Swap the project's segments for `script`'s in one transaction; returns the backup made of the
    old script, or None when there was nothing to keep.

    Recorded in the trail as one whole-script change named `label`: before, the backup of the old
    script ({"backup": id}); after, what the caller says the new one came from (`after`). `backup_note`
    is added to the label when there was an old script to back up.

    Speakers are matched to the project's own, by provider speaker id or by name (as the script says),
    so voices already set on a speaker survive a re-import. With `drop_unused_speakers` (an import),
    speakers left with no lines are removed (the backup keeps them); otherwise they are kept."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        snapshot = None
        if Segment.objects.filter(project=project).exists():
            current = script_from_project(project)
            snapshot = ScriptSnapshot.objects.create(
                project=project,
                reason=reason,
                data=current.to_dict(),
                segment_count=len(current.segments),
                created_by=by,
            )
        speakers_by_script_id = _upsert_speakers(project, script, restore_speakers)
        Segment.objects.filter(project=project).delete()
        _insert_segments(project, script.segments, speakers_by_script_id)
        if drop_unused_speakers:
            Speaker.objects.filter(project=project, segments__isnull=True).delete()
        script_summary.recount(project)  # the stored flags and counts of the new script
        project.touch()
        changes.record(
            project,
            by,
            ScriptEdit.Kind.SCRIPT,
            (label or f"Replaced the script with {counted(len(script.segments), 'segment')}")
            + (backup_note if snapshot else ""),
            [{"backup": snapshot.pk}] if snapshot else [],
            after or [],
        )
        project_review.script_edited(project, by=by)
    return snapshot


def _insert_segments(project, segments, speakers_by_script_id):
    """Insert a whole script's segments: COPY on PostgreSQL, one executemany elsewhere.

    A script is thousands of rows of plain values; the ORM's bulk_create spends several times longer
    preparing each value than the database takes to store it (bench/import_export_srt.py). The
    database still checks every row: timings, and the speaker belonging to the same project."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    default_status = Segment._meta.get_field("review_status").default
    columns = ", ".join(["project_id", "start_ms", "end_ms", "source_text", "target_text", "speaker_id",
                         "version", "review_status", "created_at", "updated_at"])  # fmt: skip
    rows = []
    for segment in segments:
        speaker = speakers_by_script_id.get(segment.speaker_id)
        rows.append(
            (project.pk, segment.start_ms, segment.end_ms, segment.source_text, segment.target_text,
             speaker.pk if speaker else None, 1, segment.review_status or default_status, now, now)
        )  # fmt: skip
    if not rows:  # an empty script (a backup of one, say): nothing to insert, and no empty VALUES ()
        return
    table = connection.ops.quote_name(Segment._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _upsert_speakers(project, script, restore_speakers):
    existing = list(Speaker.objects.filter(project=project))
    by_id = {speaker.speaker_id: speaker for speaker in existing}
    by_name = {speaker.name.casefold(): speaker for speaker in existing}
    next_id = max(by_id, default=0) + 1
    result = {}
    for incoming in script.speakers:
        if script.speaker_match == "name":
            speaker = by_name.get(incoming.name.casefold())
            if speaker is None:
                speaker = Speaker.objects.create(project=project, speaker_id=next_id, name=incoming.name)
                next_id += 1
                by_name[speaker.name.casefold()] = speaker
        else:
            speaker = by_id.get(incoming.speaker_id)
            if speaker is None:
                speaker = Speaker(project=project, speaker_id=incoming.speaker_id)
                speaker.name = incoming.name or f"Speaker {incoming.speaker_id}"
            changed = _merge_speaker(speaker, incoming, overwrite=restore_speakers)
            if speaker.pk is None or changed:
                speaker.save()
        result[incoming.speaker_id] = speaker
    return result


def _merge_speaker(speaker, incoming, *, overwrite):
    """Take what the file says about a speaker. A blank in the file keeps what the project has
    (a restore also blanks voices, but never a name or a style). Returns whether anything changed."""
    changed = False
    for field in ("name", "style", "voice_key", "modelslab_voice_id"):
        value = getattr(incoming, field)
        if not value and (not overwrite or field in ("name", "style")):
            continue
        if value != getattr(speaker, field):
            setattr(speaker, field, value)
            changed = True
    return changed
