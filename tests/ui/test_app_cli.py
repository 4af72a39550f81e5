"""`shifu users ...` manage accounts; `shifu serve` is a command and the chat load generator a bench tool."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from shifu.auth import authenticate, role_of
from ui.cli.main import app

runner = CliRunner()


def test_users_add_ls_passwd_rm(ctx):
    r = runner.invoke(app, ["users", "add", "李师傅", "--role", "trainer", "--enterprise", "温州鞋厂"],
                      input="pw-secret-1\npw-secret-1\n")
    assert r.exit_code == 0, r.output
    assert role_of(ctx, "李师傅") == "trainer" and authenticate(ctx, "李师傅", "pw-secret-1")
    r = runner.invoke(app, ["users", "add", "boss", "--role", "admin", "--password", "pw-secret-2"])
    assert r.exit_code == 0
    listing = runner.invoke(app, ["users", "ls"]).output
    assert "李师傅" in listing and "温州鞋厂" in listing and "admin" in listing and "pw-secret" not in listing
    assert runner.invoke(app, ["users", "passwd", "boss", "--password", "pw-secret-3"]).exit_code == 0
    assert authenticate(ctx, "boss", "pw-secret-3")
    assert runner.invoke(app, ["users", "rm", "boss"]).exit_code == 0
    assert role_of(ctx, "boss") is None


def test_bad_user_commands_fail_in_words(settings):
    r = runner.invoke(app, ["users", "add", "x1", "--role", "boss", "--password", "pw-secret-1"])
    assert r.exit_code != 0 and "role 'boss'" in str(r.exception)
    r = runner.invoke(app, ["users", "rm", "nobody"])
    assert r.exit_code != 0 and "does not exist" in str(r.exception)


def test_serve_is_a_command_and_chat_load_a_bench_tool(capsys):
    assert "--port" in runner.invoke(app, ["serve", "--help"]).output
    from bench.chat_load import main as chat_load

    with pytest.raises(SystemExit):
        chat_load(["--help"])
    assert "--users" in capsys.readouterr().out


def test_serve_prints_our_url_line_and_not_gradios_share_hint(settings):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx
    from app_testkit import free_port

    port = free_port()
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli.main", "serve", "--port", str(port)], cwd=root,
                            env={**os.environ, "COLUMNS": "200"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError("shifu serve did not answer within 90 s")
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"shifu app on http://127.0.0.1:{port}" in out
    assert "share=True" not in out and "public link" not in out
