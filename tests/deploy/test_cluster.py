"""The programme's topology, for real: nginx in front of three app processes, one PostgreSQL, one
Chroma server (deploy/cluster.py). Users log in and chat through the one address; their requests are
served by different processes with no 401 or 404; a session outlives the process that made it."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from deploy.cluster import Cluster, free_block, start_cluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                       reason="nginx is not installed (make test installs it)"),
    pytest.mark.skipif(os.environ.get("SHIFU_TEST_BACKEND") == "server",
                       reason="starts its own PostgreSQL and Chroma server: once per `make test` is enough"),
]
CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PASSWORD = "cluster-pw-1"
PROCESSES = 3
QUESTION = "氩弧焊用什么气体保护？"
_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) (?P<upstream>.+?) (?P<upstream_status>[\d, :-]+) [\d.]+$')


def _prepare(env: dict[str, str]) -> None:
    """One published welding course and a worker account, before the app processes start."""
    from demo.run import draft_and_publish, ingest_corpus
    from shifu.auth import add_user
    from shifu.context import Context
    from shifu.settings import load_settings

    corpus = Path(env["SHIFU_HOME"]).parent / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "welding_tig_mig_zh_gbk.txt", corpus)
    ctx = Context(load_settings(environ=env))
    draft_and_publish(ctx, ingest_corpus(ctx, corpus))
    add_user(ctx, "cluster_worker", PASSWORD, "worker")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Not pytest's tmp_path: as root, PostgreSQL runs as `postgres`, which cannot enter that (mode 0700).
    folder = Path(tempfile.mkdtemp(prefix="shifu-cluster-test-"))
    base = free_block(PROCESSES + 3)
    try:
        with start_cluster(folder, processes=PROCESSES, port=base, postgres_port=base + PROCESSES + 1,
                           chroma_port=base + PROCESSES + 2, prepare=_prepare) as running:
            yield running
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _requests(cluster: Cluster) -> list[dict[str, str]]:
    return [m.groupdict() for m in map(_LINE.search, cluster.access_log.read_text().splitlines()) if m]


def _login(cluster: Cluster) -> httpx.Client:
    http = httpx.Client(base_url=cluster.url, timeout=120)
    assert http.post("/login", data={"username": "cluster_worker", "password": PASSWORD}).status_code == 200
    return http


def _served_by(cluster: Cluster, http: httpx.Client) -> str:
    """The app process this browser's requests go to (nginx's log of a fresh request)."""
    marker = f"/config?probe={uuid.uuid4().hex}"
    assert http.get(marker).status_code == 200
    for _ in range(50):  # nginx writes its log line as the request ends, which may be just after we read
        found = next((r["upstream"] for r in _requests(cluster) if r["path"] == marker), None)
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"nginx never logged {marker}")


def _chat(http: httpx.Client) -> str:
    """Open the worker's page and ask one question, as the browser does; the answer's text."""
    from bench.chat_load import open_page

    session = uuid.uuid4().hex
    open_page(http, session)
    r = http.post("/gradio_api/call/worker_ask", json={"data": [QUESTION, []], "session_hash": session})
    assert r.status_code == 200
    with http.stream("GET", f"/gradio_api/call/worker_ask/{r.json()['event_id']}") as stream:
        assert stream.status_code == 200
        lines = list(stream.iter_lines())
    assert "event: complete" in lines, lines[-3:]
    history, _box = json.loads(lines[lines.index("event: complete") + 1].removeprefix("data: "))
    return "".join(part["text"] for part in history[-1]["content"])


def test_logins_and_chats_spread_over_the_processes_without_401_or_404(cluster: Cluster) -> None:
    browsers: dict[str, httpx.Client] = {}
    with ExitStack() as closing:
        for _ in range(40):  # each login's session goes to one process; log in until every process has one
            http = _login(cluster)
            closing.callback(http.close)
            browsers.setdefault(_served_by(cluster, http), http)
            if len(browsers) == PROCESSES:
                break
        assert len(browsers) == PROCESSES, f"sessions reached only {sorted(browsers)}"
        for upstream, http in browsers.items():
            assert "氩" in _chat(http)
            assert _served_by(cluster, http) == upstream, "a browser's requests stay on one process"
    crossed = [r for r in _requests(cluster) if r["status"] in ("401", "404")]
    assert not crossed, crossed[:5]


@pytest.mark.browser
def test_a_worker_logs_in_and_chats_in_the_browser_through_nginx(cluster: Cluster, browser) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(cluster.url)
        page.locator("input:not([type=password])").first.fill("cluster_worker")
        page.locator("input[type=password]").fill(PASSWORD)
        page.locator("input[type=password]").press("Enter")
        expect(page.get_by_text("欢迎，cluster_worker")).to_be_visible()
        expect(page.locator("#w-catalogue")).to_contain_text("焊工")
        page.get_by_role("tab", name="问师傅", exact=True).click()
        page.locator("#w-question textarea, #w-question input").first.fill(QUESTION)
        page.locator("#w-send").click()
        expect(page.locator("#w-chat").get_by_text(re.compile(r"^\[1\]")).first).to_be_visible()
    finally:
        context.close()
    # (Gradio's page also asks for /info, which no process has: a 404 there is not a crossing)
    crossed = [r for r in _requests(cluster) if r["status"] == "401"
               or r["status"] == "404" and r["path"].startswith(("/gradio_api/", "/config", "/login"))]
    assert not crossed, crossed[:5]


def test_a_session_outlives_the_process_that_made_it(cluster: Cluster) -> None:
    logins = len(_logins(cluster))
    http = _login(cluster)
    try:
        _outlives(cluster, http, logins)
    finally:
        http.close()


def _logins(cluster: Cluster) -> list[str]:
    return [r["upstream"] for r in _requests(cluster) if r["path"] == "/login"]


def _outlives(cluster: Cluster, http: httpx.Client, logins_before: int) -> None:
    for _ in range(50):  # this login's line, once nginx has written it
        if len(made := _logins(cluster)) > logins_before:
            break
        time.sleep(0.1)
    made_by = made[-1]
    n = cluster.app_urls.index(f"http://{made_by}")
    served_before = _served_by(cluster, http)
    cluster.stop_app(n)
    assert http.get("/config").status_code == 200, "the session is still valid"
    assert _served_by(cluster, http) != made_by
    _chat(http)  # and the chat answers from the process that took over
    assert served_before == made_by or _served_by(cluster, http) == served_before, \
        "a session whose process is still up stays where it was"
