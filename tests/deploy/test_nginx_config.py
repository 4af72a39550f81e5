"""The nginx configuration deploy/cluster.py writes: nginx itself accepts it, and it routes by the login."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.cluster import nginx_binary, nginx_config

SERVERS = ["127.0.0.1:9101", "127.0.0.1:9102", "127.0.0.1:9103"]


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (make nginx)")
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(tmp_path, "127.0.0.1:9100", SERVERS, "AbC-d_9", 22), encoding="utf-8")
    checked = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e.log")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr


def test_a_logged_in_browser_sticks_to_one_process_and_everyone_else_spreads(tmp_path: Path) -> None:
    text = nginx_config(tmp_path, "127.0.0.1:9100", SERVERS, "AbC-d_9", 22)
    assert "hash $shifu_route consistent;" in text
    assert '"~access-token-(?:unsecure-)?AbC-d_9=(?<token>[^;\\s]+)" $token;' in text
    assert "default $request_id;" in text  # random per request: no per-address pile-up
    assert all(f"server {s} " in text for s in SERVERS)
    assert "client_max_body_size 22m;" in text and "proxy_buffering off;" in text
    assert "X-Forwarded-For $remote_addr;" in text  # set, not appended: a client cannot forge its address
