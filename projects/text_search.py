"""Find-as-you-type: the segments whose source or translated text contains what was typed, in any case.

PostgreSQL answers with icontains (UPPER(text) LIKE UPPER('%…%')) helped by the trigram indexes of
migration 0008. SQLite, the embedded default, keeps an FTS5 index with the trigram tokenizer
(migration 0009_b_segment_search), filled by triggers on projects_segment: a word found in a few segments
is looked up there instead of being looked for in every row of the script. Both databases fold case
beyond ASCII ("été" finds "ÉTÉ", "привет" finds "ПРИВЕТ") and take `%` and `_` literally.

Trigrams cannot find fewer than three characters, and a word found in very many segments is cheaper to
find by reading the script in order (the first page of matches comes early): both are a scan with the
same case-insensitive test, a Python function registered on each SQLite connection.
"""

from django.db import OperationalError, connection
from django.db.models import BooleanField, F, Func, Q, Value

TABLE = "projects_segment_search"  # spelled out in the SQL below

# The FTS5 table reads its text from projects_segment (external content: nothing is stored twice) and
# the triggers keep its index in step with every write, ORM or not (bulk_create, update(), raw SQL).
_TRIGGERS = {
    "projects_segment_search_insert": """
        CREATE TRIGGER IF NOT EXISTS projects_segment_search_insert AFTER INSERT ON projects_segment BEGIN
            INSERT INTO projects_segment_search(rowid, source_text, target_text)
            VALUES (new.id, new.source_text, new.target_text);
        END""",
    "projects_segment_search_delete": """
        CREATE TRIGGER IF NOT EXISTS projects_segment_search_delete AFTER DELETE ON projects_segment BEGIN
            INSERT INTO projects_segment_search(projects_segment_search, rowid, source_text, target_text)
            VALUES ('delete', old.id, old.source_text, old.target_text);
        END""",
    # Saves that change only timings, speaker or status leave the index alone.
    "projects_segment_search_update": """
        CREATE TRIGGER IF NOT EXISTS projects_segment_search_update AFTER UPDATE OF source_text, target_text ON projects_segment
        WHEN old.source_text IS NOT new.source_text OR old.target_text IS NOT new.target_text BEGIN
            INSERT INTO projects_segment_search(projects_segment_search, rowid, source_text, target_text)
            VALUES ('delete', old.id, old.source_text, old.target_text);
            INSERT INTO projects_segment_search(rowid, source_text, target_text)
            VALUES (new.id, new.source_text, new.target_text);
        END""",
}

# A word in more segments than this (in all projects) is found by the scan, which stops at the first page.
INDEX_LOOKUP_LIMIT = 1000
SHORTEST_INDEXED = 3  # characters: the trigram tokenizer matches nothing shorter


def create_sqlite_index(cursor):
    """The FTS5 table, its triggers and its index of the segments there are (idempotent)."""
    cursor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS projects_segment_search USING fts5("
        "source_text, target_text, content='projects_segment', content_rowid='id', "
        "tokenize='trigram case_sensitive 0')"
    )
    for sql in _TRIGGERS.values():
        cursor.execute(sql)
    cursor.execute("INSERT INTO projects_segment_search(projects_segment_search) VALUES ('rebuild')")


def drop_sqlite_index(cursor):
    for name in _TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute("DROP TABLE IF EXISTS projects_segment_search")


def repair_sqlite_index(using="default", **kwargs):
    """After migrate (post_migrate): a later migration that alters projects_segment makes SQLite copy
    the table into a new one, which drops its triggers; remake them and rebuild the index then."""
    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s", ["projects_segment_search%"])
        present = {name for (name,) in cursor.fetchall()}
        if TABLE in present and not set(_TRIGGERS) <= present:
            create_sqlite_index(cursor)


def _contains(target_text, source_text, needle):
    """dubweb_contains(target, source, lowered needle): the scan's test, the index's case folding."""
    return needle in (target_text or "").lower() or needle in (source_text or "").lower()


def register_sqlite_functions(sender, connection, **kwargs):
    """connection_created: the scan's test on every SQLite connection (web, worker, live-server threads)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("dubweb_contains", 3, _contains, deterministic=True)


def containing(segments, text):
    """The segments of the queryset whose source or translated text contains `text`, ignoring case."""
    if "\x00" in text:  # nothing stored holds one (saves refuse it), and PostgreSQL cannot compare it
        return segments.none()
    if connection.vendor != "sqlite":
        return segments.filter(Q(target_text__icontains=text) | Q(source_text__icontains=text))
    if len(text) >= SHORTEST_INDEXED:
        found = _looked_up(text)
        if found is not None:
            return segments.filter(id__in=found)
    scan = Func(
        F("target_text"),
        F("source_text"),
        Value(text.lower()),
        function="dubweb_contains",
        output_field=BooleanField(),
    )
    return segments.filter(scan)


def _looked_up(text):
    """The ids of every segment containing `text`, from the index; None when there are too many to be
    worth it (or the index is missing: an SQLite without FTS5)."""
    phrase = '"' + text.replace('"', '""') + '"'  # one FTS5 string: every character literal
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM projects_segment_search WHERE projects_segment_search MATCH %s LIMIT %s",
                [phrase, INDEX_LOOKUP_LIMIT + 1],
            )
            ids = [row[0] for row in cursor.fetchall()]
    except OperationalError:
        return None
    return ids if len(ids) <= INDEX_LOOKUP_LIMIT else None
