"""`python -m bench.serve_load`: chats per second and p95 with 1, 2 and 3 app processes behind nginx.

One PostgreSQL and one Chroma server (deploy/services.py) hold the demo corpus, ingested and
published once, and 50 worker accounts. deploy/cluster.py starts 3 app processes behind nginx;
two more nginx instances front the first process alone and the first two. Each process answers one
warm-up chat. Then:

- **chat**: 50 workers start together; each logs in through the front, opens the page and asks its
  questions one after another (no pause). Chats per second = answers / time from the first question
  to the last answer; p50/p95 of each answer's time. The fronts take turns, round after round
  (`--repeats`), so a change in the machine's other load falls on every configuration alike; the
  median round counts.
- **chat + 100 logins**: the same, while 100 more logins (the same accounts on a second device)
  arrive at once a second after the first question.

Also measured: CPU seconds of the app processes, PostgreSQL, Chroma, nginx and this load generator
(all on the same machine: see docs/DEPLOY.md for what that means for the ratio), and each app
process's memory. The last stdout line is JSON.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.chat_load import QUESTIONS, _percentile, ask, open_page

PASSWORD = "serve-load-pw-1"
ACCOUNTS = 50
RATIO_TARGET = 2.5  # 3 processes against 1 (issue 14)
P95_LIMIT_MS = 1000


def _prepare(env: dict[str, str]) -> None:
    """The demo corpus ingested and published, and the load's worker accounts (in a child process)."""
    from demo.run import draft_and_publish, ingest_corpus
    from shifu.auth import add_user
    from shifu.context import Context
    from shifu.settings import load_settings

    ctx = Context(load_settings(environ=env))
    draft_and_publish(ctx, ingest_corpus(ctx, Path(__file__).resolve().parent.parent / "corpus"))
    for n in range(ACCOUNTS):
        add_user(ctx, f"load_worker_{n:02d}", PASSWORD, "worker")


# --- CPU seconds of process trees (Linux /proc) ---------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from the third on (state is [0])


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """User + system seconds of a process, its live descendants and its finished children."""
    total = 0
    for pid in _tree(root):
        if fields := _stat(pid):
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / _TICK


def rss_mb(root: int) -> float:
    """Resident memory of a process and its descendants, in MB."""
    total = 0
    for pid in _tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def _pid_listening(port: int) -> int | None:
    """The process whose command line names this port (the Chroma server)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"run" in argv and str(port).encode() in argv:
                return int(entry.name)
    return None


@dataclass
class Meters:
    """Which processes to charge CPU to, by role."""

    roots: dict[str, list[int]] = field(default_factory=dict)

    def read(self) -> dict[str, float]:
        out = {role: sum(cpu_seconds(p) for p in pids) for role, pids in self.roots.items()}
        own = os.times()
        out["load generator"] = own.user + own.system
        return out


def _delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: round(after[k] - before.get(k, 0.0), 1) for k in after}


# --- the load ---------------------------------------------------------------------------------------


def _login(url: str, n: int) -> tuple[httpx.Client, float, int]:
    client = httpx.Client(base_url=url, timeout=300)
    started = time.perf_counter()
    code = client.post("/login", data={"username": f"load_worker_{n % ACCOUNTS:02d}", "password": PASSWORD}).status_code
    return client, time.perf_counter() - started, code


@dataclass
class Round:
    chats: list[float] = field(default_factory=list)  # seconds per answer
    chat_logins: list[float] = field(default_factory=list)
    storm_logins: list[float] = field(default_factory=list)
    storm_codes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    first: float = 0.0
    last: float = 0.0


def _user(url: str, n: int, questions: int, go: threading.Barrier, out: Round, lock: threading.Lock) -> None:
    try:
        client, took, code = _login(url, n)
        try:
            if code != 200:
                raise RuntimeError(f"login answered {code}")
            out.chat_logins.append(took)
            session = uuid.uuid4().hex
            open_page(client, session)
            go.wait()
            for i in range(questions):
                out.chats.append(ask(client, QUESTIONS[(n + i) % len(QUESTIONS)], session))
            with lock:
                out.last = max(out.last, time.perf_counter())
        finally:
            client.close()
    except Exception as exc:  # counted and reported; the round goes on
        out.errors.append(f"{type(exc).__name__}: {exc}")
        if go.n_waiting and not go.broken:
            go.abort()


def _storm(url: str, n: int, out: Round) -> None:
    try:
        client, took, code = _login(url, n)
        client.close()
        out.storm_logins.append(took)
        out.storm_codes.append(code)
    except Exception as exc:
        out.errors.append(f"login {type(exc).__name__}: {exc}")


def run_round(url: str, *, users: int, questions: int, logins: int,
              on_start: Callable[[], None] = lambda: None) -> Round:
    """`users` workers log in and chat; `logins` more logins arrive together a second after the start.
    `on_start` runs when everyone is logged in and on their page, just before the first question."""
    out, lock = Round(), threading.Lock()
    go = threading.Barrier(users + 1, action=on_start)
    threads = [threading.Thread(target=_user, args=(url, n, questions, go, out, lock)) for n in range(users)]
    for th in threads:
        th.start()
    go.wait(timeout=600)  # everyone logged in and on their page
    out.first = time.perf_counter()
    crowd = [threading.Thread(target=_storm, args=(url, n, out)) for n in range(logins)]
    if crowd:
        time.sleep(1.0)
        for th in crowd:
            th.start()
    for th in threads + crowd:
        th.join()
    return out


def _ms(values: list[float], q: float) -> float | None:
    return round(_percentile([v * 1000 for v in values], q), 1) if values else None


def _summary(r: Round) -> dict:
    span = max(r.last - r.first, 1e-9)
    out: dict = {"chats": len(r.chats), "seconds": round(span, 1), "chats_per_s": round(len(r.chats) / span, 2),
           "p50_ms": _ms(r.chats, 0.5), "p95_ms": _ms(r.chats, 0.95), "max_ms": _ms(r.chats, 1.0),
           "login_p50_ms": _ms(r.chat_logins, 0.5), "login_p95_ms": _ms(r.chat_logins, 0.95),
           "errors": len(r.errors)}
    if r.storm_codes:
        out.update(storm_logins=len(r.storm_codes), storm_ok=sum(c == 200 for c in r.storm_codes),
                   storm_login_p50_ms=_ms(r.storm_logins, 0.5), storm_login_p95_ms=_ms(r.storm_logins, 0.95))
    if r.errors:
        out["first_error"] = r.errors[0][:300]
    return out


_LOG = re.compile(r'"\S+ (?P<path>\S+) [^"]*" (?P<status>\d{3}) (?P<upstream>\S+?),? ')


def _spread(access_log: Path, skip: int) -> tuple[dict[str, int], dict[str, int]]:
    """Chat requests per app process, and statuses of all requests, in the log lines after `skip`."""
    per_process: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for line in access_log.read_text().splitlines()[skip:]:
        if m := _LOG.search(line):
            statuses[m["status"]] = statuses.get(m["status"], 0) + 1
            if m["path"].startswith("/gradio_api/call/worker_ask/"):
                per_process[m["upstream"]] = per_process.get(m["upstream"], 0) + 1
    return per_process, statuses


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _warm(cluster) -> None:
    """One chat on each app process directly: models and index loaded before the clock starts."""
    for url in cluster.app_urls:
        client, _took, code = _login(url, 0)
        try:
            if code != 200:
                raise RuntimeError(f"warm-up login on {url} answered {code}")
            session = uuid.uuid4().hex
            open_page(client, session)
            ask(client, QUESTIONS[0], session)
        finally:
            client.close()


@dataclass
class Front:
    """nginx in front of the first n app processes."""

    processes: int
    url: str
    access_log: Path


def _measured(front: Front, meters: Meters, *, users: int, questions: int, logins: int) -> tuple[Round, dict]:
    """One round through this front: the answers, and CPU, spread and statuses from the first question on."""
    skip = _lines(front.access_log)
    before: dict[str, float] = {}

    def started() -> None:
        before.update(meters.read())

    done = run_round(front.url, users=users, questions=questions, logins=logins, on_start=started)
    cpu = _delta(before, meters.read())
    per_process, statuses = _spread(front.access_log, skip)
    return done, {"cpu_s": cpu, "chats_per_process": sorted(per_process.values(), reverse=True), "statuses": statuses}


def _pooled(rounds: list[tuple[Round, dict]]) -> dict:
    """Rounds of one kind together: median chats per second, p50/p95 over every answer, sums of the rest."""
    pooled = Round()
    for done, _ in rounds:
        pooled.chats += done.chats
        pooled.chat_logins += done.chat_logins
        pooled.storm_logins += done.storm_logins
        pooled.storm_codes += done.storm_codes
        pooled.errors += done.errors
    out = _summary(pooled)
    out["chats_per_s_each"] = [_summary(done)["chats_per_s"] for done, _ in rounds]
    out["chats_per_s"] = round(statistics.median(out["chats_per_s_each"]), 2)
    out.pop("seconds")
    cpu: dict[str, float] = {}
    statuses: dict[str, int] = {}
    for _, extra in rounds:
        for k, v in extra["cpu_s"].items():
            cpu[k] = round(cpu.get(k, 0.0) + v, 1)
        for k, n in extra["statuses"].items():
            statuses[k] = statuses.get(k, 0) + n
    out["cpu_s"], out["statuses"] = cpu, statuses
    out["app_cpu_ms_per_chat"] = round(1000 * cpu.get("app processes", 0.0) / max(out["chats"], 1), 1)
    out["backends_cpu_ms_per_chat"] = round(1000 * (cpu.get("postgres", 0.0) + cpu.get("chroma", 0.0))
                                            / max(out["chats"], 1), 1)
    out["chats_per_process"] = [r[1]["chats_per_process"] for r in rounds]
    return out


def measure(cluster, fronts: list[Front], meters: Meters, *, users: int, questions: int, logins: int,
            repeats: int, say: Callable[[str], None]) -> list[dict]:
    """Chat rounds taking turns between the fronts (so a change in the machine's load falls on all of
    them alike), `repeats` times; then one round with logins arriving per front, most processes first
    (a refused crowd of logins holds the address back on that process, so one process goes last)."""
    chat: dict[int, list] = {f.processes: [] for f in fronts}
    for r in range(repeats):
        for front in fronts:
            chat[front.processes].append(_measured(front, meters, users=users, questions=questions, logins=0))
            say(f"round {r + 1}, {front.processes} process(es): {_summary(chat[front.processes][-1][0])}")
    storms = {}
    for front in sorted(fronts, key=lambda f: -f.processes):
        storms[front.processes] = _measured(front, meters, users=users, questions=questions, logins=logins)
        say(f"{front.processes} process(es) with {logins} logins arriving: {_summary(storms[front.processes][0])}")
    rss = [rss_mb(p.pid) for p in cluster.apps]
    return [{"processes": f.processes, "chat": _pooled(chat[f.processes]),
             "chat_with_logins": _pooled([storms[f.processes]]), "rss_mb_per_process": rss[: f.processes]}
            for f in fronts]


def _profiler(pid: int, out: Path) -> subprocess.Popen:
    """py-spy sampling app process `pid` (CPU only, native frames left out) into a collapsed-stack file."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--gil",
                             "--output", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_serve_load(*, counts: tuple[int, ...] = (1, 2, 3), users: int = 50, questions: int = 10, logins: int = 100,
                   repeats: int = 2, pin: bool = False, port: int | None = None, profile: Path | None = None,
                   say: Callable[[str], None] = print) -> dict:
    """Every number of processes in `counts` against the same data and the same warm processes: the
    most processes behind the cluster's nginx, fewer behind nginx instances of their own.

    `port`: the first of the block of loopback ports to use (default: any free block).
    `profile`: a file for py-spy's samples of app process 1 over the chat rounds (collapsed stacks)."""
    from deploy.cluster import free_block, migrate_and_prepare, start_cluster, start_nginx
    from deploy.services import start_chroma, start_postgres

    most = max(counts)
    folder = Path(tempfile.mkdtemp(prefix="shifu-serve-load-"))
    folder.chmod(0o755)  # as root, PostgreSQL runs as `postgres` and must enter it
    base = port or free_block(3 + most + len(counts))  # PostgreSQL, Chroma, nginx, the app processes, other fronts
    ncpu = os.cpu_count() or 1
    postgres = start_postgres(folder / "postgres", base)
    extra: list = []
    try:
        chroma = start_chroma(folder / "chroma", base + 1)
        try:
            env = {**os.environ, "SHIFU_HOME": str(folder / "home"), "SHIFU_DATABASE_URL": postgres.url,
                   "SHIFU_CHROMA_URL": chroma.url}
            migrate_and_prepare(env, _prepare)
            postmaster = int((folder / "postgres" / "pgdata" / "postmaster.pid").read_text().split()[0])
            chroma_pid = _pid_listening(base + 1)
            with start_cluster(folder / "cluster", processes=most, port=base + 2, database_url=postgres.url,
                               chroma_url=chroma.url, home=folder / "home", say=say,
                               cpus=[{n % ncpu} for n in range(most)] if pin else None) as cluster:
                _warm(cluster)
                fronts = []
                for i, n in enumerate(sorted(counts)):
                    if n == most:
                        fronts.append(Front(n, cluster.url, cluster.access_log))
                        continue
                    port = base + 3 + most + i
                    extra.append(start_nginx(folder / f"nginx-{n}", port, cluster.app_urls[:n], cluster.cookie_id,
                                             20.0))
                    fronts.append(Front(n, f"http://127.0.0.1:{port}", folder / f"nginx-{n}" / "access.log"))
                meters = Meters({"postgres": [postmaster], "chroma": [chroma_pid] if chroma_pid else [],
                                 "app processes": [p.pid for p in cluster.apps],
                                 "nginx": [p.pid for p in [cluster.nginx, *extra] if p is not None]})
                spy = _profiler(cluster.apps[0].pid, profile) if profile else None
                try:
                    runs = measure(cluster, fronts, meters, users=users, questions=questions, logins=logins,
                                   repeats=repeats, say=say)
                finally:
                    if spy is not None:
                        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                        spy.wait(timeout=60)
                for proc in extra:
                    proc.terminate()
                    proc.wait(timeout=30)
        finally:
            chroma.stop()
    finally:
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return _report(runs, users=users, questions=questions, logins=logins, repeats=repeats, pin=pin)


def _report(runs: list[dict], **load: object) -> dict:
    one = next((r for r in runs if r["processes"] == 1), runs[0])
    for r in runs:
        r["ratio_vs_1"] = round(r["chat"]["chats_per_s"] / one["chat"]["chats_per_s"], 2)
    most = runs[-1]
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}, load average "
                   f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end",
        "load": load, "runs": runs,
        "ratio": most["ratio_vs_1"], "ratio_target": RATIO_TARGET,
        "p95_ms": most["chat"]["p95_ms"], "p95_with_logins_ms": most["chat_with_logins"]["p95_ms"],
    }
    report["ok"] = bool(report["ratio"] >= RATIO_TARGET and (report["p95_ms"] or 1e9) <= P95_LIMIT_MS
                        and (report["p95_with_logins_ms"] or 1e9) <= P95_LIMIT_MS
                        and not any(r[k]["errors"] for r in runs for k in ("chat", "chat_with_logins")))
    return report


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.serve_load [--processes 1,2,3] [--users 50] [--questions 10] [--logins 100] [--repeats 2] [--pin]`."""
    import argparse

    parser = argparse.ArgumentParser(description="Chats per second and p95 with 1, 2, 3 app processes behind nginx.")
    parser.add_argument("--processes", default="1,2,3", help="numbers of app processes to measure, comma-separated")
    parser.add_argument("--users", type=int, default=50, help="concurrent chat users")
    parser.add_argument("--questions", type=int, default=10, help="questions each user asks, one after another")
    parser.add_argument("--logins", type=int, default=100, help="logins arriving together during the second round")
    parser.add_argument("--repeats", type=int, default=2, help="chat rounds per number of processes, taking turns")
    parser.add_argument("--pin", action="store_true", help="pin app process n to CPU n (mod the CPU count)")
    parser.add_argument("--port", type=int, default=None,
                        help="first of the loopback ports to use (PostgreSQL, Chroma, nginx, the app processes, "
                             "the other fronts follow); default: any free block")
    parser.add_argument("--profile", type=Path, default=None,
                        help="sample app process 1 with py-spy over the rounds into this file (collapsed stacks)")
    args = parser.parse_args(argv)
    counts = tuple(int(x) for x in args.processes.split(","))
    report = run_serve_load(counts=counts, users=args.users, questions=args.questions, logins=args.logins,
                            repeats=args.repeats, pin=args.pin, port=args.port, profile=args.profile)
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
