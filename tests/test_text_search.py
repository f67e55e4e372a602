"""Find-as-you-type finds the same segments on SQLite (FTS5 trigram index) and PostgreSQL (icontains with
trigram indexes): any case, any script, `%` and `_` taken literally, and always the text as it is now,
after every kind of edit."""

import pytest
from django.db import connection
from django.urls import reverse

from projects import quality, selectors, text_search
from projects.models import Segment
from projects.services import editing, scripts

from .factories import SegmentFactory

HX = {"HX-Request": "true"}


def found(project, q):
    """The translations of the rows the editor's find shows for `q`, in script order."""
    project.thresholds = quality.thresholds_for(project.target_language)  # as the editor's views set them
    return [segment.target_text for segment, _flags in selectors.editor_rows(project, {"q": q})["rows"]]


@pytest.fixture(params=["index", "scan"])
def both_ways(request, monkeypatch):
    """Each search test runs with the index lookup and with the scan that replaces it for words found
    in very many segments (and for short words): the two must agree."""
    if request.param == "scan":
        monkeypatch.setattr(text_search, "INDEX_LOOKUP_LIMIT", 0)
    return request.param


def line(project, start_s, target, source=""):
    return SegmentFactory(
        project=project,
        start_ms=start_s * 1000,
        end_ms=start_s * 1000 + 900,
        target_text=target,
        source_text=source,
    )


def test_find_shows_the_matching_rows_in_the_editor(client, editor, project):
    line(project, 1, "Bonjour à tous.", "Hello everyone.")
    line(project, 2, "Au revoir.", "Goodbye.")
    client.force_login(editor)
    url = reverse("projects:segment-rows", args=[project.pk])
    body = client.get(url, {"q": "EVERYONE"}, headers=HX).content.decode()
    assert "Bonjour à tous." in body and "Au revoir." not in body
    assert "Au revoir." in client.get(url, {"q": "revoir"}, headers=HX).content.decode()


def test_case_is_ignored_in_accented_and_non_latin_text(project, both_ways):
    line(project, 1, "ÉTÉ INDIEN À PARIS")
    line(project, 2, "Привет, МИР!")
    line(project, 3, "Καλημέρα ΚΌΣΜΕ")
    line(project, 4, "こんにちは世界")
    line(project, 5, "Straße und Fluss")
    assert found(project, "été indien") == ["ÉTÉ INDIEN À PARIS"]
    assert found(project, "à paris") == ["ÉTÉ INDIEN À PARIS"]
    assert found(project, "мир") == ["Привет, МИР!"]
    assert found(project, "ПРИВЕТ") == ["Привет, МИР!"]
    assert found(project, "κόσμε") == ["Καλημέρα ΚΌΣΜΕ"]
    assert found(project, "にちは") == ["こんにちは世界"]
    assert found(project, "世界") == ["こんにちは世界"]  # two characters: below what trigrams can find
    assert found(project, "é") == ["ÉTÉ INDIEN À PARIS"]
    assert found(project, "STRASSE") == []  # a substring search, not a spelling-aware one
    assert found(project, "straße") == ["Straße und Fluss"]
    # Accents are not ignored: "ete" is another word.
    assert found(project, "ete") == []


def test_like_wildcards_and_quotes_are_taken_literally(project, both_ways):
    line(project, 1, "Remise de 50% aujourd'hui")
    line(project, 2, "Remise de 500 euros")
    line(project, 3, "fichier_final.mov")
    line(project, 4, "fichier-final.mov")
    line(project, 5, 'Il a dit "non" deux fois')
    line(project, 6, "C:\\chemin\\vers")
    assert found(project, "50%") == ["Remise de 50% aujourd'hui"]
    assert found(project, "%") == ["Remise de 50% aujourd'hui"]
    assert found(project, "r_final") == ["fichier_final.mov"]
    assert found(project, "_") == ["fichier_final.mov"]
    assert found(project, '"non"') == ['Il a dit "non" deux fois']
    assert found(project, 'dit "') == ['Il a dit "non" deux fois']
    assert found(project, "\\chemin\\") == ["C:\\chemin\\vers"]
    assert found(project, "NEAR(a b)") == []  # FTS5 query syntax is text like any other
    assert found(project, "fichier*") == []


def test_source_text_is_searched_too_and_other_projects_are_not(project, both_ways):
    from .factories import ProjectFactory

    other = ProjectFactory(team=project.team, title="Other film")
    line(project, 1, "Une réplique.", "The rare albatross lands.")
    line(other, 1, "Un albatros.", "Another albatross.")
    assert found(project, "ALBATROSS") == ["Une réplique."]


def test_a_query_with_a_nul_byte_finds_nothing_and_does_not_fail(client, editor, project):
    line(project, 1, "Bonjour.")
    client.force_login(editor)
    url = reverse("projects:segment-rows", args=[project.pk])
    response = client.get(url, {"q": "Bon\x00jour"}, headers=HX)
    assert response.status_code == 200 and "Bonjour." not in response.content.decode()


def test_search_follows_every_kind_of_edit(project, editor, both_ways):
    first = line(project, 1, "Le premier chapitre commence.")
    line(project, 10, "Le dernier chapitre finit.")

    # Insert a segment after the first, then type its text.
    inserted = editing.insert_after(project, first.pk, by=editor).changed[0]
    editing.save_segment(project, inserted.pk, {"target_text": "Un zèbre arrive."}, version=1, by=editor)
    assert found(project, "ZÈBRE") == ["Un zèbre arrive."]

    # Retype it: the old words are no longer found, the new ones are.
    editing.save_segment(project, inserted.pk, {"target_text": "Une girafe arrive."}, version=2, by=editor)
    assert found(project, "zèbre") == []
    assert found(project, "girafe") == ["Une girafe arrive."]

    # A timing-only change keeps the text findable.
    editing.save_segment(project, inserted.pk, {"end_ms": 2500}, version=3, by=editor)
    assert found(project, "girafe") == ["Une girafe arrive."]

    # Split it at the word break: each half is found by its own words.
    segment = Segment.objects.get(pk=inserted.pk)
    editing.split_segment(project, segment.pk, version=segment.version, text_cursor=4, by=editor)
    assert found(project, "girafe") == ["girafe arrive."]
    assert found(project, "Une ") == ["Une"]

    # Merge the halves again, then merge into the next line.
    editing.merge_with_next(
        project, segment.pk, version=Segment.objects.get(pk=segment.pk).version, by=editor
    )
    assert found(project, "une girafe arrive") == ["Une girafe arrive."]
    editing.merge_with_next(project, first.pk, version=Segment.objects.get(pk=first.pk).version, by=editor)
    assert found(project, "girafe") == ["Le premier chapitre commence. Une girafe arrive."]

    # Undo the merge: the two lines are back, each found on its own.
    editing.undo(project, by=editor)
    assert found(project, "girafe") == ["Une girafe arrive."]
    assert found(project, "premier") == ["Le premier chapitre commence."]

    # Delete it: gone from the search; undo brings it back.
    editing.delete_segments(project, [segment.pk], by=editor)
    assert found(project, "girafe") == []
    editing.undo(project, by=editor)
    assert found(project, "girafe") == ["Une girafe arrive."]

    # Find and replace.
    pattern = editing.FindPattern("girafe")
    editing.replace_text(project, pattern, "licorne", by=editor)
    assert found(project, "girafe") == []
    assert found(project, "LICORNE") == ["Une licorne arrive."]

    # An import replaces the whole script: only the new text is found.
    script_import = scripts.stage_import(
        project,
        filename="new.srt",
        raw=b"1\n00:00:01,000 --> 00:00:02,000\nUn tout nouveau chapitre.\n",
        by=editor,
        max_bytes=1_000_000,
    )
    scripts.apply_import(script_import, by=editor)
    assert found(project, "chapitre") == ["Un tout nouveau chapitre."]
    assert found(project, "licorne") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_the_index_is_rebuilt_when_a_later_migration_remade_the_segment_table(project):
    """Altering projects_segment on SQLite copies it into a new table, which drops its triggers: after
    migrate they are back, with an index of what was written meanwhile."""
    from django.core.management.sql import emit_post_migrate_signal

    segment = line(project, 1, "Avant la migration.")
    with connection.cursor() as cursor:
        for name in text_search._TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    Segment.objects.filter(pk=segment.pk).update(target_text="Écrit sans déclencheurs.")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert found(project, "déclencheurs") == ["Écrit sans déclencheurs."]
    assert found(project, "migration") == []
    segment.target_text = "Et après."
    segment.save()
    assert found(project, "après") == ["Et après."]


@pytest.mark.django_db(transaction=True)
def test_the_search_index_migration_goes_back_and_forth_with_the_text_there_is(project):
    from django.db.migrations.executor import MigrationExecutor

    line(project, 1, "Une réplique d'avant l'index.")
    # Only the index's migration and what was made after it go back: other branches' columns stay.
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    unapply = graph.backwards_plan(("projects", "0009_b_segment_search"))
    executor.migrate(None, plan=[(graph.nodes[key], True) for key in unapply])
    try:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        assert text_search.TABLE not in tables
        assert found(project, "AVANT L'INDEX") == ["Une réplique d'avant l'index."]  # read from the script
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    line(project, 2, "Une réplique d'après.")
    assert found(project, "réplique d") == ["Une réplique d'avant l'index.", "Une réplique d'après."]
    if connection.vendor == "sqlite":
        assert text_search._looked_up("avant l'index") == [project.segments.get(start_ms=1000).pk]
