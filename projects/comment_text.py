"""A comment's plain text: the @names it mentions, and the safe HTML it is shown as. Pure functions.

Nothing a person typed reaches the page as markup: every piece is escaped, only http(s) addresses become
links (with rel="noopener nofollow ugc"), and only @names that the comment stored as mentions are marked.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

# "@name" not glued to a word or another "@" before it (so a@b.com is an address, not a mention). Names
# are Django usernames without "@": letters, digits and . + - _.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+)")
URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address or the name.
_TRAILING = ".,;:!?'\")]}>"


def mentioned_names(text):
    """The @names in `text`, lowercased, in order, once each (whether or not such a user exists)."""
    names = []
    for match in MENTION.finditer(text or ""):
        if _inside_url(text, match.start()):
            continue
        name = match.group(1).rstrip(_TRAILING + "-+").lower()
        if name and name not in names:
            names.append(name)
    return names


def _inside_url(text, index):
    return any(url.start() <= index < url.end() for url in URL.finditer(text))


def _split_url(raw):
    """The address without the sentence's punctuation after it, and that punctuation."""
    url = raw.rstrip(_TRAILING)
    # A closing bracket belongs to the address when it opened one (Wikipedia's "…_(film)").
    while raw[len(url) : len(url) + 1] == ")" and url.count("(") > url.count(")"):
        url += ")"
    return url, raw[len(url) :]


def _line_html(line, known):
    html = []
    position = 0
    tokens = sorted(
        [(m.start(), m.end(), "url", m) for m in URL.finditer(line)]
        + [(m.start(), m.end(), "mention", m) for m in MENTION.finditer(line)],
        key=lambda token: token[0],
    )
    for start, end, kind, match in tokens:
        if start < position:  # an @ inside an address already linked
            continue
        html.append(escape(line[position:start]))
        if kind == "url":
            url, rest = _split_url(match.group(0))
            html.append(
                f'<a href="{escape(url)}" rel="noopener nofollow ugc" target="_blank">{escape(url)}</a>'
            )
            html.append(escape(rest))
        else:
            name = match.group(1).rstrip(_TRAILING + "-+")
            if name.lower() in known:
                html.append(f'<span class="mention">@{escape(name)}</span>')
                end = start + 1 + len(name)
            else:
                html.append(escape(match.group(0)))
        position = end
    html.append(escape(line[position:]))
    return "".join(html)


def to_html(text, known_usernames=()):
    """`text` as HTML: escaped, line breaks kept, http(s) addresses linked, known @names marked.
    `known_usernames` are the (lowercased) usernames the comment mentions; other @names stay text."""
    known = {name.lower() for name in known_usernames}
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return mark_safe("<br>".join(_line_html(line, known) for line in lines))  # noqa: S308 (all escaped above)
