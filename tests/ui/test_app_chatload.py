"""`python -m bench.chat_load` runs end to end on loopback and reports latencies (a smoke test, not a timing)."""

from __future__ import annotations

import shutil

import pytest
from app_testkit import CORPUS, free_port

from bench.chat_load import run_chat_load

pytestmark = pytest.mark.slow


def test_chat_load_reports_p95_alone_and_while_drafting(settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "welding_tig_mig_zh_gbk.txt", corpus)
    report = run_chat_load(settings, users=2, questions=2, port=free_port(), corpus=corpus, say=lambda m: None)
    assert report["alone"]["n"] == 4 and report["while_drafting"]["n"] == 4
    assert report["p95_ms"] == report["while_drafting"]["p95_ms"] > 0
    assert isinstance(report["ok"], bool)
