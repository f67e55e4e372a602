"""Video URLs stored before they were normalised on save (percent-encoded, IDNA hosts: projects/video_urls.py)
are normalised here with the same function as the project form, so that providers get them as their
contracts want. One that cannot be normalised (or that would no longer fit the column) stays as it is:
the project form says why when it is next edited, and a request carrying it is refused."""

from django.db import migrations

from projects import video_urls


def normalise_stored_urls(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    max_length = Project._meta.get_field("source_video_url").max_length
    stored = Project.objects.exclude(source_video_url="").values_list("pk", "source_video_url")
    for pk, url in stored.iterator():
        try:
            normalised = video_urls.normalise(url)
        except video_urls.BadURL:
            continue
        if normalised != url and len(normalised) <= max_length:
            # An UPDATE, not save(): the project's history and last-change time are not the user's doing.
            Project.objects.filter(pk=pk).update(source_video_url=normalised)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_c_speaker_line_count"),
    ]

    operations = [
        migrations.RunPython(normalise_stored_urls, migrations.RunPython.noop),
    ]
