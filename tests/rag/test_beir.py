"""BEIR files: qrels keep judged-relevant pairs only; a broken line is named, never skipped."""

from __future__ import annotations

import pytest

from rag.beir import read_jsonl, read_qrels
from shifu.errors import ShifuError


def test_qrels_keep_positive_scores_and_skip_the_header(tmp_path):
    path = tmp_path / "qrels.tsv"
    path.write_text("query-id\tcorpus-id\tscore\nq1\tc1\t1\nq1\tc2\t0\nq2\tc3\t2\n\n", encoding="utf-8")
    assert read_qrels(path) == {"q1": {"c1"}, "q2": {"c3"}}


@pytest.mark.parametrize("line", ["q1\tc1", "q1\tc1\tyes", "q1"])
def test_a_broken_qrels_line_is_named(tmp_path, line):
    path = tmp_path / "qrels.tsv"
    path.write_text(f"query-id\tcorpus-id\tscore\n{line}\n", encoding="utf-8")
    with pytest.raises(ShifuError, match="line 2"):
        read_qrels(path)


def test_jsonl_records_need_id_and_text(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"_id": "c1", "text": "焊缝"}\n\n{"_id": "c2"}\n', encoding="utf-8")
    with pytest.raises(ShifuError, match="line 3"):
        read_jsonl(path)
    path.write_text('{"_id": "c1", "text": "焊缝"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ShifuError, match="line 2 is not JSON"):
        read_jsonl(path)
