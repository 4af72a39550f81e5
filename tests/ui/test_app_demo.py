"""`make demo` prepares a working app: interviews ingested, courses published, accounts that log in."""

from __future__ import annotations

import re
import shutil

import pytest
from app_testkit import CORPUS

from demo import run as demo
from extraction.learning import catalogue
from shifu.auth import authenticate, list_users

pytestmark = pytest.mark.slow


def test_demo_publishes_courses_and_prints_logins_that_work(ctx, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("welding_tig_mig_zh_gbk.txt", "hvac_service_en.vtt"):
        shutil.copy(CORPUS / name, corpus / name)
    assert demo.main(["--corpus", str(corpus), "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert len(catalogue(ctx)) == 2
    logins = re.findall(r"username: (\w+)\s+password: (\S+)", out)
    assert {u for u, _ in logins} == {"admin", "trainer", "worker"}
    assert all(authenticate(ctx, u, p) for u, p in logins)
    assert "http://127.0.0.1:" in out
    # again: nothing duplicated, new passwords
    assert demo.main(["--corpus", str(corpus), "--no-serve"]) == 0
    again = dict(re.findall(r"username: (\w+)\s+password: (\S+)", capsys.readouterr().out))
    assert len(catalogue(ctx)) == 2 and len(list_users(ctx)) == 3
    assert authenticate(ctx, "worker", again["worker"])
