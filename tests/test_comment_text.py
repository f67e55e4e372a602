"""A comment's text reaches the page as text: no markup from users, only safe links and known mentions."""

import pytest

from projects.comment_text import mentioned_names, to_html


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@eddie fix this", ["eddie"]),
        ("cc @Eddie, @manny.", ["eddie", "manny"]),
        ("(@rita)", ["rita"]),
        ("a@b.com and eddie@example.com", []),
        ("@@eddie", []),
        ("see https://example.com/@eddie", []),
        ("@eddie @eddie", ["eddie"]),
        ("line one\n@vic: line two", ["vic"]),
        ("@first.last-name+x", ["first.last-name+x"]),
    ],
)
def test_which_names_are_mentions(text, names):
    assert mentioned_names(text) == names


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '"><svg onload=alert(1)>',
        "[click](javascript:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        "javascript:alert(1)",
        "**bold** <b>bold</b> &lt;b&gt;",
        'https://example.com/"onmouseover="alert(1)',
        "https://example.com/<script>",
    ],
)
def test_no_markup_from_users_reaches_the_page(hostile):
    html = str(to_html(hostile))
    assert "<script" not in html and "<img" not in html and "<svg" not in html and "<b>" not in html
    assert 'href="javascript' not in html.lower() and "onerror=" not in html.replace("onerror=&quot;", "")
    assert 'onmouseover="' not in html
    # Whatever is not a link is the text itself, escaped.
    if "https://" not in hostile:
        assert html == hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
            '"', "&quot;"
        ).replace("'", "&#x27;")


def test_web_addresses_become_safe_links_without_the_sentences_punctuation():
    html = str(to_html("See https://example.com/a?b=1&c=2. Or (https://en.wikipedia.org/wiki/Dub_(film))"))
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener nofollow ugc" target="_blank">'
        "https://example.com/a?b=1&amp;c=2</a>." in html
    )
    assert 'href="https://en.wikipedia.org/wiki/Dub_(film)"' in html and html.endswith("</a>)")


def test_only_http_and_https_are_linked():
    html = str(to_html("ftp://example.com data:text/html,x mailto:a@b.com www.example.com"))
    assert "<a" not in html


def test_line_breaks_are_kept_and_nothing_else():
    assert str(to_html("one\ntwo\r\nthree")) == "one<br>two<br>three"


def test_known_mentions_are_marked_and_unknown_ones_stay_text():
    html = str(to_html("@eddie and @nobody <b>", ["eddie"]))
    assert html == '<span class="mention">@eddie</span> and @nobody &lt;b&gt;'


def test_a_mention_name_is_escaped_too():
    assert str(to_html("@o'brien", ["o"])) == '<span class="mention">@o</span>&#x27;brien'
