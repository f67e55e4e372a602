"""Import, export and backups of a project's script."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import Truncator, slugify
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..forms import ScriptExportForm, ScriptImportForm
from ..models import ScriptImport, ScriptSnapshot
from ..services import script_formats, scripts
from ..services.script_formats import Script, ScriptFileError
from ..wording import counted


@login_required
@require_http_methods(["GET", "POST"])
def script_import(request, pk):
    project = access.get_project_for(request.user, pk, "import_script")
    form = ScriptImportForm(request.POST or None, request.FILES or None)
    problems = []
    skippable = None  # the import of the rest, when only broken blocks refused the file
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            script_formats.check_size(upload.size, settings.SCRIPT_UPLOAD_MAX_BYTES)
            raw = upload.read()
            staged = scripts.stage_import(
                project,
                filename=upload.name,
                raw=raw,
                fmt=form.cleaned_data["file_format"] or None,
                text_column=form.cleaned_data["text_column"],
                speaker_prefixes=form.cleaned_data["speaker_prefixes"],
                by=request.user,
                max_bytes=settings.SCRIPT_UPLOAD_MAX_BYTES,
            )
        except scripts.BrokenBlocks as error:
            problems, skippable = error.problems, error.staged
        except ScriptFileError as error:
            problems = error.problems
        else:
            # Straight in when nothing is replaced, unless speakers were guessed from "Name:"
            # prefixes: the user sees the guess first, and may switch it off.
            if not project.segments.exists() and not scripts.speakers_were_guessed(staged):
                scripts.apply_import(staged, by=request.user)
                _report_import(request, staged)
                return redirect(project)
            return redirect("projects:import-confirm", pk=project.pk, import_pk=staged.pk)
    status = 422 if problems or form.errors else 200
    return render(
        request,
        "projects/script_import.html",
        {
            "project": project,
            "form": form,
            "problems": problems,
            "skippable": skippable,
            "skipped_count": len(scripts.skipped_blocks(skippable)) if skippable else 0,
        },
        status=status,
    )


def _report_import(request, staged):
    messages.success(
        request,
        f"Imported {counted(staged.segment_count, 'segment')} and {counted(staged.speaker_count, 'speaker')} "
        f"from {staged.filename}.",
    )
    for notice in staged.notices:  # all kept with the import; a list of skipped blocks may be long
        messages.warning(request, Truncator(notice).chars(600))


@login_required
@require_http_methods(["GET", "POST"])
def script_import_confirm(request, pk, import_pk):
    project = access.get_project_for(request.user, pk, "import_script")
    staged = get_object_or_404(ScriptImport, pk=import_pk, project=project)
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                scripts.cancel_import(staged)
                messages.info(request, "Import cancelled; the script is unchanged.")
            else:
                # The checkbox is read only when the form showed it (an unticked box sends nothing).
                if "speaker_prefixes_shown" in request.POST:
                    staged = scripts.choose_speaker_prefixes(staged, "speaker_prefixes" in request.POST)
                if "preview" in request.POST:
                    return redirect("projects:import-confirm", pk=project.pk, import_pk=staged.pk)
                staged = scripts.apply_import(
                    staged, by=request.user, skip_broken=request.POST.get("skip_broken") == "1"
                )
                _report_import(request, staged)
        except scripts.ImportNotPending as error:
            messages.warning(request, str(error))
        except scripts.BrokenBlocks:
            messages.error(request, "The file has broken blocks: import it only by choosing to skip them.")
            return redirect("projects:import-confirm", pk=project.pk, import_pk=staged.pk)
        return redirect(project)
    preview = scripts.staged_script(staged)
    guessed = scripts.speakers_were_guessed(staged)
    context = {
        "project": project,
        "staged": staged,
        "current_count": project.segments.count(),
        "preview_segments": preview.segments[:10],
        "speaker_names": {speaker.speaker_id: speaker.name for speaker in preview.speakers},
        "guessed_speakers": scripts.guessed_speakers(staged) if guessed else [],
        "speaker_prefixes": guessed and staged.data["speaker_prefixes"],
        "skipped": scripts.skipped_blocks(staged),
    }
    return render(request, "projects/script_import_confirm.html", context)


@login_required
def script_export(request, pk):
    project = access.get_project_for(request.user, pk, "export_script")
    form = ScriptExportForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "projects/script_export_error.html",
            {"project": project, "form": form, "problems": []},
            status=400,
        )
    fmt = form.cleaned_data["file_format"]
    try:
        content = scripts.export_script(
            project,
            fmt,
            text_column=form.cleaned_data["text_column"],
            speaker_names=form.cleaned_data["speaker_names"],
        )
    except ScriptFileError as error:
        return render(
            request,
            "projects/script_export_error.html",
            {"project": project, "form": form, "problems": error.problems},
            status=409,
        )
    filename = (
        f"{slugify(project.title) or 'script'}.{project.target_language}{script_formats.EXTENSIONS[fmt]}"
    )
    response = HttpResponse(content, content_type=script_formats.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def snapshot_download(request, pk, snapshot_pk):
    project = access.get_project_for(request.user, pk, "export_script")
    snapshot = get_object_or_404(ScriptSnapshot, pk=snapshot_pk, project=project)
    content = script_formats.to_csv(Script.from_dict(snapshot.data))
    response = HttpResponse(content, content_type=script_formats.CONTENT_TYPES["csv"])
    stamp = snapshot.created_at.strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{slugify(project.title)}-backup-{stamp}.csv"'
    return response


@login_required
@require_POST
def snapshot_restore(request, pk, snapshot_pk):
    project = access.get_project_for(request.user, pk, "restore_backup")
    snapshot = get_object_or_404(ScriptSnapshot, pk=snapshot_pk, project=project)
    scripts.restore_snapshot(snapshot, by=request.user)
    messages.success(
        request,
        f"Restored the script from the backup “{snapshot.reason}”. The script it replaced is backed up too.",
    )
    return redirect(project)


@login_required
def snapshot_list(request, pk):
    project = access.get_project_for(request.user, pk, "view")
    return render(
        request,
        "projects/snapshot_list.html",
        {
            "project": project,
            "snapshots": ScriptSnapshot.objects.filter(project=project)
            .select_related("created_by")
            .defer("data"),
            "can_restore": access.allows(project, "restore_backup"),
        },
    )
