"""Server-side fetches of URLs from outside (provider output links) reach public addresses only: never the
machine itself, the private network or a metadata service, not by a name, an odd IP spelling or a
redirect; and they stop at a size and a total time. The sandbox dubweb serves itself is the one exception,
and only while it is on."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses
from django.test import TestCase
from django.urls import reverse

import dubweb.urls  # noqa: F401 (loaded now, with the sandbox on: a test below turns it off for a while)
from projects.models import Submission
from projects.providers import guarded_fetch
from projects.providers.downloads import DownloadFailed, download
from projects.services import outputs, submissions

MEDIA = b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 2000


@pytest.fixture
def web(fake_dns):
    """Every URL answers with media if it is ever asked: a refused fetch shows as no call at all."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/out.mp4",
        "http://127.0.0.1:22/",
        "http://localhost:8000/out.mp4",
        "http://10.1.2.3/out.mp4",
        "http://172.16.5.4/out.mp4",
        "http://192.168.1.20/out.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.7/out.mp4",  # carrier-grade NAT
        "http://0.0.0.0:8000/out.mp4",
        "http://[::1]:8000/out.mp4",
        "http://[::ffff:127.0.0.1]:8000/out.mp4",
        "http://[fd00::1]/out.mp4",
        "http://[fe80::1]/out.mp4",
        "http://224.0.0.1/out.mp4",
        "http://2130706433:8000/out.mp4",  # 127.0.0.1 in decimal
        "http://0x7f000001:8000/out.mp4",  # and in hex
        "http://0177.0.0.1:8000/out.mp4",  # and in octal
        "https://127.0.0.1/out.mp4",
    ],
)
def test_a_link_to_a_private_address_is_never_fetched(web, url):
    web.get(url, body=MEDIA, content_type="video/mp4")
    with pytest.raises(DownloadFailed, match="points to a private address; not copied"):
        download(url, io.BytesIO(), max_bytes=10**6, sleep=lambda s: None)
    assert len(web.calls) == 0


def test_a_name_that_resolves_to_a_private_address_is_refused(web, fake_dns):
    fake_dns["cdn.internal.example.net"] = ["10.0.0.8"]
    fake_dns["mixed.example.net"] = ["93.184.215.14", "127.0.0.1"]  # any private answer is enough
    for url in ["https://cdn.internal.example.net/out.mp4", "https://mixed.example.net/out.mp4"]:
        web.get(url, body=MEDIA, content_type="video/mp4")
        with pytest.raises(DownloadFailed, match="points to a private address"):
            download(url, io.BytesIO(), max_bytes=10**6, sleep=lambda s: None)
    assert len(web.calls) == 0


def test_a_public_link_that_redirects_to_the_machine_itself_is_refused(web):
    web.get(
        "https://cdn.example.com/out.mp4",
        status=302,
        headers={"Location": "http://127.0.0.1:8000/media/x.mp4"},
    )
    web.get("http://127.0.0.1:8000/media/x.mp4", body=MEDIA, content_type="video/mp4")
    with pytest.raises(DownloadFailed, match="redirects to a private address; not copied"):
        download("https://cdn.example.com/out.mp4", io.BytesIO(), max_bytes=10**6, sleep=lambda s: None)
    assert [call.request.url for call in web.calls] == ["https://cdn.example.com/out.mp4"]


def test_a_redirect_to_the_metadata_service_by_name_is_refused(web, fake_dns):
    fake_dns["metadata.example.net"] = ["169.254.169.254"]
    web.get("https://cdn.example.com/a.mp4", status=301, headers={"Location": "/b.mp4"})
    web.get("https://cdn.example.com/b.mp4", status=307, headers={"Location": "http://metadata.example.net/"})
    web.get("http://metadata.example.net/", body=MEDIA, content_type="video/mp4")
    with pytest.raises(DownloadFailed, match="redirects to a private address"):
        download("https://cdn.example.com/a.mp4", io.BytesIO(), max_bytes=10**6, sleep=lambda s: None)
    assert len(web.calls) == 2


def test_public_redirects_are_followed_and_a_loop_is_given_up(web):
    web.get(
        "https://cdn.example.com/a.mp4", status=302, headers={"Location": "https://files.example.com/a.mp4"}
    )
    web.get("https://files.example.com/a.mp4", body=MEDIA, content_type="video/mp4")
    dest = io.BytesIO()
    download("https://cdn.example.com/a.mp4", dest, max_bytes=10**6, sleep=lambda s: None)
    assert dest.getvalue() == MEDIA

    web.get("https://cdn.example.com/loop.mp4", status=302, headers={"Location": "/loop.mp4"})
    with pytest.raises(DownloadFailed, match="redirects more than 5 times"):
        download("https://cdn.example.com/loop.mp4", io.BytesIO(), max_bytes=10**6, sleep=lambda s: None)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://cdn.example.com/out.mp4"]
)
def test_only_http_and_https_links_are_fetched(web, url):
    with pytest.raises(DownloadFailed, match="not an http"):
        download(url, io.BytesIO(), max_bytes=10**6)
    with pytest.raises(guarded_fetch.FetchRefused, match="not an http"):
        guarded_fetch.check(url, guarded_fetch.FetchPolicy())


def test_a_redirect_to_a_file_url_is_refused(web):
    web.get("https://cdn.example.com/a.mp4", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(DownloadFailed, match="redirects to a non-http"):
        download("https://cdn.example.com/a.mp4", io.BytesIO(), max_bytes=10**6, sleep=lambda s: None)


def test_a_file_over_the_size_limit_stops_after_the_limit(web):
    web.get("https://cdn.example.com/big.mp4", body=MEDIA * 50, content_type="video/mp4")
    dest = io.BytesIO()
    with pytest.raises(DownloadFailed, match="larger than dubweb keeps"):
        download("https://cdn.example.com/big.mp4", dest, max_bytes=5000, sleep=lambda s: None)
    assert len(dest.getvalue()) <= 5000


# --- over real sockets ---------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    seen_hosts = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Handler.seen_hosts.append(self.headers["Host"])
        if self.path == "/redirect-home":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/out.mp4")
            self.end_headers()
            return
        slow = self.path == "/slow.mp4"
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(MEDIA) * (20 if slow else 1)))
        self.end_headers()
        for _ in range(20 if slow else 1):
            self.wfile.write(MEDIA)
            self.wfile.flush()
            if slow:
                time.sleep(0.1)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.seen_hosts = []
    yield server
    server.shutdown()
    server.server_close()


def test_the_connection_goes_to_the_address_that_was_checked(local_server, fake_dns):
    # The name resolves (once, in the check) to the local server; no real DNS could find it again, so the
    # file arriving proves the connection used the checked address, with the name kept in Host.
    port = local_server.server_port
    fake_dns["media.example.com"] = ["127.0.0.1"]
    origin = f"http://media.example.com:{port}"
    dest = io.BytesIO()
    download(f"{origin}/out.mp4", dest, max_bytes=10**6, allowed_origins=[origin], sleep=lambda s: None)
    assert dest.getvalue() == MEDIA
    assert _Handler.seen_hosts == [f"media.example.com:{port}"]


def test_an_allowed_origin_does_not_open_the_rest_of_the_machine(local_server, fake_dns):
    port = local_server.server_port
    fake_dns["media.example.com"] = ["127.0.0.1"]
    origin = f"http://media.example.com:{port}"
    with pytest.raises(DownloadFailed, match="redirects to a private address"):
        download(f"{origin}/redirect-home", io.BytesIO(), max_bytes=10**6, allowed_origins=[origin])
    with pytest.raises(DownloadFailed, match="points to a private address"):
        download(f"http://127.0.0.1:{port + 1 if port < 65535 else 1}/", io.BytesIO(), max_bytes=10**6,
                 allowed_origins=[origin])  # fmt: skip
    assert _Handler.seen_hosts == [f"media.example.com:{port}"]


def test_a_server_that_trickles_the_file_is_given_up_at_the_time_limit(local_server):
    origin = f"http://127.0.0.1:{local_server.server_port}"
    slept = []
    with pytest.raises(DownloadFailed, match="did not send the whole output file within 0.3 s"):
        download(f"{origin}/slow.mp4", io.BytesIO(), max_bytes=10**6, total_timeout_s=0.3,
                 allowed_origins=[origin], sleep=slept.append)  # fmt: skip
    assert slept == []  # not retried: it would be as slow again


# --- the job's copy ------------------------------------------------------------------------------------


@pytest.fixture
def keeping(settings, tmp_path):
    settings.KEEP_PROVIDER_OUTPUTS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def finished_job(project, manager, video):
    submission = Submission.objects.create(
        project=project,
        provider=Submission.Provider.MODELSLAB,
        kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.WAITING,
        created_by=manager,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        submissions._succeed(submission, video=video, audio="")
    submission.refresh_from_db()
    return submission


def test_a_refused_output_link_leaves_a_note_on_the_job_and_the_page_works(
    web, keeping, project, manager, client
):
    web.get("http://127.0.0.1:8000/media/secret.mp4", body=MEDIA, content_type="video/mp4")
    job = finished_job(project, manager, "http://127.0.0.1:8000/media/secret.mp4")
    assert job.output_copy == Submission.OutputCopy.FAILED and not job.output_video_file
    assert "the output link points to a private address; not copied" in job.output_copy_error.lower()
    assert len(web.calls) == 0

    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[project.pk]))
    assert panel.status_code == 200 and "points to a private address" in panel.content.decode()
    output = client.get(reverse("projects:submission-output", args=[project.pk, job.pk, "video"]))
    assert output.status_code == 404  # dubweb never serves (or proxies) what it refused to fetch


def test_the_sandbox_address_is_fetched_only_while_the_sandbox_is_on(local_server, keeping, project, manager):
    site = f"http://127.0.0.1:{local_server.server_port}"
    keeping.SITE_URL = site
    keeping.PROVIDER_SANDBOX = True
    assert site in outputs.fetch_exceptions()
    kept = finished_job(project, manager, f"{site}/sandbox/media/out.mp4")
    assert kept.output_copy == Submission.OutputCopy.KEPT and kept.output_video_file.read() == MEDIA

    keeping.PROVIDER_SANDBOX = False
    assert outputs.fetch_exceptions() == ()
    refused = finished_job(project, manager, f"{site}/sandbox/media/out.mp4")
    assert refused.output_copy == Submission.OutputCopy.FAILED
    assert "private address" in refused.output_copy_error
    assert len(_Handler.seen_hosts) == 1  # the second job's link was never asked for


def test_a_sandbox_on_an_instance_of_its_own_is_fetched_from_while_it_is_on(
    local_server, keeping, project, manager
):
    # bench/cluster.py serves the sandbox apart from dubweb: the providers' base URLs name it.
    sandbox = f"http://127.0.0.1:{local_server.server_port}"
    keeping.SITE_URL = "http://127.0.0.1:9"
    keeping.MODELSLAB_BASE_URL = f"{sandbox}/sandbox/modelslab"
    keeping.PROVIDER_SANDBOX = True
    kept = finished_job(project, manager, f"{sandbox}/sandbox/media/out.mp4")
    assert kept.output_copy == Submission.OutputCopy.KEPT and kept.output_video_file.read() == MEDIA

    keeping.PROVIDER_SANDBOX = False
    refused = finished_job(project, manager, f"{sandbox}/sandbox/media/out.mp4")
    assert (
        refused.output_copy == Submission.OutputCopy.FAILED and "private address" in refused.output_copy_error
    )


def test_https_connects_to_the_checked_address_and_verifies_the_certificate_for_the_name():
    target = guarded_fetch.Target(
        url="https://cdn.example.com/out.mp4", host="cdn.example.com", port=443, address="93.184.215.14"
    )
    adapter = guarded_fetch._PinnedAdapter(target)
    request = requests.Request("GET", target.url).prepare()
    pool = adapter.get_connection_with_tls_context(request, verify=True)
    assert pool.host == "93.184.215.14" and pool.port == 443
    assert pool.conn_kw["server_hostname"] == "cdn.example.com"  # SNI
    assert pool.assert_hostname == "cdn.example.com"  # the certificate must be cdn.example.com's
    assert pool.cert_reqs == "CERT_REQUIRED"
