"""Video URLs as the providers' contracts want them (`format: uri`, RFC 3986): percent-encoded.

People paste addresses with spaces, accents or brackets (`…/Keynote final [FR].mp4`); browsers send them
encoded, the contracts refuse them raw. `normalise` encodes what must be encoded (an existing `%XX` is kept,
a host in another script becomes its IDNA form) and `problem` checks the result with the same RFC 3986
rule the contract tests use (rfc3986-validator). Plain Python: no Django.
"""

import ipaddress
import re
import socket
from urllib.parse import quote, urlsplit, urlunsplit

from rfc3986_validator import validate_rfc3986

from .providers.guarded_fetch import is_public

# RFC 3986 characters allowed as they are (unreserved, sub-delims, ':' '@', and '%' of an escape already made).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
_USERINFO_SAFE = ":!$&'()*+,;=-._~%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PORT = re.compile(r":(\d*)$")


class BadURL(ValueError):
    """The text cannot be made a URL; the message says why, to a person."""


def normalise(value):
    """`value` with spaces, non-ASCII, brackets and other characters RFC 3986 does not allow there
    percent-encoded, and the host in IDNA (ASCII) form. A path on this site (`/static/…`) stays a path.
    Raises BadURL when the host cannot be written in ASCII."""
    value = (value or "").strip()
    if not value:
        return value
    value = _LONE_PERCENT.sub("%25", value)
    try:
        parts = urlsplit(value)
    except ValueError as error:  # e.g. an unclosed IPv6 bracket
        raise BadURL(f"This address cannot be read ({error}).") from None
    netloc = _netloc(parts.netloc) if parts.netloc else ""
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_PATH_SAFE),
            quote(parts.query, safe=_QUERY_SAFE),
            quote(parts.fragment, safe=_QUERY_SAFE),
        )
    )


def _netloc(netloc):
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # an IPv6 literal: left as it is (the check below judges it)
        host, port = hostport, ""
    else:
        found = _PORT.search(hostport)
        host, port = (hostport[: found.start()], found.group(0)) if found else (hostport, "")
        try:
            host = ".".join(_ascii_label(label) for label in host.split(".")) if host else host
        except UnicodeError:
            raise BadURL(f"The host name {host!r} cannot be written as an internet address.") from None
    userinfo = quote(userinfo, safe=_USERINFO_SAFE) + at if at else ""
    return userinfo + host.lower() + port


def _ascii_label(label):
    return label if label.isascii() else label.encode("idna").decode("ascii")


def problem(url, *, relative_ok=False):
    """Why `url` is not a URL a provider can fetch ("" when it is): an absolute http(s) URL with a host, by
    RFC 3986 — or, with `relative_ok`, a path on this site."""
    if relative_ok and url.startswith("/") and not url.startswith("//"):
        return "" if validate_rfc3986(url, rule="URI_reference") else "This path is not a valid address."
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return "Give a full http(s):// address of the video, or a path on this site."
    parts = urlsplit(url)
    if not parts.hostname or not validate_rfc3986(url, rule="URI"):
        return "This is not a valid web address (check the host name and any spaces or symbols in it)."
    if _inside(parts.hostname):
        return (
            "This address points at this machine or a private network, and providers fetch the video from "
            "the internet: give a public address, or a path on this site (/static/…)."
        )
    return ""


def _inside(host):
    """Whether the host is a name or address of this machine or of a private network (as written: a name
    that resolves there is refused when fetched, by projects/providers/guarded_fetch.py)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:  # the forms browsers also read as IPv4: 2130706433, 0x7f.1, 127.1
            address = ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return False
    return not is_public(str(address))
