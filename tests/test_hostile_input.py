"""Hostile input at every form, HTMX endpoint, import and webhook.

The routes come from the URL conf through tests/test_authorization_matrix.py (its RULES and its `world`, one
project with something of every kind); FIELDS below says what each route that takes input reads, so a new
route without an entry fails `test_every_route_that_takes_input_is_listed`. Each field gets what an
attacker (or a broken client) sends for its kind:

- control characters (NUL first: PostgreSQL refuses it), bytes that are not UTF-8, enormous and negative
  numbers, ids of another team's things, URLs that are not http(s) or point inside the network: refused
  with a message, never a 500, and no row of dubweb's tables changed;
- markup and script in every text field and file name: stored as typed, and escaped wherever shown;
- bodies past the upload limits and JSON nested thousands deep: refused before anything is done.

Run on SQLite and PostgreSQL (DATABASE_URL=postgres://…) alike.
"""

import json
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Comment, Project, Role, ScriptImport, Segment, Speaker

from . import test_authorization_matrix as matrix
from .factories import MembershipFactory, ProjectFactory, SegmentFactory, SpeakerFactory, UserFactory

world = matrix.world  # the matrix's fixture: one project with something of every kind

TEXT, NUMBER, ID, URL, CHOICE, HINT = "text", "number", "id", "url", "choice", "hint"
SEGMENT, SPEAKER, EDIT, USER = "SEGMENT", "SPEAKER", "EDIT", "USER"  # filled from the world

# route → (the data of a request the route accepts, {field: kind}). HINT: an optional hint (a poll's
# cursor, a page) that is ignored when unreadable; it may not give a 500 but the request goes on.
FIELDS = {
    "login": ({"username": "olive", "password": "wrong-password"}, {"username": TEXT, "password": TEXT}),
    "password_change": (
        {
            "old_password": "pass-for-tests",
            "new_password1": "N3w-passphrase!",
            "new_password2": "N3w-passphrase!",
        },
        {"old_password": TEXT, "new_password1": TEXT},
    ),
    "password_reset": ({"email": "olive@example.com"}, {"email": TEXT}),
    "profile": ({"name": "Olive", "email": "olive@example.com"}, {"name": TEXT, "email": TEXT}),
    "projects:team-invite": ({"email": "new@example.com", "role": "editor"}, {"email": TEXT, "role": CHOICE}),
    "projects:member-role": ({"role": "reviewer"}, {"role": CHOICE}),
    "projects:assignment-create": (
        {"user": USER, "task": "translate", "due_date": "2027-01-31"},
        {"user": ID, "task": CHOICE, "due_date": TEXT},
    ),
    "projects:notifications": ({"email_jobs": "on"}, {}),
    "projects:create": (
        {
            "title": "New one",
            "source_language": "en-US",
            "target_language": "fr-FR",
            "status": "draft",
            "source_video_url": "https://cdn.example.com/v.mp4",
        },
        {
            "title": TEXT,
            "source_video_url": URL,
            "video_duration_ms": TEXT,
            "source_language": CHOICE,
            "dubformer_project_id": TEXT,
        },
    ),
    "projects:edit": (
        {
            "title": "Renamed",
            "source_language": "en-US",
            "target_language": "fr-FR",
            "status": "draft",
            "source_video_url": "https://cdn.example.com/v.mp4",
        },
        {
            "title": TEXT,
            "source_video_url": URL,
            "video_duration_ms": TEXT,
            "target_language": CHOICE,
            "status": CHOICE,
            "dubformer_project_id": TEXT,
        },
    ),
    "projects:import": ({"text_column": "target"}, {"file_format": CHOICE, "text_column": CHOICE}),
    "projects:segment-save": (
        {"field": "target_text", "version": 1, "target_text": "Hola"},
        {"target_text": TEXT, "version": NUMBER},
    ),
    "projects:segment-save start": ({"field": "start", "version": 1, "start": "0:00.500"}, {"start": TEXT}),
    "projects:segment-save speaker": ({"field": "speaker", "version": 1, "speaker": ""}, {"speaker": ID}),
    "projects:segment-split": (
        {"version": 1, "at_ms": 1000, "text_cursor": 2},
        {"version": NUMBER, "at_ms": NUMBER, "text_cursor": HINT},
    ),
    "projects:segment-merge": ({"version": 1}, {"version": NUMBER}),
    "projects:segment-insert": ({"after": SEGMENT}, {"after": ID}),
    "projects:segments-delete": ({"segments": SEGMENT}, {"segments": ID}),
    "projects:segments-shift": (
        {"segments": SEGMENT, "delta_ms": 100, "scope": "selected"},
        {"segments": ID, "delta_ms": NUMBER, "scope": CHOICE},
    ),
    "projects:segments-speaker": ({"segments": SEGMENT, "speaker": SPEAKER}, {"segments": ID, "speaker": ID}),
    "projects:replace-apply": ({"find": "Line", "replace": "Row"}, {"find": TEXT, "replace": TEXT}),
    "projects:presence": ({"segment": SEGMENT}, {"segment": HINT, "since": HINT}),
    "projects:segment-restore": (
        {"edit": EDIT, "which": "before", "version": 2},
        {"edit": ID, "version": NUMBER, "which": CHOICE},
    ),
    "projects:segments-review": (
        {"action": "request_changes", "segments": SEGMENT, "reason": "Too long"},
        {"segments": ID, "reason": TEXT, "action": CHOICE, "seen": HINT},
    ),
    "projects:project-comments": ({"body": "Looks good"}, {"body": TEXT}),
    "projects:segment-comments": ({"body": "Too long?"}, {"body": TEXT}),
    "projects:job-comments": ({"body": "Wrong voice", "at": "0:12"}, {"body": TEXT, "at": TEXT}),
    "projects:comment-reply": ({"body": "Agreed"}, {"body": TEXT}),
    "projects:comment-edit": ({"body": "Edited"}, {"body": TEXT}),
    "projects:comment-resolve": ({"resolved": "1"}, {"resolved": CHOICE}),
    "projects:speaker-create": (
        {"name": "Zoe", "style": "feminine", "voice_key": "soundalike", "modelslab_voice_id": "v1"},
        {"name": TEXT, "voice_key": TEXT, "modelslab_voice_id": TEXT, "style": CHOICE},
    ),
    "projects:speaker-save": (
        {"name": "Zoe", "style": "feminine", "voice_key": "soundalike", "modelslab_voice_id": "v1"},
        {"name": TEXT, "voice_key": TEXT, "modelslab_voice_id": TEXT, "style": CHOICE},
    ),
    "projects:provider-keys": ({"dubformer": "df-key-123"}, {"dubformer": TEXT, "modelslab": TEXT}),
    "projects:submission-create": (
        {"voice_id": "henry", "voice_model": "kokoro", "speed": "1.0", "seed": "7", "send_anyway": "on"},
        {"voice_id": TEXT, "voice_model": TEXT, "speed": NUMBER, "seed": NUMBER},
    ),
}
# Routes that take no input but the URL and a button press (their ids are the matrix's business).
NO_INPUT = {
    "logout", "projects:team-leave", "projects:team-settings", "projects:invitation-revoke",
    "projects:member-remove", "projects:member-unlock", "projects:assignment-delete",
    "projects:notifications-read-all", "projects:notification-open", "projects:import-confirm",
    "projects:backup-restore", "projects:undo", "projects:redo", "projects:review-approve-clean",
    "projects:review-submit", "projects:review-approve", "projects:comment-delete", "projects:speaker-delete",
    "projects:submission-cancel", "projects:submission-retry", "projects:submission-check-again",
    "projects:output-copy-retry", "projects:waveform-compute", "projects:modelslab-webhook",
}  # fmt: skip
KWARGS = {"projects:submission-create": {"kind": "new_dub"}}

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'
UNSAFE_IN_PAGE = ("<script>alert(", "<img src=x")
NOT_TEXT = ["Hola\x00", "a\x1b[31mb", "bell\x07", "\ufffd"]
NUMBERS = [str(2**64), "9" * 40, "1e309", "-1", "-" + "9" * 30, "NaN", "inf", "0x10"]
INTERNAL_URLS = [
    "javascript:alert(1)", "file:///etc/passwd", "gopher://example.com/", "data:video/mp4;base64,AAAA",
    "http://127.0.0.1:5432/", "http://localhost/admin/", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/x.mp4", "http://10.0.0.5/v.mp4", "http://0.0.0.0/", "ftp://example.com/v.mp4",
]  # fmt: skip


def _route_name(key):
    return key.split(" ")[0]


SNAPSHOT = [model for model in apps.get_app_config("projects").get_models()] + [get_user_model()]


def _rows():
    """Every row of dubweb's tables and of the users': what a refused request must leave as it was."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in SNAPSHOT}


@pytest.fixture
def hostile(world, client, other_team):
    """The matrix's world, signed in as its owner, with another team's project to steal ids from."""
    people, values = world
    theirs = ProjectFactory(team=other_team, title="Theirs")
    their_speaker = SpeakerFactory(project=theirs, speaker_id=1, name="Nope")
    their_segment = SegmentFactory(project=theirs, speaker=their_speaker, start_ms=0, end_ms=1000)
    stranger = MembershipFactory(
        team=other_team, role=Role.EDITOR, user=UserFactory(username="stranger")
    ).user
    client.force_login(people["owner"])
    segment = Segment.objects.get(pk=values["segment_pk"])
    fills = {
        SEGMENT: str(segment.pk),
        SPEAKER: str(values["speaker_pk"]),
        USER: str(people["editor"].pk),
        EDIT: "",
    }
    foreign = {"segments": their_segment.pk, "after": their_segment.pk, "speaker": their_speaker.pk,
               "edit": 1, "user": stranger.pk, "segment": their_segment.pk}  # fmt: skip
    return people, values, fills, foreign


def _url(key, values):
    name = _route_name(key)
    route = matrix.ROUTES[name]
    rule = matrix.RULES[name]
    kwargs = {
        k: KWARGS.get(name, {}).get(k, rule.kwargs.get(k, values.get(k))) for k in route.pattern.converters
    }
    return reverse(name, kwargs=kwargs) if not name.startswith("/") else name


def _post(client, url, data):
    return client.post(url, data, headers={"HX-Request": "true"})


def _refused(response, rows_before, what):
    """The request was refused: a 4xx (or a page or row showing the reason), nothing stored."""
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert _rows() == rows_before, f"{what}: answered {response.status_code} but rows changed"


def _says_why(client, response):
    """Whether the refusal shows a reason: in the answer, or (a form that redirects) on the next page."""
    if response.status_code in (301, 302, 303):
        return 'class="message message-error"' in client.get(response.url).content.decode()
    return bool(response.content)


def test_every_route_that_takes_input_is_listed():
    posted = {name for name, rule in matrix.RULES.items() if rule.method == "POST"}
    listed = {_route_name(key) for key in FIELDS} | NO_INPUT
    assert sorted(posted - listed) == [], "list the route's fields in FIELDS (or in NO_INPUT)"


def _fill(data, fills):
    return {key: fills.get(value, value) if isinstance(value, str) else value for key, value in data.items()}


def _not_utf8(data, field):
    """`data` as a form body whose `field` holds bytes that are not UTF-8 (and a CESU-8 surrogate)."""
    body = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in data.items() if k != field)
    return (body + f"&{quote(field)}=Hola%FF%FE%ED%A0%80").encode()


def _hostile_values(kind, field, foreign):
    if kind == TEXT:
        return NOT_TEXT
    if kind == CHOICE:
        return ["owner\x00", "<script>", "9" * 40, ""]
    return [*NUMBERS, *([str(foreign[field])] if field in foreign else [])]


@pytest.mark.parametrize("key", sorted(FIELDS))
def test_hostile_values_in_each_field_are_refused_and_change_nothing(key, hostile, client):
    """Characters that are not text, bytes that are not UTF-8, enormous, negative and foreign numbers and
    ids, choices not offered: refused (a 4xx, or the page or row with the reason), no row changed."""
    people, values, fills, foreign = hostile
    base, fields = FIELDS[key]
    url = _url(key, values)
    data = _fill(base, fills)
    if key == "login":
        client.logout()
    wrong = []
    for field, kind in fields.items():
        for bad in _hostile_values(kind, field, foreign):
            before = _rows()
            response = _post(
                client, url, {**data, field: (base.get(field, "x") + bad) if kind == TEXT else bad}
            )
            what = f"{field}={bad!r}: {response.status_code}"
            if response.status_code >= 500:
                wrong.append(what)
            elif kind != HINT and _rows() != before:
                wrong.append(f"{what}, rows changed")
            elif kind != HINT and not _says_why(client, response) and key != "password_reset":
                wrong.append(f"{what}, refused without a message")  # (a reset always says "sent")
        if kind == TEXT:
            before = _rows()
            response = client.post(url, _not_utf8(data, field), content_type="application/x-www-form-urlencoded",
                                   headers={"HX-Request": "true"})  # fmt: skip
            if response.status_code >= 500 or _rows() != before:
                wrong.append(f"{field} not UTF-8: {response.status_code}")
    assert not wrong, f"POST {url}:\n" + "\n".join(wrong)


def test_a_video_url_that_is_not_a_public_web_address_is_refused_with_a_message(hostile, client):
    people, values, fills, _ = hostile
    for key in ("projects:create", "projects:edit"):
        base, _ = FIELDS[key]
        for bad in INTERNAL_URLS:
            before = _rows()
            response = client.post(_url(key, values), {**base, "source_video_url": bad})
            _refused(response, before, f"{key} {bad}")
            page = response.content.decode()
            assert response.status_code in (200, 422) and "source_video_url" in page, f"{key} {bad}"
            assert "private network" in page or "http(s)://" in page, f"{key} {bad}: no message"


# --- Markup: stored as typed, shown escaped ---------------------------------------------------------------

PAGES = [
    "projects:detail", "projects:editor", "projects:segment-rows", "projects:speakers-panel", "projects:team",
    "projects:list", "projects:my-work", "projects:project-activity", "projects:notifications",
    "projects:providers-panel", "projects:backups", "projects:jobs", "projects:segment-history",
    "projects:import-confirm", "projects:submission-card", "projects:mention-options",
]  # fmt: skip


def test_markup_in_every_text_field_is_stored_as_typed_and_shown_escaped(hostile, client):
    people, values, fills, _ = hostile
    accepted = []
    for key, field in [
        (key, field) for key, (_, fields) in FIELDS.items() for field, kind in fields.items() if kind == TEXT
    ]:
        base, _ = FIELDS[key]
        if key in ("projects:provider-keys", "password_reset") or field in (
            "email",
            "at",
            "video_duration_ms",
        ):
            continue  # keys, addresses and times have their own syntax: markup is refused there
        response = _post(client, _url(key, values), {**_fill(base, fills), field: MARKUP})
        assert response.status_code < 500, f"{key} {field}: {response.status_code}"
        accepted.append((key, field, response.status_code))
    stored = [
        *Project.objects.values_list("title", flat=True), *Segment.objects.values_list("target_text", flat=True),
        *Speaker.objects.values_list("name", flat=True), *Comment.objects.values_list("body", flat=True),
    ]  # fmt: skip
    assert sum(MARKUP in text for text in stored) >= 5, accepted  # titles, segments, speakers, comments
    for name in PAGES:
        url = _url(name, values)
        response = client.get(url, headers={"HX-Request": "true"} if name != "projects:detail" else {})
        page = response.content.decode()
        assert response.status_code < 500, url
        assert not any(unsafe in page for unsafe in UNSAFE_IN_PAGE), f"{url} shows markup unescaped"


def test_a_file_name_with_markup_and_control_characters_is_shown_escaped(hostile, client):
    people, values, fills, _ = hostile
    url = _url("projects:import", values)
    for name in ('<script>alert("x")</script>.srt', "a\x00b.srt", "\x1b[2J.srt", "../../etc/passwd.srt"):
        upload = SimpleUploadedFile(name, b"1\n00:00:01,000 --> 00:00:02,000\nHola\n")
        response = client.post(url, {"file": upload, "text_column": "target"}, follow=True)
        assert response.status_code < 500, name
        page = response.content.decode()
        assert not any(unsafe in page for unsafe in UNSAFE_IN_PAGE), name
    for staged in ScriptImport.objects.all():
        assert "/" not in staged.filename and "\x00" not in staged.filename


HOSTILE_FILES = [
    ("lone.json", json.dumps({"target_script": [{"start_ms": 0, "end_ms": 900, "text": "\ud800",
                              "speaker_id": 1}], "target_speakers": [{"speaker_id": 1}]}).encode()),
    ("ctl.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHo\x07la\n"),
    ("nul.csv", b"start,end,speaker,source_text,target_text\n0:01,0:02,Anna,Hi,Ho\x00la\n"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000),
    ("big.json", b'{"target_script": [{"start_ms": 1' + b"0" * 5000 + b', "end_ms": 2}]}'),
    ("huge.srt", b"1\n00:00:01,000 --> 00:00:02,000\n" + b"x" * (settings.SCRIPT_UPLOAD_MAX_BYTES + 10)),
    ("utf16.srt", b"\xff\xfe1\x00\n\x00\xff\xd8"),
]  # fmt: skip


def test_a_hostile_script_file_is_refused_with_a_message_and_nothing_is_imported(hostile, client):
    people, values, fills, _ = hostile
    for name, raw in HOSTILE_FILES:
        before = _rows()
        upload = SimpleUploadedFile(name, raw)
        response = client.post(_url("projects:import", values), {"file": upload, "text_column": "target"})
        assert response.status_code in (200, 422) and "error" in response.content.decode(), name
        assert _rows() == before, name


def test_a_body_past_the_upload_limit_is_refused_before_anything_changes(hostile, client):
    """Every route, those that never read their body too (undo would otherwise undo)."""
    people, values, fills, _ = hostile
    oversized = b"x=" + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    wrong = []
    for key in sorted({*FIELDS, *NO_INPUT}):
        before = _rows()
        response = client.post(_url(key, values), oversized, content_type="application/x-www-form-urlencoded",
                               headers={"HX-Request": "true"})  # fmt: skip
        if response.status_code != 413 or "larger than dubweb accepts" not in response.content.decode():
            wrong.append(f"{key}: {response.status_code}")
        elif _rows() != before:
            wrong.append(f"{key}: rows changed")
    assert not wrong


NOT_JSON_OBJECTS = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"\xff\xfe\x00{",
    b'{"status": "success", "track_id": ' + b"9" * 5000 + b"}",
    b'"just a string"',
    b"x" * (2**20),
]
# JSON objects: the job is confirmed by a fetch, never by the body, so the webhook answers without
# trusting any of it; an object that names another job (track_id) is refused.
HOSTILE_OBJECTS = [
    b'{"status": "success", "track_id": 1e309}',
    b'{"status": "success", "track_id": NaN, "output": ["javascript:alert(1)"]}',
    b'{"status": "\\u0000", "track_id": -1, "output": ["http://169.254.169.254/"]}',
    b'{"status": "\\ud800", "id": "\\ud800", "track_id": "\\ud800"}',
]


def test_a_hostile_webhook_body_changes_no_job(hostile, client):
    people, values, fills, _ = hostile
    client.logout()
    for body in NOT_JSON_OBJECTS + HOSTILE_OBJECTS:
        before = _rows()
        response = client.post(
            _url("projects:modelslab-webhook", values), body, content_type="application/json"
        )
        assert response.status_code < 500, body[:40]
        if body in NOT_JSON_OBJECTS:
            assert response.status_code == 400 and response.json()["error"], body[:40]
        assert _rows() == before, body[:40]


def test_the_webhook_refuses_a_body_past_the_upload_limit(hostile, client):
    people, values, fills, _ = hostile
    response = client.post(
        _url("projects:modelslab-webhook", values),
        b'{"a": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}',
        content_type="application/json",
    )
    assert response.status_code == 413


def test_the_timeline_json_and_row_cursors_survive_hostile_query_strings(hostile, client):
    people, values, fills, _ = hostile
    for name in ("projects:timeline-segments", "projects:segment-rows", "projects:list", "projects:jobs",
                 "projects:replace-preview", "projects:mention-options", "projects:segment-history"):  # fmt: skip
        for query in ("page=" + "9" * 40, "q=%00", "find=%FF%FE&replace=%00", "after=1e309.-1", "q=%ED%A0%80",
                      "status=%00&provider=%00&project=" + "9" * 40, "listbox=<script>"):  # fmt: skip
            response = client.get(f"{_url(name, values)}?{query}", headers={"HX-Request": "true"})
            assert response.status_code < 500, f"{name}?{query}: {response.status_code}"
