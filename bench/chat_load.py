"""`shifu eval chat-load`: chat latency with concurrent workers, alone and while a draft runs.

Everything stays on 127.0.0.1: the demo corpus is ingested and published in a temporary
SHIFU_HOME, the app is served by a separate `shifu serve` process, and each simulated
worker logs in and asks questions over Gradio's HTTP API (the same calls the browser makes).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from shifu.context import Context
from shifu.settings import Settings, load_settings

QUESTIONS = [
    "氩弧焊用什么气体保护？", "不锈钢多层焊层间温度不能超过多少度？", "刹车片多厚需要更换？",
    "对刀时要注意什么？", "光缆接头盒怎么防水？", "给顾客量脚要注意什么？", "焊条用之前要烘干吗？",
    "What should you check before climbing a pole?", "How do you check refrigerant charge?",
    "车床主轴转速怎么选？", "薄板焊接电流怎么调？", "室外风大时气保焊怎么办？",
]
PASSWORD = "chat-load-pw-1"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def prepare(home: Path, corpus: Path, say: Callable[[str], None]) -> list[str]:
    """Ingest and publish the corpus in `home`; add the load-test accounts. Returns transcript ids."""
    from demo.run import draft_and_publish, ingest_corpus
    from shifu.auth import add_user

    settings = load_settings(home=home)
    ctx = Context(settings)
    ids = ingest_corpus(ctx, corpus)
    draft_and_publish(ctx, ids)
    add_user(ctx, "load_worker", PASSWORD, "worker")
    add_user(ctx, "load_trainer", PASSWORD, "trainer")
    say(f"prepared {len(ids)} transcripts in {home}")
    return ids


def _serve(home: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "SHIFU_HOME": str(home), "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli.main", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code in (200, 401):
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"the app did not start on port {port} within 120 s")


def _login(url: str, user: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=120)
    client.post("/login", data={"username": user, "password": PASSWORD}).raise_for_status()
    return client


def ask(client: httpx.Client, question: str, session: str | None = None) -> float:
    """One chat question through Gradio's HTTP API; seconds until the answer is complete.

    `session` plays the browser tab: a page keeps one session for all its questions.
    """
    start = time.perf_counter()
    r = client.post("/gradio_api/call/worker_ask", json={"data": [question, []], "session_hash": session})
    r.raise_for_status()
    event_id = r.json()["event_id"]
    with client.stream("GET", f"/gradio_api/call/worker_ask/{event_id}") as stream:
        lines = stream.iter_lines()
        for line in lines:
            if line.startswith("event: error"):
                raise RuntimeError(f"the chat answered with an error: {next(lines, '')!r}")
            if line.startswith("event: complete"):
                break
    return time.perf_counter() - start


def open_page(client: httpx.Client, session: str) -> None:
    """What a browser does on page load: the catalogue loads, creating the page's session."""
    # trade, enterprise, course language (all), the page's language
    r = client.post("/gradio_api/call/worker_catalogue_tab", json={"data": ["", "", "", "zh"], "session_hash": session})
    r.raise_for_status()
    with client.stream("GET", f"/gradio_api/call/worker_catalogue_tab/{r.json()['event_id']}") as stream:
        lines = stream.iter_lines()
        for line in lines:
            if line.startswith("event: error"):
                raise RuntimeError(f"the catalogue answered with an error: {next(lines, '')!r}")
            if line.startswith("event: complete"):
                break


def _chat_round(url: str, users: int, questions: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[Exception] = []
    ready = threading.Event()

    def one_user(n: int) -> None:
        try:
            client = _login(url, "load_worker")
            session = uuid.uuid4().hex
            try:
                open_page(client, session)
                ready.wait()
                for i in range(questions):
                    took = ask(client, QUESTIONS[(n + i) % len(QUESTIONS)], session)
                    with lock:
                        latencies.append(took)
            finally:
                client.close()
        except Exception as exc:  # reported after the round
            errors.append(exc)

    threads = [threading.Thread(target=one_user, args=(n,)) for n in range(users)]
    for th in threads:
        th.start()
    time.sleep(0.5)
    ready.set()  # everyone starts asking together, after their page has loaded
    for th in threads:
        th.join()
    if errors:
        raise RuntimeError(f"{len(errors)} simulated users failed: {errors[0]}")
    return latencies


def _drafting(url: str, stop: threading.Event, done: list[float]) -> None:
    """Keep a draft of every interview running until told to stop."""
    from gradio_client import Client

    client = Client(url, auth=("load_trainer", PASSWORD), verbose=False)
    _pick, chosen, _engine, _note = client.predict(api_name="/trainer_transcripts_draft")
    ids = [value for _label, value in chosen["choices"]]
    while not stop.is_set():
        start = time.perf_counter()
        client.predict(ids, "offline", api_name="/trainer_draft")
        done.append(time.perf_counter() - start)


def _summary(latencies: list[float]) -> dict:
    ms = [x * 1000 for x in latencies]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(_percentile(ms, 0.95), 1),
            "max_ms": round(max(ms), 1)}


def run_chat_load(settings: Settings, *, users: int = 10, questions: int = 10, with_draft: bool = True,
                  port: int = 7871, corpus: Path | None = None,
                  say: Callable[[str], None] = print) -> dict:
    """Chat p50/p95 with `users` concurrent workers: alone (baseline), then while drafts run."""
    corpus = corpus or Path(__file__).resolve().parent.parent / "corpus"
    with tempfile.TemporaryDirectory(prefix="shifu-chat-load-") as tmp:
        home = Path(tmp) / "home"
        prepare(home, corpus, say)
        server = _serve(home, port)
        url = f"http://127.0.0.1:{port}"
        try:
            warm = _login(url, "load_worker")
            ask(warm, QUESTIONS[0])  # load the index and models once
            warm.close()
            say(f"chat alone: {users} users x {questions} questions ...")
            alone = _summary(_chat_round(url, users, questions))
            say(json.dumps(alone))
            report: dict = {"users": users, "questions_per_user": questions, "alone": alone}
            if with_draft:
                stop, drafts = threading.Event(), list[float]()
                drafter = threading.Thread(target=_drafting, args=(url, stop, drafts), daemon=True)
                drafter.start()
                time.sleep(3)  # let the first draft get going
                say("chat while drafting ...")
                busy = _summary(_chat_round(url, users, questions))
                stop.set()
                drafter.join(timeout=300)
                busy["drafts_finished"] = len(drafts)
                busy["draft_s"] = round(statistics.mean(drafts), 1) if drafts else None
                report["while_drafting"] = busy
                say(json.dumps(busy))
            worst = report.get("while_drafting", alone)["p95_ms"]
            report["p95_ms"] = worst
            report["ok"] = worst <= 1000
            return report
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.chat_load [--users N] [--questions N] [--no-draft] [--port P]`; last line JSON."""
    import argparse

    from shifu.settings import load_settings

    parser = argparse.ArgumentParser(description="Chat latency (p50/p95) with N concurrent users while a draft runs.")
    parser.add_argument("--users", type=int, default=10, help="concurrent chat users")
    parser.add_argument("--questions", type=int, default=20, help="questions each user asks")
    parser.add_argument("--draft", action=argparse.BooleanOptionalAction, default=True,
                        help="run a course draft at the same time")
    parser.add_argument("--port", type=int, default=7871, help="loopback port for the app under test")
    args = parser.parse_args(argv)
    report = run_chat_load(load_settings(), users=args.users, questions=args.questions, with_draft=args.draft,
                           port=args.port)
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
