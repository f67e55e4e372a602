"""The security headers of every answer, the Content-Security-Policy's nonce where a page needs one, and
templates that the policy lets work: no inline script, event handler or style attribute."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from .test_settings import manage

ROOT = Path(__file__).resolve().parent.parent
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "media-src": "'self' https: http:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
def test_a_page_carries_the_security_headers(client):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert directives(page["Content-Security-Policy"]) == POLICY
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    permissions = dict(item.split("=") for item in page["Permissions-Policy"].split(", "))
    assert {permissions[f] for f in ("camera", "microphone", "geolocation", "payment", "usb")} == {"()"}
    assert permissions["fullscreen"] == "(self)"  # the players' full-screen button keeps working


@pytest.mark.django_db
def test_static_files_and_refusals_carry_them_too(client, editor, project):
    client.force_login(editor)
    for answer in (
        client.get("/static/css/app.css"),
        client.get(reverse("projects:detail", args=[project.pk + 1000])),  # not found
    ):
        assert "frame-ancestors 'none'" in answer["Content-Security-Policy"]
        assert answer["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_only_the_editor_allows_a_style_by_nonce_and_gives_it_to_the_timeline_alone(client, editor, project):
    client.force_login(editor)
    page = client.get(reverse("projects:editor", args=[project.pk]))
    style_src = directives(page["Content-Security-Policy"])["style-src"]
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]{20,})'", style_src).group(1)
    html = page.content.decode()
    assert re.findall(r'<script [^>]*nonce="([^"]+)"', html) == [nonce]
    assert re.search(r'<script src="[^"]*timeline\.js" defer nonce=', html)
    # Another answer, another nonce; a page that needs none has none.
    again = client.get(reverse("projects:editor", args=[project.pk]))
    assert nonce not in again["Content-Security-Policy"]
    listing = client.get(reverse("projects:list"))
    assert directives(listing["Content-Security-Policy"])["style-src"] == "'self'"


INLINE = [
    (re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE), "a style attribute"),
    (re.compile(r"<style[\s>]", re.IGNORECASE), "a <style> element"),
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE), "an inline event handler"),
    (re.compile(r"""\shx-on[:-]""", re.IGNORECASE), "an hx-on handler (htmx would eval it)"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
]


def without_comments(text):
    """The template's text with its {# … #} comments blanked (their line breaks kept)."""
    return re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.DOTALL)


def test_no_template_has_inline_script_handler_or_style():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(without_comments(path.read_text()).splitlines(), 1)
        for pattern, what in INLINE
        if pattern.search(line)
    ]
    assert found == []


def test_a_secret_key_file_is_read_and_a_missing_one_is_named(tmp_path):
    key_file = tmp_path / "secret-key"
    key_file.write_text("k" * 60 + "\n")
    shown = manage(
        "shell", "-c", "from django.conf import settings; print(len(settings.SECRET_KEY))",
        DEBUG="0", ALLOWED_HOSTS="dubweb.example.com", SECRET_KEY_FILE=str(key_file),
        STATIC_ROOT=str(tmp_path / "static"),
    )  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == "60", shown.stderr
    missing = manage(
        "check", DEBUG="0", ALLOWED_HOSTS="dubweb.example.com", SECRET_KEY_FILE=str(tmp_path / "nothing")
    )
    assert missing.returncode != 0
    assert "SECRET_KEY_FILE cannot be read: No such file or directory" in missing.stderr
