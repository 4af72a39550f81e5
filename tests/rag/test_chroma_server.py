"""SHIFU_CHROMA_URL: the server is checked before use (reachable, same major version), and a path
in the URL is a Chroma database of its own."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag import chroma_server
from rag.chroma_server import parse_address
from rag.index import HybridIndex
from shifu.errors import ConfigError
from shifu.models import Chunk
from shifu.settings import load_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def old_server() -> Iterator[str]:
    """An HTTP peer that reports Chroma 0.6.3, as an old server does."""

    class Old(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = json.dumps("0.6.3").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Old)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_url_names_host_port_and_database() -> None:
    assert parse_address("http://chroma:9000/plant-a").database == "plant-a"
    assert parse_address("http://chroma:9000").database == "default_database"
    assert parse_address("https://chroma").port == 443
    for bad in ("chroma:8000", "http://chroma:8000/a/b"):
        with pytest.raises(ConfigError, match="SHIFU_CHROMA_URL"):
            parse_address(bad)


def test_an_unreachable_server_is_one_line_that_says_what_to_do(monkeypatch, shifu_home: Path) -> None:
    monkeypatch.setenv("SHIFU_CHROMA_URL", f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ConfigError, match="cannot reach the Chroma server"), HybridIndex(load_settings()) as idx:
        idx.count()
    interview = shifu_home.parent / "weld.txt"
    interview.write_text("问：焊接前要预热吗？\n张师傅：要，预热到一百五十度。\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ui.cli.main", "ingest", str(interview)], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[2], timeout=300)
    assert done.returncode == 1
    assert "cannot reach the Chroma server" in done.stderr and "chroma run" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_server_of_another_major_version_is_refused(old_server: str, monkeypatch) -> None:
    monkeypatch.setattr(chroma_server, "_checked", set())
    monkeypatch.setenv("SHIFU_CHROMA_URL", old_server)
    with pytest.raises(ConfigError, match=r"is version 0\.6\.3 but this program's chromadb is 1\."), \
            HybridIndex(load_settings()) as idx:
        idx.count()


def test_two_databases_on_one_server_do_not_see_each_other(tmp_path: Path) -> None:
    from deploy.services import start_chroma

    server = start_chroma(tmp_path / "server", _free_port())
    try:
        plant_a = load_settings(environ={}, home=str(tmp_path / "a"), chroma_url=f"{server.url}/plant-a")
        plant_b = load_settings(environ={}, home=str(tmp_path / "b"), chroma_url=f"{server.url}/plant-b")
        with HybridIndex(plant_a) as a, HybridIndex(plant_b) as b:
            a.add([Chunk(id="weld-0", transcript_id="weld", ord=0, text="焊接前工件要预热到一百五十度。", char_end=15)])
            assert a.chroma_ids() == {"weld-0"}
            assert b.chroma_ids() == set()
        assert not (tmp_path / "a" / "chroma").exists()
    finally:
        server.stop()
