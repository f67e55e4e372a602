"""The people bench/cluster.py simulates, for locust (headless): editors, reviewers and managers.

Not run by hand: bench/cluster.py starts `locust -f bench/cluster_locust.py` with BENCH_ACCOUNTS (the
accounts, sessions and segments it seeded, JSON) and BENCH_OUT (a folder). Every request and every
acknowledged change is written there when the run ends (requests.jsonl, acks.jsonl), for cluster.py to
count per endpoint and per fault window and to check against the database.

The requests are the ones the pages make (templates/projects/editor.html, static/js/editor.js,
providers_panel.html): the CSRF token from the page's hx-headers, HX-Request and HX-Target headers, the
segment's version and what was read (`was`) with every save.
- An editor opens the editor, then every 1-2 s reads a row of their own stretch or types and saves its
  translation (the answer to a save carries the quality summary and the review progress: nothing follows);
  now and then splits a row and merges it back, or undoes their last edit; rarely saves the one row the
  whole project shares (a conflict is likely: counted as a conflict, then the row is read again). The
  presence poll every 4 s and the unread count every 20 s go on meanwhile.
- A reviewer reads filtered rows and approves a segment of their own stretch every 2-4 s.
- A manager asks for a Dubformer project or a ModelsLab dub now and then, and polls its job card every
  3 s while it runs.
"""

import html
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

from locust import HttpUser, LoadTestShape, between, events, task

ACCOUNTS = json.loads(Path(os.environ["BENCH_ACCOUNTS"]).read_text())
OUT = Path(os.environ["BENCH_OUT"])
ROLES_WANTED = set(os.environ.get("BENCH_ROLES", "editor,reviewer,manager").split(","))
REQUESTS = []  # (t, name, method, status, ms, error)
ACKS = []  # {"t", "segment", "version", "text"} or {"t", "segment", "deleted": True}
ATTEMPTS = []  # {"t", "user", "kind", "segments"}: mutating requests sent, acknowledged or not

ROW = re.compile(r'<div class="seg [^"]*"\s+id="seg-(\d+)"[^>]*?data-version="(\d+)"')
ROW_TEXT = re.compile(r'<div class="seg-text"[^>]*>(.*?)</div>', re.S)
DELETED = re.compile(r'<div id="seg-(\d+)" hx-swap-oob="delete">')
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
BUSY_CARD = re.compile(r'hx-get="([^"]*/card/)"[^>]*hx-trigger="every 3s"')


def send_secure_cookies_over_http(session):
    """The app marks its cookies Secure (production: TLS ends at the load balancer). The bench talks
    plain HTTP to the balancer on the loopback, so the cookies go back over it all the same: before
    each request, the jar's cookies lose their Secure flag."""
    request = session.request

    def unsecured(*args, **kwargs):
        for cookie in session.cookies:
            cookie.secure = False
        return request(*args, **kwargs)

    session.request = unsecured


def rows_of(body):
    """[(segment id, version, translation)] of the rows in an answer (the main swap and out of band)."""
    found = []
    starts = [match for match in ROW.finditer(body)]
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        text = ROW_TEXT.search(body, match.end(), end)
        found.append((int(match[1]), int(match[2]), html.unescape(text[1]) if text else None))
    return found


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **_):
    status = getattr(response, "status_code", 0) if response is not None else 0
    REQUESTS.append((time.time(), name, request_type, status, round(response_time, 2),
                     type(exception).__name__ if exception else ""))  # fmt: skip


@events.quitting.add_listener
def _dump(environment, **_):
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "requests.jsonl").open("w") as out:
        for row in REQUESTS:
            out.write(json.dumps(row) + "\n")
    with (OUT / "acks.jsonl").open("w") as out:
        for row in ACKS:
            out.write(json.dumps(row) + "\n")
    with (OUT / "attempts.jsonl").open("w") as out:
        for row in ATTEMPTS:
            out.write(json.dumps(row) + "\n")


def _pool(role):
    return itertools.cycle(ACCOUNTS[role]) if role in ROLES_WANTED and ACCOUNTS.get(role) else None


POOLS = {role: _pool(role) for role in ("editor", "reviewer", "manager")}


class Person(HttpUser):
    abstract = True
    role = ""

    def on_start(self):
        self.account = next(POOLS[self.role])
        send_secure_cookies_over_http(self.client)
        self.client.cookies.set("sessionid", self.account["session"])
        self.project = self.account["project"]
        self.base = f"/projects/{self.project}"
        self.csrf = ""
        self.last_presence = 0.0
        self.last_unread = time.time()
        self.open()

    def hx(self, target=None):
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf, "Referer": self.host + self.base + "/"}
        if target:
            headers["HX-Target"] = target
        return headers

    def open(self):
        with self.client.get(f"{self.base}/script/", name="editor: open", catch_response=True) as response:
            token = CSRF.search(response.text or "")
            if response.status_code == 200 and token:
                self.csrf = token[1]
                response.success()
            elif response.status_code == 200:
                response.failure("no CSRF token in the page")

    def background(self):
        """What the open page asks for by itself: the presence poll (4 s) and the unread count (20 s)."""
        if not self.csrf:  # the page did not load (a fault): the person loads it again
            self.open()
        now = time.time()
        if now - self.last_presence >= 4:
            self.last_presence = now
            self.client.post(f"{self.base}/script/presence/", data={"since": ""}, headers=self.hx(),
                             name="editor: presence poll")  # fmt: skip
        if now - self.last_unread >= 20:
            self.last_unread = now
            self.client.get("/projects/notifications/count/", headers=self.hx(), name="unread count")


class Editor(Person):
    role = "editor"
    weight = int(os.environ.get("BENCH_EDITOR_WEIGHT", "10"))
    wait_time = between(1, 2)

    def on_start(self):
        super().on_start()
        self.mine = list(self.account["segments"])
        self.known = {}  # segment id → (version, text) as last answered
        self.counter = itertools.count(1)
        self.split_from = None
        for segment in self.mine:
            self.read(segment)

    def read(self, segment):
        response = self.client.get(f"{self.base}/script/segments/{segment}/", headers=self.hx(f"seg-{segment}"),
                                   name="editor: read row")  # fmt: skip
        if response.status_code == 200:
            for pk, version, text in rows_of(response.text):
                self.known[pk] = (version, text)

    def acknowledge(self, body, t):
        for pk, version, text in rows_of(body):
            self.known[pk] = (version, text)
            ACKS.append({"t": t, "segment": pk, "version": version, "text": text})
        for pk in DELETED.findall(body):
            self.known.pop(int(pk), None)
            ACKS.append({"t": t, "segment": int(pk), "deleted": True})

    def save(self, segment, name="editor: save"):
        if segment not in self.known:
            self.read(segment)
            if segment not in self.known:
                return
        version, was = self.known[segment]
        text = f"{self.account['name']} line {segment}, take {next(self.counter)}"
        attempt = {"t": time.time(), "user": self.account["name"], "kind": "save", "segments": [segment]}
        ATTEMPTS.append(attempt)
        with self.client.post(
            f"{self.base}/script/segments/{segment}/save/",
            data={"field": "target_text", "target_text": text, "version": version, "was": was},
            headers=self.hx(f"seg-{segment}"),
            name=name,
            catch_response=True,
        ) as response:
            attempt["acked"] = response.status_code < 500 and response.status_code != 0
            if response.status_code == 200 and "seg--saved" in response.text:
                self.acknowledge(response.text, time.time())
                response.success()
            elif response.status_code == 409:
                response.success()  # a conflict, counted as such: the row is read again
                REQUESTS.append((time.time(), "conflict", "409", 409, 0, ""))
                self.known.pop(segment, None)
                return
            elif response.status_code in (200, 404):
                self.known.pop(segment, None)
                if response.status_code == 404:
                    response.success()
                return
            else:
                self.known.pop(segment, None)
                return

    def structural(self, url, data, name, segments):
        attempt = {"t": time.time(), "user": self.account["name"], "kind": name, "segments": segments}
        ATTEMPTS.append(attempt)
        with self.client.post(url, data=data, headers=self.hx(), name=name, catch_response=True) as response:
            attempt["acked"] = response.status_code < 500 and response.status_code != 0
            if response.status_code == 200:
                self.acknowledge(response.text, time.time())
                response.success()
                return response.text
            if response.status_code in (409, 422):  # refused with a message (someone changed it meanwhile)
                response.success()
                for segment in segments:
                    self.known.pop(segment, None)
            return None

    @task(40)
    def type_and_save(self):
        self.background()
        self.save(random.choice(self.mine))

    @task(8)
    def read_a_row(self):
        self.background()
        self.read(random.choice(self.mine))

    @task(2)
    def split_then_merge(self):
        """Split a row at the middle of its text, and merge the two halves back on the next turn."""
        self.background()
        if self.split_from is not None:
            first, self.split_from = self.split_from, None
            if first in self.known:
                self.structural(f"{self.base}/script/segments/{first}/merge/", {"version": self.known[first][0]},
                                "editor: merge", [first])  # fmt: skip
            return
        segment = random.choice(self.mine)
        if segment not in self.known or not self.known[segment][1]:
            return
        version, text = self.known[segment]
        body = self.structural(f"{self.base}/script/segments/{segment}/split/",
                               {"version": version, "text_cursor": len(text) // 2}, "editor: split", [segment])  # fmt: skip
        if body is not None:
            self.split_from = segment

    @task(2)
    def undo(self):
        self.background()
        if self.split_from is not None:
            return  # merge first: the stretch stays as seeded
        self.structural(f"{self.base}/script/undo/", {}, "editor: undo", list(self.mine))

    @task(1)
    def save_the_shared_row(self):
        self.background()
        self.save(self.account["shared"], name="editor: save (shared row)")


class Reviewer(Person):
    role = "reviewer"
    weight = int(os.environ.get("BENCH_REVIEWER_WEIGHT", "2"))
    wait_time = between(2, 4)

    def on_start(self):
        super().on_start()
        self.to_approve = list(self.account["segments"])

    @task(3)
    def approve(self):
        self.background()
        if not self.to_approve:
            return
        segment = self.to_approve.pop(0)
        with self.client.post(f"{self.base}/script/review/", data={"action": "approve", "segments": segment},
                              headers=self.hx(), name="reviewer: approve", catch_response=True) as response:  # fmt: skip
            if response.status_code == 200:
                response.success()

    @task(2)
    def read_rows(self):
        self.background()
        self.client.get(f"{self.base}/script/rows/", params={"review": "needs_review"}, headers=self.hx(),
                        name="reviewer: read rows")  # fmt: skip


class Manager(Person):
    role = "manager"
    weight = int(os.environ.get("BENCH_MANAGER_WEIGHT", "1"))
    wait_time = between(3, 3)
    PUSH_EVERY_S = float(os.environ.get("BENCH_PUSH_EVERY_S", "12"))

    def on_start(self):
        super().on_start()
        self.cards = set()
        self.last_push = time.time() - random.uniform(0, self.PUSH_EVERY_S)

    def open(self):
        response = self.client.get(f"{self.base}/", name="manager: project page")
        token = CSRF.search(response.text or "")
        if token:
            self.csrf = token[1]

    @task
    def work(self):
        if not self.csrf:
            self.open()
        for card in list(self.cards):  # the job cards poll themselves every 3 s while the job runs
            response = self.client.get(card, headers=self.hx(), name="manager: job card poll")
            if response.status_code == 200 and not BUSY_CARD.search(response.text):
                self.cards.discard(card)
        if time.time() - self.last_push < self.PUSH_EVERY_S:
            return
        self.last_push = time.time()
        self.client.get(f"{self.base}/providers/", headers=self.hx(), name="manager: providers panel")
        if random.random() < 0.7:
            kind, data = (
                "create_project",
                {"mixing_mode": "voiceover_with_original_track", "create_again": "on"},
            )
        else:
            kind, data = "new_dub", {"voice_model": "kokoro", "speed": "1.0", "send_anyway": "on"}
        response = self.client.post(f"{self.base}/providers/{kind}/", data=data, headers=self.hx(),
                                    name=f"manager: push ({kind})")  # fmt: skip
        if response.status_code == 200:
            self.cards.update(BUSY_CARD.findall(response.text))


if os.environ.get("BENCH_STEPS"):

    class Steps(LoadTestShape):
        """Step-up load: BENCH_STEPS users for BENCH_STEP_S seconds each (the saturation search)."""

        steps = [int(n) for n in os.environ["BENCH_STEPS"].split(",")]
        step_s = float(os.environ.get("BENCH_STEP_S", "20"))

        def tick(self):
            index = int(self.get_run_time() // self.step_s)
            if index >= len(self.steps):
                return None
            return self.steps[index], max(self.steps[index], 50)
