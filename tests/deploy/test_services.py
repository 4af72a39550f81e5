"""deploy/services.py: a throw-away PostgreSQL and Chroma server that answer, and stop."""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from deploy.services import start_chroma, start_postgres
from shifu.errors import ShifuError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def folder() -> Iterator[Path]:
    """A temp folder the postgres user can reach (pytest's own are private to root)."""
    made = Path(tempfile.mkdtemp(prefix="shifu-services-"))
    made.chmod(0o755)  # PostgreSQL runs as the postgres user when tests run as root
    yield made
    shutil.rmtree(made, ignore_errors=True)


@pytest.mark.slow
def test_postgres_starts_answers_sql_and_stops(folder: Path) -> None:
    port = _free_port()
    service = start_postgres(folder, port)
    try:
        assert service.url == f"postgresql+psycopg://shifu@127.0.0.1:{port}/shifu"
        with psycopg.connect(f"postgresql://shifu@127.0.0.1:{port}/shifu") as conn:
            assert conn.execute("SELECT 40 + 2").fetchone() == (42,)
    finally:
        service.stop()
    service.stop()  # twice is harmless
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://shifu@127.0.0.1:{port}/shifu", connect_timeout=2)


@pytest.mark.slow
def test_chroma_starts_answers_and_refuses_a_port_in_use(folder: Path) -> None:
    import httpx

    service = start_chroma(folder / "one", _free_port())
    try:
        assert httpx.get(f"{service.url}/api/v2/heartbeat", timeout=5).status_code == 200
        with pytest.raises(ShifuError, match="already answers"):
            start_chroma(folder / "two", int(service.url.rsplit(":", 1)[1]))
    finally:
        service.stop()
    service.stop()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{service.url}/api/v2/heartbeat", timeout=2)
