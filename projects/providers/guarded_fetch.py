"""The one way dubweb's server fetches a URL that someone else named (a provider's output link, say).

A URL from outside could point the worker at the machine itself (127.0.0.1, the database port), at the
private network or at a cloud metadata service (169.254.169.254), directly or through a redirect, or by a
DNS name that resolves there. So a guarded fetch:

- takes http and https URLs only;
- resolves the host itself and refuses it when ANY of its addresses is not a public one (private,
  loopback, link-local, multicast, reserved, unspecified, or such an address wrapped in IPv6);
- connects to the very address it checked (the name is not resolved a second time, so a DNS answer that
  changes between the check and the connection cannot slip through), keeping the name for TLS and Host;
- follows redirects itself, a bounded number, checking every hop the same way;
- lets the caller stop at a size and a total time.

`allowed_origins` names the exceptions (scheme://host:port), such as the provider sandbox that dubweb
serves itself; the caller decides when they apply. Nothing here knows Django.
"""

import ipaddress
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

REDIRECTS = (301, 302, 303, 307, 308)
# Addresses `is_global` still calls public but that no outside link should reach.
EXTRA_BLOCKED = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64: an IPv4 address in disguise
)
# Resolution is a module attribute so that tests can answer for names without a DNS server.
getaddrinfo = socket.getaddrinfo


class FetchRefused(Exception):
    """The URL is not one the server may fetch; the message is for people and follows "The link …"."""


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 60.0
    total_timeout_s: float = 900.0
    max_redirects: int = 5
    allowed_origins: tuple = ()


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    port: int
    address: str


def is_public(address):
    """True for an address on the public internet (IPv4-mapped and NAT64 IPv6 judged by their IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 6 and ip.sixtofour is not None:
        ip = ip.sixtofour
    if any(ip in network for network in EXTRA_BLOCKED if network.version == ip.version):
        return False
    return ip.is_global and not ip.is_multicast


def origin(url):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return None
    return scheme, (parts.hostname or "").lower(), port


def check(url, policy, *, redirected=False):
    """The checked address to connect to for `url`; raises FetchRefused with the reason."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchRefused("redirects to a non-http(s) URL" if redirected else "is not an http(s) URL")
    here = origin(url)
    if here is None or not here[1]:
        raise FetchRefused("has no valid host name")
    _, host, port = here
    try:
        infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchRefused(f"names a host that could not be found ({host})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchRefused(f"names a host that could not be found ({host})")
    allowed = {origin(entry) for entry in policy.allowed_origins}
    if here not in allowed and not all(is_public(address) for address in addresses):
        raise FetchRefused("redirects to a private address" if redirected else "points to a private address")
    return Target(url=url, host=host, port=port, address=addresses[0])


class _PinnedAdapter(HTTPAdapter):
    """Connects to the checked address whatever the URL's host, and verifies TLS against the host name."""

    def __init__(self, target):
        self.target = target
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs = dict(pool_kwargs)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.target.host
            pool_kwargs["assert_hostname"] = self.target.host
        return self.poolmanager.connection_from_host(
            host=self.target.address,
            port=self.target.port,
            scheme=host_params["scheme"],
            pool_kwargs=pool_kwargs,
        )


def _host_header(target):
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.url.lower().startswith("https:") else 80
    return host if target.port == default else f"{host}:{target.port}"


@contextmanager
def get(url, policy):
    """GET `url` (redirects followed, each hop checked); yields the streaming final response.

    Raises FetchRefused for a URL (or redirect) that may not be fetched; network errors are requests'.
    """
    deadline = time.monotonic() + policy.total_timeout_s
    for hop in range(policy.max_redirects + 1):
        target = check(url, policy, redirected=hop > 0)
        session = requests.Session()
        session.trust_env = False  # a proxy from the environment would connect on our behalf, unchecked
        adapter = _PinnedAdapter(target)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            response = session.get(
                url,
                stream=True,
                allow_redirects=False,
                headers={"Host": _host_header(target)},
                timeout=(policy.connect_timeout_s, policy.read_timeout_s),
            )
            location = response.headers.get("Location")
            if response.status_code in REDIRECTS and location:
                response.close()
                url = urljoin(url, location)
                continue
            with response:
                yield Streamed(response, deadline)
            return
        finally:
            session.close()
    raise FetchRefused(f"redirects more than {policy.max_redirects} times")


class TooSlow(Exception):
    pass


class Streamed:
    """The final response, read in chunks until the total time limit."""

    def __init__(self, response, deadline):
        self.response = response
        self.deadline = deadline
        self.status_code = response.status_code
        self.headers = response.headers

    def iter_content(self, chunk_bytes):
        for chunk in self.response.iter_content(chunk_bytes):
            if time.monotonic() > self.deadline:
                raise TooSlow
            yield chunk
