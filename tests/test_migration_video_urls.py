"""Migration 0010_c percent-encodes the video URLs stored before the form did, as the form would, and
leaves alone those it cannot normalise."""

import pytest

from projects import video_urls

from .migrating import migrate_to, models_before, old_project

BEFORE = [("projects", "0009_c_speaker_line_count")]
AFTER = [("projects", "0010_c_normalise_video_urls")]

STORED = {
    "spaces and brackets": "https://cdn.example.com/Keynote final [FR].mp4",
    "accents and an IDN host": "https://vidéos.example.com/Présentation été.mp4?v=1 2",
    "already encoded": "https://cdn.example.com/Keynote%20final.mp4",
    "a path on this site": "/static/demo/keynote.mp4",
    "empty": "",
    "a host that cannot be written in ASCII": "https://" + "é" * 64 + ".com/a b.mp4",
    "an unclosed IPv6 bracket": "http://[::1/a b.mp4",
    "too long once encoded": "https://cdn.example.com/" + "é" * 300,
}


@pytest.mark.django_db(transaction=True)
def test_stored_video_urls_are_normalised_as_the_form_does():
    with models_before(BEFORE) as old:
        Project = old.get_model("projects", "Project")
        team = old_project(old).team
        ids = {
            what: Project.objects.create(
                team=team, title=what, source_language="en-US", target_language="fr-FR", source_video_url=url
            ).pk
            for what, url in STORED.items()
        }

        new = migrate_to(AFTER)
        now = dict(new.get_model("projects", "Project").objects.values_list("pk", "source_video_url"))
        assert now[ids["spaces and brackets"]] == "https://cdn.example.com/Keynote%20final%20%5BFR%5D.mp4"
        assert now[ids["accents and an IDN host"]] == video_urls.normalise(STORED["accents and an IDN host"])
        assert now[ids["accents and an IDN host"]].startswith(
            "https://xn--vidos-dsa.example.com/Pr%C3%A9sentation"
        )
        assert not video_urls.problem(now[ids["accents and an IDN host"]])
        for unchanged in ("already encoded", "a path on this site", "empty", "too long once encoded"):
            assert now[ids[unchanged]] == STORED[unchanged], unchanged
        for unreadable in ("a host that cannot be written in ASCII", "an unclosed IPv6 bracket"):
            with pytest.raises(video_urls.BadURL):
                video_urls.normalise(STORED[unreadable])
            assert now[ids[unreadable]] == STORED[unreadable], unreadable
