"""`shifu draft`, `shifu courses ...` and `shifu eval segmentation|drafting` as a trainer runs them."""

from __future__ import annotations

import json
import re

from drafting_kit import CORPUS
from typer.testing import CliRunner

from ui.cli.main import app

runner = CliRunner()


def test_draft_a_file_then_review_it_from_the_command_line(tmp_path):
    out = tmp_path / "course.json"
    r = runner.invoke(app, ["draft", str(CORPUS / "lineman_safety_en.json"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    course = json.loads(out.read_text(encoding="utf-8"))
    assert course["language"] == "en" and course["modules"] and course["quiz"]
    course_id = re.search(r"course-[0-9a-f]{12}", r.output).group()
    r = runner.invoke(app, ["courses", "ls"])
    assert course_id in r.output
    r = runner.invoke(app, ["courses", "show", course_id])
    assert r.exit_code == 0 and course["title"] in r.output and "## Quiz" in r.output
    assert runner.invoke(app, ["courses", "submit", course_id]).exit_code == 0
    r = runner.invoke(app, ["courses", "publish", course_id])
    assert r.exit_code == 1 and "consent" in str(r.exception)
    r = runner.invoke(app, ["courses", "diff", course_id, "1", "1"])
    assert "are the same" in r.output


def test_eval_commands_print_one_json_line_last(tmp_path):
    meetings = tmp_path / "meetings.jsonl"
    talk = ["我们先聊聊焊接电流怎么选，薄板电流小厚板电流大。", "电流要和焊丝粗细配好，一毫米焊丝一百安培左右。"]
    gas = ["下面我们聊聊保护气体，不锈钢用纯氩气。", "碳钢用二氧化碳混合气，流量每分钟十五升。"]
    segs = [{"headline": "电流", "speakers": [1, 2] * 5, "utterances": talk * 5},
            {"headline": "气体", "speakers": [1, 3] * 5, "utterances": gas * 5}]
    meetings.write_text(json.dumps({"meeting_id": "m1", "segments": segs}, ensure_ascii=False) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["eval", "segmentation", "--meetings", str(meetings), "--no-embeddings"])
    assert r.exit_code == 0, r.output
    last = json.loads(r.output.strip().splitlines()[-1])
    assert last["meetings"] == 1 and {"pk", "windowdiff", "baseline_one_segment_pk", "baseline_even_split_pk"} <= set(last)
    r = runner.invoke(app, ["eval", "drafting", "--transcripts", str(CORPUS / "lineman_safety_en.json"),
                            "--no-embeddings"])
    assert r.exit_code == 0, r.output
    last = json.loads(r.output.strip().splitlines()[-1])
    assert last["transcripts"] == 1 and last["quiz_valid_rate"] >= 0.95 and last["points_quoted_rate"] == 1.0
