"""What a trainer noted on the example courses (docs/examples/README.md), checked on the bench's real
interviews — a Chinese trade interview with asides, a speech-recognised VCSum panel of six speakers,
an English oral history — not on the demo corpus."""

from __future__ import annotations

import difflib
import re

import pytest
from drafting_kit import BENCH

from bench.examples import EXAMPLES, draft_example
from extraction.export.docx import build
from extraction.export.markdown import render
from extraction.units import NOTE, PRESCRIPTIVE, classify, key_numbers
from extraction.validate import BLANK

pytestmark = pytest.mark.skipif(not (BENCH / "knowhow" / "zh_trade").is_dir(), reason="bench data not present")


@pytest.fixture(scope="module")
def drafts():
    return {name: draft_example(BENCH / source, use_embeddings=False) for name, source in EXAMPLES}


def _points(d):
    return [p for m in d.modules for lesson in m.lessons for p in lesson.points]


def test_stage_directions_are_never_points_nor_key_numbers(drafts):
    d = drafts["zh_trade_injection_molding.md"]
    for p in _points(d) + list(d.more_from_interview):
        assert len(NOTE.sub("", p.text).strip("，。 ")) >= 10, p.text  # "（中间陈师傅接了个电话，约两分钟）"
    assert classify("（中间陈师傅接了个电话，约两分钟）", strict=True) != "measurement"
    assert not key_numbers("（有人敲门，送来一箱矿泉水，陈师傅跟他说了几句家常，约一分钟）")


def test_a_key_number_is_a_quantity_of_the_trade_not_a_count_in_a_story():
    assert not key_numbers("It was too big a language to run on the UNIX machines that were 4K machines.")
    assert classify("It was too big a language to run on the UNIX machines that were 4K machines.", strict=True) \
        != "measurement"
    assert [x[2] for x in key_numbers("PC要一百二十度，烘三四个小时")] == ["度", "个小时"]
    assert not key_numbers("我干这行二十多年了，九九年进的厂")


def test_a_rule_needs_a_prescriptive_cue(drafts):
    joke = "那可不行，我这个普通话，一股湖南味，说出来你们听不懂，我儿子老笑话我，说我“湖南”跟“福兰”都分不清（笑）。"
    assert classify(joke, strict=True) != "rule"
    assert classify("那我可得注意点，别把我骂领导的话也录进去了（笑）。", strict=True) != "rule"
    assert classify("换料的时候，你一定要问清楚上一个料是什么。", strict=True) == "rule"
    for name, d in drafts.items():
        for p in _points(d):
            if p.kind == "rule":
                assert PRESCRIPTIVE.search(p.text), (name, p.text)


_MEANING = re.compile(r"[0-9零〇一二两三四五六七八九十百千万半]|不|可以|必|要|别|会|容易|never|always|not|n't|need|should|must|can",
                      re.I)


def test_a_false_statement_is_false_in_meaning_never_a_synonym(drafts):
    checked = 0
    for d in drafts.values():
        sources = {c.quote for q in d.quiz for c in q.citations}
        for q in d.quiz:
            falses = ([q.stem] if q.type == "true_false" and q.answer == ["false"] else
                      [o for o in q.options if o not in q.answer] if q.type != "true_false" and BLANK not in q.stem
                      and len(q.citations) > 1 else [])
            for statement in falses:
                said = re.search(r"[“\"](.+)[”\"]", statement)
                statement = said.group(1) if said else statement
                near = max(sources, key=lambda s: difflib.SequenceMatcher(None, s, statement).ratio())
                ops = difflib.SequenceMatcher(None, near, statement).get_opcodes()
                changed = "".join(near[a:b] + statement[c:e] for op, a, b, c, e in ops if op != "equal")
                moved = sorted(near) == sorted(statement)  # steps in another order
                assert moved or _MEANING.search(changed), (statement, near)
                checked += 1
    assert checked >= 8  # the three example quizzes hold 9 false statements (one item per point since issue 9, round 3)


def test_quiz_items_test_selected_points_and_never_blank_a_name_or_filler(drafts):
    for d in drafts.values():
        taught = {(c.transcript_id, c.start) for p in _points(d) for c in p.citations}
        for q in d.quiz:
            assert {(c.transcript_id, c.start) for c in q.citations} <= taught, q.stem
            assert not q.flags, (q.stem, q.flags)
            assert not re.search(r"那个……|\b(?:um|uh)\b", q.stem + " ".join(q.options)), q.stem
            if BLANK in q.stem:  # a number with its unit, or jargon (PDP-7): never a name or a word of small talk
                key = q.answer[0]
                assert key_numbers(key) or re.search(r"\d|^[A-Z0-9\-]{2,}$", key), (q.stem, key)
                assert key not in ("笑话", "program", "systems"), key


def test_a_panel_credits_each_speaker_and_asks_no_safety_questions(drafts):
    d = drafts["vcsum_panel_13.md"]
    named = d.sources[0].expert
    assert named.count("、") >= 1, named  # the master line lists the speakers
    credited = {p.speaker for p in _points(d)}
    assert len(credited) >= 2 and all(credited), credited
    md = render(d)
    assert sum(f"{s}《" in md for s in credited) >= 2
    assert not any("安全" in f.question for f in d.follow_up_questions)
    for q in d.quiz:  # a question names who said it, not "the master"
        assert "师傅" not in re.sub(r"“[^”]*”", "", q.stem), q.stem


def test_an_oral_history_gets_no_safety_questions_and_sensible_objectives(drafts):
    d = drafts["oral_history_thompson.md"]
    assert not any("hurt someone" in f.question or "safety" in f.reason for f in d.follow_up_questions)
    objectives = [o for m in d.modules for lesson in m.lessons for o in lesson.objectives]
    assert not any("about About the master" in o for o in objectives)


def test_a_course_opens_with_its_ranked_key_takeaways_linked_to_lessons(drafts):
    for name, d in drafts.items():
        points = _points(d)
        assert min(10, len(points)) <= len(d.key_points) <= 20, name
        md = render(d)
        head = md.split("## 模块 1" if d.language == "zh" else "## Module 1")[0]
        heading = "核心要点" if d.language == "zh" else "Key takeaways"
        assert heading in head
        listed = re.findall(r"^\d+\. .*\((?:见第|lesson) ?(\d+\.\d+)", head.replace("（[", "(").replace("([", "("),
                            re.M)
        assert len(listed) == len(d.key_points), name
        lessons = {f"{m}.{n}" for m, module in enumerate(d.modules, 1) for n, _ in enumerate(module.lessons, 1)}
        assert set(listed) <= lessons
        doc = "\n".join(p.text for p in build(d).paragraphs)
        assert heading in doc


def test_a_course_without_a_trade_on_file_is_named_by_its_interview_not_by_a_stray_phrase(drafts):
    # "ABS：陈师傅的经验课" named a whole injection-moulding course after one material of its first module
    title = drafts["zh_trade_injection_molding.md"].title
    assert title.startswith("注塑车间（调机经验）："), title
    assert "访谈" not in title
    # a title naming only the recording ("VCSum meeting 13") or the speaker ("KEN THOMPSON 9-6-89") names no
    # subject: what the speakers keep coming back to stands in
    assert drafts["vcsum_panel_13.md"].title.startswith("区块链："), drafts["vcsum_panel_13.md"].title
    assert "THOMPSON 9-6-89" not in drafts["oral_history_thompson.md"].title


def test_a_file_slug_is_not_a_course_title():
    from extraction.outline import course_subject, named_by_trainer
    from shifu.models import Transcript, Turn

    slug = Transcript(title="forklift", source_name="forklift.srt", turns=[
        Turn(index=0, speaker="王师傅", role="expert", text="叉车的货叉要先看根部有没有裂纹。叉车下坡要倒着开，货叉朝坡上。"),
        Turn(index=1, speaker="王师傅", role="expert", text="叉车每天开之前，先绕车看一圈货叉和轮胎。")])
    named = Transcript(title="鞋店店长谈脚型测量与试穿", source_name="鞋店店长谈脚型测量与试穿.srt")
    assert not named_by_trainer(slug) and named_by_trainer(named)
    assert course_subject([slug], [], "zh") in {"叉车", "货叉"}
    assert course_subject([named], [], "zh") == "鞋店店长谈脚型测量与试穿"
