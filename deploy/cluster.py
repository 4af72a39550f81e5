"""`python -m deploy.cluster`: shifu as the programme runs it, on one machine, started by one command.

    PostgreSQL ─┐
    Chroma ─────┼─ app process 1..N (`shifu serve`) ─ nginx (one address, sticky by login)
    SHIFU_HOME ─┘

The database schema is brought up to date once, before any app process starts; then the app
processes start, then nginx in front of them. The address is printed; Ctrl-C stops everything,
nginx first. With --database-url / --chroma-url an existing PostgreSQL / Chroma server is used
instead of a throw-away one in the folder. See docs/DEPLOY.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deploy.services import Service, start_chroma, start_postgres, stop_process
from shifu.errors import ShifuError

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.j2")
READY_TIMEOUT_S = 180.0  # an app process loads its models and index before it answers


@dataclass
class Cluster:
    """A running installation: its address, its app processes, and how to stop it all."""

    url: str
    folder: Path
    env: dict[str, str]  # the settings a `shifu` command needs to work on this installation
    apps: list[subprocess.Popen] = field(default_factory=list)
    app_urls: list[str] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    cookie_id: str = ""  # the login cookie's installation part, which nginx routes by
    services: list[Service] = field(default_factory=list)

    @property
    def access_log(self) -> Path:
        """nginx's log: one line per request with the process that served it."""
        return self.folder / "nginx" / "access.log"

    def stop_app(self, n: int) -> None:
        """Stop app process `n` (as a crash or an upgrade would); nginx sends its sessions elsewhere."""
        _stop(self.apps[n])

    def stop(self) -> None:
        """Stop nginx, the app processes, then the servers they used (stopping twice is harmless)."""
        if self.nginx is not None:
            _stop(self.nginx)
        for app in self.apps:
            _stop(app)
        for service in reversed(self.services):
            service.stop()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _stop(proc: subprocess.Popen) -> None:
    stop_process(proc, timeout=30)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return bool(reply.status < 500)
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError):
        return False


def _wait_for(url: str, proc: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not _answers(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = " | ".join(log.read_text(errors="replace").splitlines()[-10:]) if log.exists() else ""
            raise ShifuError(f"{what} 未能启动 / did not start ({url}): {tail}")
        time.sleep(0.3)


def nginx_binary() -> str:
    """The nginx program (Debian keeps it in /usr/sbin, often not on a user's PATH)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if Path(p).exists()), None)
    if not found:
        raise ShifuError("找不到 nginx：请安装（Debian：sudo apt-get install nginx）/ nginx not found: "
                         "install it (Debian: sudo apt-get install nginx)")
    return found


def nginx_config(folder: Path, listen: str, servers: list[str], cookie_id: str, max_body_mb: int) -> str:
    """The nginx configuration for these app processes (deploy/nginx.conf.j2)."""
    from jinja2 import Environment, StrictUndefined

    template = Environment(undefined=StrictUndefined, keep_trailing_newline=True).from_string(
        TEMPLATE.read_text(encoding="utf-8"))
    return template.render(folder=folder, listen=listen, servers=servers, cookie_id=cookie_id,
                           max_body_mb=max_body_mb)


def _start_app(cluster: Cluster, n: int, port: int, cpus: set[int] | None) -> None:
    log = cluster.folder / f"app-{n + 1}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ui.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=REPO, env=cluster.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)  # Ctrl-C reaches this command, which stops them in order
    if cpus:
        os.sched_setaffinity(proc.pid, cpus)
    cluster.apps.append(proc)
    cluster.app_urls.append(f"http://127.0.0.1:{port}")


def start_nginx(folder: Path, port: int, app_urls: list[str], cookie_id: str, max_file_mb: float) -> subprocess.Popen:
    """nginx on 127.0.0.1:port in front of these app processes, its files in `folder`; waits until it answers."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # as root, nginx's workers run as `nobody` and must reach their temp folders
    servers = [u.removeprefix("http://") for u in app_urls]
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, f"127.0.0.1:{port}", servers, cookie_id, int(max_file_mb) + 2),
                    encoding="utf-8")
    proc = subprocess.Popen([nginx_binary(), "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/", proc, "nginx", folder / "error.log")
    except BaseException:
        _stop(proc)
        raise
    return proc


def _in_child(prepare: Callable[[dict[str, str]], None], env: dict[str, str]) -> None:
    """Run `prepare` in a child process: the models and connections it opens go with it."""
    child = multiprocessing.get_context("fork").Process(target=prepare, args=(env,))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise ShifuError(f"准备数据失败 / preparing the data failed (exit {child.exitcode}); see the messages above")


def migrate_and_prepare(env: dict[str, str], prepare: Callable[[dict[str, str]], None] | None = None) -> str:
    """Bring the schema up to date (once, before any app process starts), then `prepare(env)` in a
    child process; returns the installation's login cookie id (for nginx's routing)."""
    from shifu.context import Context
    from shifu.sessions import cookie_id
    from shifu.settings import load_settings
    from shifu.store import release, upgrade

    settings = load_settings(environ=env)
    upgrade(settings)
    cookie = cookie_id(Context(settings))
    release(settings)  # this command keeps no connection open while it waits
    if prepare is not None:
        _in_child(prepare, env)
    return cookie


def free_block(size: int) -> int:
    """A port p with p .. p+size-1 all free on loopback (for tests and benchmarks)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + size > 65000:
            continue
        try:
            for port in range(base, base + size):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise ShifuError(f"没有连续 {size} 个空闲端口 / no {size} free ports in a row on 127.0.0.1")


def start_cluster(folder: Path, *, processes: int = 3, port: int = 8080, app_port: int | None = None,
                  database_url: str | None = None, chroma_url: str | None = None, postgres_port: int = 5433,
                  chroma_port: int = 8000, sqlite: bool = False, home: Path | None = None,
                  prepare: Callable[[dict[str, str]], None] | None = None,
                  cpus: list[set[int]] | None = None, say: Callable[[str], None] = print) -> Cluster:
    """Start PostgreSQL and Chroma (unless given), migrate once, `prepare(env)`, N app processes, nginx.

    `sqlite`: one SQLite file in the folder shared by the processes instead of PostgreSQL (one
    machine only). `home`: the shared SHIFU_HOME (default folder/home). `cpus` pins app process n
    to the CPUs cpus[n % len(cpus)] (for measurements)."""
    from shifu.settings import load_settings

    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # as root, PostgreSQL and nginx's workers run as other users and must enter it
    home = Path(home or folder / "home").resolve()
    cluster = Cluster(url=f"http://127.0.0.1:{port}", folder=folder, env={})
    try:
        if database_url is None and sqlite:
            database_url = f"sqlite:///{home / 'shifu.db'}"
        if database_url is None:
            say(f"PostgreSQL on 127.0.0.1:{postgres_port} ...")
            cluster.services.append(start_postgres(folder / "postgres", postgres_port))
            database_url = cluster.services[-1].url
        if chroma_url is None:
            say(f"Chroma on 127.0.0.1:{chroma_port} ...")
            cluster.services.append(start_chroma(folder / "chroma", chroma_port))
            chroma_url = cluster.services[-1].url
        cluster.env = {**os.environ, "SHIFU_HOME": str(home), "SHIFU_DATABASE_URL": database_url,
                       "SHIFU_CHROMA_URL": chroma_url, "GRADIO_ANALYTICS_ENABLED": "False",
                       "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO)}
        cookie = migrate_and_prepare(cluster.env, prepare)
        first = app_port or port + 1
        for n in range(processes):
            _start_app(cluster, n, first + n, cpus[n % len(cpus)] if cpus else None)
        for n, (proc, url) in enumerate(zip(cluster.apps, cluster.app_urls, strict=True)):
            _wait_for(url + "/", proc, f"app {n + 1}", folder / f"app-{n + 1}.log")
        say(f"{processes} app processes on {', '.join(cluster.app_urls)}")
        cluster.cookie_id = cookie
        cluster.nginx = start_nginx(folder / "nginx", port, cluster.app_urls, cookie,
                                    load_settings(environ=cluster.env).max_file_mb)
        return cluster
    except BaseException:
        cluster.stop()
        raise


def _demo(env: dict[str, str]) -> None:
    """Ingest and publish the demo corpus; print fresh passwords for the demo accounts."""
    from demo.run import demo_accounts, draft_and_publish, ingest_corpus
    from shifu.context import Context
    from shifu.settings import load_settings

    ctx = Context(load_settings(environ=env))
    draft_and_publish(ctx, ingest_corpus(ctx, REPO / "corpus"))
    for role, (username, password) in demo_accounts(ctx).items():
        print(f"   {role:<8} username: {username:<8} password: {password}", flush=True)


def _interrupt(*_args: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Start the cluster, print its address and the settings for `shifu` commands, wait for Ctrl-C."""
    parser = argparse.ArgumentParser(description="nginx + N shifu app processes + PostgreSQL + Chroma, on loopback.")
    parser.add_argument("--processes", type=int, default=3, help="app processes behind nginx")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port: the one address users open")
    parser.add_argument("--app-port", type=int, default=None, help="first app process's port (default: --port + 1)")
    parser.add_argument("--folder", type=Path, default=None, help="where everything lives (default: a new temp folder)")
    parser.add_argument("--database-url", default=None, help="an existing database (default: a new PostgreSQL)")
    parser.add_argument("--sqlite", action="store_true", help="one SQLite file shared by the processes, not PostgreSQL")
    parser.add_argument("--chroma-url", default=None, help="an existing Chroma server (default: a new one)")
    parser.add_argument("--postgres-port", type=int, default=5433)
    parser.add_argument("--chroma-port", type=int, default=8000)
    parser.add_argument("--demo", action="store_true", help="ingest and publish the demo corpus, make demo accounts")
    args = parser.parse_args(argv)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="shifu-cluster-"))
    try:
        cluster = start_cluster(folder, processes=args.processes, port=args.port, app_port=args.app_port,
                                database_url=args.database_url, chroma_url=args.chroma_url,
                                postgres_port=args.postgres_port, chroma_port=args.chroma_port,
                                sqlite=args.sqlite, prepare=_demo if args.demo else None)
    except ShifuError as exc:
        print(exc, file=sys.stderr)
        return 1
    names = ("SHIFU_HOME", "SHIFU_DATABASE_URL", "SHIFU_CHROMA_URL")
    print("在此安装上运行 shifu 命令 / for `shifu` commands on this installation (e.g. shifu users add NAME "
          "--role admin):\n   " + " ".join(f"{k}={cluster.env[k]}" for k in names))
    print(f"shifu 已启动 / shifu on {cluster.url} — {args.processes} processes, logs in {folder} "
          "(Ctrl+C 停止 / to stop)", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        while all(p.poll() is None for p in [*cluster.apps, cluster.nginx] if p is not None):
            time.sleep(1)
        print("有进程自行退出，正在停止其余进程（见日志）/ a process stopped on its own; stopping the rest "
              "(see the logs)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("正在停止 / stopping ...")
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main())
