"""Throw-away back ends on loopback: a PostgreSQL cluster and a Chroma server in a folder.

    start_postgres(folder, port) -> Service(url, stop)   # url: postgresql+psycopg://shifu@127.0.0.1:port/shifu
    start_chroma(folder, port) -> Service(url, stop)     # url: http://127.0.0.1:port

Each waits until its server answers and raises ShifuError (Chinese / English) when a binary
is missing, saying what to install, or when the server does not come up, with its log's tail.
PostgreSQL refuses to run as root: as root the cluster is run by the Debian `postgres` user
(runuser), which must be able to reach `folder` (a folder under /tmp made with mode 0755 is).
The PostgreSQL cluster is for tests and examples: fsync is off, every loopback login is trusted.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shifu.errors import ShifuError

PG_USER = "shifu"  # the cluster's superuser and the database it creates
READY_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Service:
    """A running server: where to reach it and how to stop it (stopping twice is harmless)."""

    url: str
    stop: Callable[[], None]
    log: Path


def _pg_binary(name: str) -> str:
    """PostgreSQL's programs: on PATH, else where Debian keeps them (/usr/lib/postgresql/N/bin)."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise ShifuError(f"找不到 PostgreSQL 的 {name}：请安装 PostgreSQL（Debian：sudo apt-get install postgresql）/ "
                         f"PostgreSQL's {name} not found: install PostgreSQL (Debian: sudo apt-get install postgresql)")
    return found


def _as_postgres_user(argv: list[str]) -> list[str]:
    """Root may not run PostgreSQL: run it as the Debian `postgres` user."""
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if not runuser:
        raise ShifuError("以 root 运行 PostgreSQL 需要 runuser（util-linux）/ running PostgreSQL as root needs runuser (util-linux)")
    return [runuser, "-u", "postgres", "--", *argv]


def _give_to_postgres_user(path: Path) -> None:
    if os.geteuid() == 0:
        try:
            shutil.chown(path, user="postgres", group="postgres")
        except LookupError as exc:
            raise ShifuError("以 root 运行时需要 postgres 用户：请安装 Debian 软件包 postgresql / running as root needs "
                             "the postgres user: install the Debian package postgresql") from exc


def _run(argv: list[str], what: str, log: Path) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=READY_TIMEOUT_S * 2)
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(argv)}\n{done.stdout}{done.stderr}")
    if done.returncode != 0:
        raise ShifuError(f"{what} 失败 / failed (exit {done.returncode}): {_tail(log)}")


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return " | ".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start_postgres(folder: Path, port: int) -> Service:
    """Start a fresh PostgreSQL cluster in folder/pgdata on 127.0.0.1:port with a database `shifu`."""
    initdb, pg_ctl, createdb = (_pg_binary(n) for n in ("initdb", "pg_ctl", "createdb"))
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    data, log = folder / "pgdata", folder / "postgres.log"
    data.mkdir(mode=0o700)
    log.touch()
    for path in (data, log):
        _give_to_postgres_user(path)
    _run(_as_postgres_user([initdb, "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                            "--locale=C.UTF-8", "--no-sync"]), "initdb", log)
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -k {data} -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=300")
    _run(_as_postgres_user([pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w",
                            "-t", str(int(READY_TIMEOUT_S)), "start"]), f"PostgreSQL 启动 / start on port {port}", log)

    def stop() -> None:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True, timeout=READY_TIMEOUT_S)

    try:
        _run(_as_postgres_user([createdb, "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER, PG_USER]),
             "createdb", log)
    except BaseException:
        stop()
        raise
    return Service(f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}/{PG_USER}", stop, log)


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """Ask a server process to stop; kill it when it has not within `timeout` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _chroma_binary() -> str:
    """The `chroma` CLI installed with chromadb: beside this Python first, else on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        raise ShifuError("找不到 chroma 命令：请安装 chromadb（pip install chromadb）/ the chroma command was not "
                         "found: install chromadb (pip install chromadb)")
    return found


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_chroma(folder: Path, port: int) -> Service:
    """Start a Chroma server storing in folder/chroma, on 127.0.0.1:port."""
    folder = Path(folder).resolve()
    (folder / "chroma").mkdir(parents=True, exist_ok=True)
    log = folder / "chroma.log"
    url = f"http://127.0.0.1:{port}"
    if _answers(url):
        raise ShifuError(f"端口 {port} 已有服务在运行 / something already answers on port {port}: choose another port")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with log.open("ab") as out:
        server = subprocess.Popen([_chroma_binary(), "run", "--path", str(folder / "chroma"), "--host", "127.0.0.1",
                                   "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=env, start_new_session=True)

    def stop() -> None:
        stop_process(server, timeout=15)

    deadline = time.monotonic() + READY_TIMEOUT_S
    while not _answers(url):
        if server.poll() is not None or time.monotonic() > deadline:
            stop()
            raise ShifuError(f"Chroma 服务未能在端口 {port} 启动 / the Chroma server did not start on port {port}: "
                             f"{_tail(log)}")
        time.sleep(0.2)
    return Service(url, stop, log)
