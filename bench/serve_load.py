"""`python -m bench.serve_load`: chats per second and p95 with 1, 2 and 3 app processes behind nginx.

One PostgreSQL and one Chroma server (deploy/services.py) hold the demo corpus, ingested and
published once, and 50 worker accounts. For each number of processes, deploy/cluster.py starts the
app processes and nginx in front of them, each process answers one warm-up chat, and then:

- **chat**: 50 workers start together; each logs in through nginx, opens the page and asks its
  questions one after another (no pause). Chats per second = answers / time from the first question
  to the last answer; p50/p95 of each answer's time.
- **chat + 100 logins**: the same, while 100 more logins (the same accounts on a second device)
  arrive at once after the chat has started.

Also measured: CPU seconds of the app processes, PostgreSQL, Chroma, nginx and this load generator
(all on the same machine: see docs/DEPLOY.md for what that means for the ratio). The last stdout line is JSON.
"""

from __future__ import annotations

import json
import os
import platform
import re
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


def measure(processes: int, *, folder: Path, env: dict[str, str], base_port: int, users: int, questions: int,
            logins: int, meters: Meters, pin: bool, say: Callable[[str], None]) -> dict:
    """One number of app processes: start them behind nginx, warm them, run both rounds, stop them."""
    from deploy.cluster import start_cluster

    ncpu = os.cpu_count() or 1
    cpus = [{n % ncpu} for n in range(processes)] if pin else None
    with start_cluster(folder / f"p{processes}", processes=processes, port=base_port,
                       database_url=env["SHIFU_DATABASE_URL"], chroma_url=env["SHIFU_CHROMA_URL"],
                       cpus=cpus, say=say, home=Path(env["SHIFU_HOME"])) as cluster:
        _warm(cluster)
        meters.roots["app processes"] = [p.pid for p in cluster.apps]
        meters.roots["nginx"] = [cluster.nginx.pid] if cluster.nginx else []
        report: dict = {"processes": processes}
        for name, storm in (("chat", 0), ("chat_with_logins", logins)):
            skip = _lines(cluster.access_log)
            before: dict[str, float] = {}

            def started(before: dict[str, float] = before) -> None:
                before.update(meters.read())

            result = _summary(run_round(cluster.url, users=users, questions=questions, logins=storm,
                                        on_start=started))
            result["cpu_s"] = _delta(before, meters.read())  # from the first question on
            result["app_cpu_ms_per_chat"] = round(1000 * result["cpu_s"]["app processes"] / max(result["chats"], 1), 1)
            per_process, statuses = _spread(cluster.access_log, skip)
            result["chats_per_process"] = sorted(per_process.values(), reverse=True)
            result["statuses"] = statuses
            say(f"{processes} process(es), {name}: {json.dumps(result, ensure_ascii=False)}")
            report[name] = result
        report["rss_mb_per_process"] = [rss_mb(p.pid) for p in cluster.apps]
        return report


def run_serve_load(*, counts: tuple[int, ...] = (1, 2, 3), users: int = 50, questions: int = 10, logins: int = 100,
                   pin: bool = False, say: Callable[[str], None] = print) -> dict:
    """Every number of processes in `counts` against the same data; the ratios against one process."""
    from deploy.cluster import free_block, migrate_and_prepare
    from deploy.services import start_chroma, start_postgres

    folder = Path(tempfile.mkdtemp(prefix="shifu-serve-load-"))
    folder.chmod(0o755)  # as root, PostgreSQL runs as `postgres` and must enter it
    base = free_block(max(counts) + 3)  # PostgreSQL, Chroma, nginx, the app processes
    postgres = start_postgres(folder / "postgres", base)
    try:
        chroma = start_chroma(folder / "chroma", base + 1)
        try:
            env = {**os.environ, "SHIFU_HOME": str(folder / "home"), "SHIFU_DATABASE_URL": postgres.url,
                   "SHIFU_CHROMA_URL": chroma.url}
            migrate_and_prepare(env, _prepare)
            postmaster = int((folder / "postgres" / "pgdata" / "postmaster.pid").read_text().split()[0])
            chroma_pid = _pid_listening(base + 1)
            meters = Meters({"postgres": [postmaster], "chroma": [chroma_pid] if chroma_pid else []})
            runs = [measure(n, folder=folder, env=env, base_port=base + 2, users=users, questions=questions,
                            logins=logins, meters=meters, pin=pin, say=say) for n in counts]
        finally:
            chroma.stop()
    finally:
        postgres.stop()
    return _report(runs, users=users, questions=questions, logins=logins, pin=pin)


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
    """`python -m bench.serve_load [--processes 1,2,3] [--users 50] [--questions 10] [--logins 100] [--pin]`."""
    import argparse

    parser = argparse.ArgumentParser(description="Chats per second and p95 with 1, 2, 3 app processes behind nginx.")
    parser.add_argument("--processes", default="1,2,3", help="numbers of app processes to measure, comma-separated")
    parser.add_argument("--users", type=int, default=50, help="concurrent chat users")
    parser.add_argument("--questions", type=int, default=10, help="questions each user asks, one after another")
    parser.add_argument("--logins", type=int, default=100, help="logins arriving together during the second round")
    parser.add_argument("--pin", action="store_true", help="pin app process n to CPU n (mod the CPU count)")
    args = parser.parse_args(argv)
    counts = tuple(int(x) for x in args.processes.split(","))
    report = run_serve_load(counts=counts, users=args.users, questions=args.questions, logins=args.logins, pin=args.pin)
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
