"""The chat never answers what the masters did not say (safety first), and answers what they
did, whole (issue 10). Real library (SQLite + Chroma + BM25 in a temp dir) of three demo
interviews; questions written for these tests, not taken from the bench's chat set.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import library_settings

from rag.answer import NEARBY_NOTE, NOT_COVERED, SAFETY_NOTE, answer_question
from rag.answerability import asked_kind, decide, is_safety_question, kind_present, question_subject
from rag.catalog import get_transcript
from rag.evaluate_chat import ends_mid_sentence, quote_overlap
from rag.gaps import list_gaps
from rag.ingest import ingest_file
from rag.sentences import announced_list, ends_sentence, list_end, whole_sentences
from shifu.context import Context
from shifu.models import Answer, SearchHit

ROOT = Path(__file__).resolve().parents[2]
WELDING = "welding_tig_mig_zh_gbk.txt"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    ctx = Context(library_settings(request, tmp_path_factory.mktemp("chat-trust")))
    ids = {}
    for name in (WELDING, "cnc_lathe_setup_zh.docx", "auto_repair_brakes_zh_utf16.txt"):
        result = ingest_file(ctx, ROOT / "corpus" / name)
        assert result.ok, result.error
        ids[name] = result.transcript_id
    return ctx, ids


def test_near_topic_safety_question_is_refused_with_the_nearby_material_labelled(library) -> None:
    ctx, ids = library
    question = "电焊机外壳带电了能不能继续焊？"  # the welder never says; his interview is near
    answer = answer_question(ctx, question, asked_by="welder-1")
    assert not answer.covered and answer.citations == []
    assert answer.answer.startswith(NOT_COVERED["zh"]) and SAFETY_NOTE["zh"] in answer.answer
    assert NEARBY_NOTE["zh"].split("{")[0] in answer.answer  # labelled: not an answer to this question
    assert get_transcript(ctx, ids[WELDING]).title in answer.answer
    gap = next(g for g in list_gaps(ctx) if g.asked_by == "welder-1")
    assert gap.question == question and "电焊机" in gap.subject  # the trainer can group gaps by subject


def test_covered_question_is_answered_whole_from_the_right_interview(library) -> None:
    ctx, ids = library
    answer = answer_question(ctx, "焊缝发蓝是什么原因？")
    assert answer.covered and answer.citations[0].transcript_id == ids[WELDING]
    assert not ends_mid_sentence(answer)
    text = get_transcript(ctx, ids[WELDING]).text
    assert all(text[c.start : c.end] == c.quote and ends_sentence(c.quote) for c in answer.citations[:1])


def test_an_announced_list_is_carried_whole(library) -> None:
    ctx, _ = library
    answer = answer_question(ctx, "焊缝发蓝是什么原因？")  # "原因主要有四个。" then 第一 … 第四
    assert "原因主要有四个" in answer.answer
    assert all(mark in answer.answer for mark in ("第一", "第二", "第三", "第四"))


def test_off_topic_question_is_refused_without_pointing_anywhere(library) -> None:
    ctx, _ = library
    answer = answer_question(ctx, "公司食堂几点开饭？")
    assert not answer.covered and answer.answer == NOT_COVERED["zh"]


# --- the parts, as units ------------------------------------------------------------------


def test_whole_sentences_drop_or_complete_a_cut_sentence() -> None:
    text = "前面一句话。答案就在这里，后面还有，更多。下一句。"
    start, end = whole_sentences(text, 8, 16, 150)  # from mid-sentence to mid-sentence
    assert text[start:end] == "答案就在这里，后面还有，更多。"
    start, end = whole_sentences(text, 0, 16, 8)  # the cut sentence does not fit: left out
    assert text[start:end] == "前面一句话。"


def test_a_list_announced_in_one_chunk_ends_where_its_last_item_ends() -> None:
    text = "原因主要有四个。一是气不纯，二是坡口脏，三是电弧长，四是风大，把保护气吹跑了。还有别的。"
    at, count = announced_list(text[:8])
    assert count == 4 and text[: list_end(text, at, count)].endswith("把保护气吹跑了。")
    assert announced_list("两个人配合，一个人在车里踩") is None and announced_list("二两来重的馒头") is None
    assert announced_list("There are three things to check: first the fuse") == (len("There are three things"), 3)


def test_what_is_asked_and_what_counts_as_safety() -> None:
    assert asked_kind("发面兑的水大概要多少度？") == "quantity"
    assert asked_kind("焊缝发蓝是什么原因？") == "cause" and asked_kind("为什么会回缩？") == "cause"
    assert asked_kind("怎么对刀？") == "procedure" and asked_kind("能不能戴手套？") == "rule"
    assert kind_present("quantity", "水温三十度左右") and not kind_present("quantity", "水要温的")
    assert is_safety_question("叉车要侧翻了往外跳能保命吗？") and is_safety_question("Is the line energized?")
    assert not is_safety_question("馒头蒸多久？")
    assert question_subject("叉车电瓶怎么保养？").split()[0] == "叉车"
    assert not decide("叉车电瓶怎么保养？", []).covered


def test_the_judge_of_eval_chat() -> None:
    assert quote_overlap("放油螺丝的垫片每次都要换新的", "放油 螺丝的垫片每次都要换新的。") == 1.0
    assert quote_overlap("放油螺丝的垫片", "刹车油会吸水") < 0.5
    assert ends_mid_sentence(Answer(answer="升到位以后一定要落锁，"))
    assert not ends_mid_sentence(Answer(answer="一定要落锁。 …… 那个……新手最容易犯错。"))


def test_web_text_without_a_sentence_end_near_keeps_its_evidence_marked_cut() -> None:
    from rag.answer import offline_answer
    from shifu.models import Chunk, SearchHit

    # a web snippet: one "sentence" of 300 characters, the answer early in it
    text = "大龙邮票是中国第一套邮票，共有三枚，" + "，".join(["收藏市场对它的版本说法很多"] * 20) + "。"
    chunk = Chunk(id="w-0", transcript_id="w", ord=0, text=text, speakers=[], char_start=0, char_end=len(text))
    answer = offline_answer("大龙邮票共有几枚？", [SearchHit(chunk=chunk, score=1.0, rank=1, transcript_title="w")])
    assert answer.covered and "三枚" in answer.answer and len(answer.answer) <= 150
    assert answer.answer.endswith("…") and text.startswith(answer.citations[0].quote)


def test_a_workers_word_for_the_same_thing_still_counts_by_its_characters() -> None:
    from rag.answerability import _chars_held, written

    assert _chars_held("胎压", ["轮胎", "气压"]) == 0.5  # 压 shared
    assert _chars_held("钨针", ["钨极", "砂轮"]) == 0.5
    assert _chars_held("刹车片", ["刹车片"]) == 1.0 and _chars_held("叉车", ["面粉"]) == 0.0
    assert written("pp", "pp料不用烘") and not written("pp", "用app查")


def _hits(*texts_scores: tuple[str, float], speakers: list[str] | None = None) -> list:
    from shifu.models import Chunk, SearchHit

    hits = []
    for i, (text, score) in enumerate(texts_scores):
        chunk = Chunk(id=f"c-{i}", transcript_id=f"t{i}", ord=0, text=text, speakers=speakers or [], char_start=0,
                      char_end=len(text))
        hits.append(SearchHit(chunk=chunk, score=score, rank=i + 1, transcript_title=f"访谈{i}"))
    return hits


def test_an_opener_or_a_story_from_another_topic_never_follows_the_answer() -> None:
    from rag.answer import offline_answer

    hits = _hits(("砂带机的砂带跑偏了，先松开张紧，再调跟踪旋钮，一次转四分之一圈。", 1.0),
                 ("这个问题问得好。说起来那年我们老板买了台新车，开回来第一天就蹭了门框，大家笑了好几年。", 0.95))
    answer = offline_answer("砂带机的砂带跑偏了怎么调？", hits)
    assert answer.covered and "跟踪旋钮" in answer.answer
    assert "问得好" not in answer.answer and "老板" not in answer.answer
    assert all(c.transcript_id == "t0" for c in answer.citations)  # the aside is not even cited


def test_the_excerpts_carry_the_quantity_asked_for_and_one_without_it_is_left_out() -> None:
    from rag.answer import offline_answer

    hits = _hits(("砂带机的砂带要常换，别舍不得。", 1.0), ("砂带机的砂带，一般用到八十小时就换。", 0.95),
                 ("砂带机的砂带换下来别乱扔。", 0.9))
    answer = offline_answer("砂带机的砂带多久换一次？", hits)
    assert answer.citations[0].transcript_id == "t1" and answer.answer == "砂带机的砂带，一般用到八十小时就换。"
    assert not ends_mid_sentence(answer)  # the others say no how long: listed below at most, never joined


def test_the_top_passage_answers_in_the_masters_words_not_a_lower_one_sharing_a_chance_word() -> None:
    from rag.answer import offline_answer

    # The worker says 浇地 and 大概, the master 灌溉; the lower passage shares only 大概.
    hits = _hits(("说到浇地，讲究不少。灌溉用的水，我一般晒到二十度上下再放。", 1.0),
                 ("锅炉房那边，压力大概要八公斤。", 0.6))
    answer = offline_answer("浇地的水大概要多少度？", hits)
    assert answer.citations[0].transcript_id == "t0" and "二十度" in answer.answer


def test_a_list_announced_at_a_chunks_end_is_carried_on_into_the_next_chunk() -> None:
    from rag.answer import Turns, offline_answer

    hits = _hits(("砂带机打磨发烫，原因主要有三个。一是砂带钝了，二是压得太死，", 1.0))
    turns = Turns({}, following={"c-0": "三是没开吸尘，热散不出去。另外说一句，我们车间去年换了新灯。"})
    answer = offline_answer("砂带机打磨发烫是什么原因？", hits, turns=turns)
    assert "一是砂带钝了" in answer.answer and answer.answer.endswith("三是没开吸尘，热散不出去。")
    assert answer.citations[0].quote == answer.answer and "新灯" not in answer.answer


def test_eval_chat_explains_each_verdict_where_the_gold_was_and_what_refused(library) -> None:
    from rag.evaluate_chat import explain, table

    ctx, ids = library
    titles = {ids[WELDING]: WELDING}
    covered = {"id": "t1", "lang": "zh", "question": "焊缝发蓝是什么原因？", "covered": True, "safety": False,
               "gold_transcript": WELDING, "gold_quote": "热输入太大"}
    refused = {"id": "t2", "lang": "zh", "question": "电焊机外壳带电了能不能继续焊？", "covered": False, "safety": True,
               "note": "near"}
    why = explain(ctx, covered, titles)
    assert why["gold_rank"] == 1 and why["refused_by"] == ""
    why_not = explain(ctx, refused, titles)
    assert why_not["refused_by"] in ("coverage", "answerability") and why_not["gold_rank"] == 0
    answer = answer_question(ctx, refused["question"])
    lines = table([{**judge_row, **why_not} for judge_row in [_row(refused, answer)]]).splitlines()
    assert lines[1].startswith("t2") and why_not["refused_by"] in lines[1] and "ok" in lines[1]


def _row(q: dict, answer: Answer) -> dict:
    from rag.evaluate_chat import judge

    return judge(q, answer, {})


def test_the_sentence_naming_the_asked_code_answers_when_the_words_tie() -> None:
    from rag.sentences import best_evidence

    # Both sentences hold as many of the question's words; only the second names G54.
    text = "Check the left spindle offset every shift. The G54 offset on the spindle comes from the probe."
    best = best_evidence("Where does the G54 offset of the left spindle come from?", [text], limit=50)[0]
    assert text[best.start : best.end].startswith("The G54 offset")
    plain = best_evidence("Where does the G54 offset of the left spindle come from?", [text], limit=50,
                          code_weight=0.0)[0]
    assert text[plain.start : plain.end].startswith("Check the left")  # what the code's weight changes


def test_the_masters_opener_is_not_part_of_the_answer() -> None:
    from rag.answer import offline_answer

    # A stonemason's and a boiler man's interviews (not the demo corpus): the opener goes, the answer stays whole.
    hits = _hits(("这个问题问得好，好多徒弟都栽在这儿。錾子淬火，烧到樱桃红就出炉，蘸水三秒再提起来看颜色。", 1.0))
    answer = offline_answer("錾子淬火烧到啥颜色出炉？", hits)
    assert answer.covered and not answer.answer.startswith("这个问题") and "问得好" not in answer.answer
    assert "樱桃红" in answer.answer and not ends_mid_sentence(answer)
    assert answer.citations[0].quote == answer.answer  # the citation starts where the answer does
    hits = _hits(("Good question. Blow the boiler down once a shift, with the burner off, until the glass runs clear.",
                  1.0))
    answer = offline_answer("How often should I blow down the boiler?", hits)
    assert answer.answer.startswith("Blow the boiler down once a shift")


def test_a_runner_up_from_another_topic_of_the_interview_is_not_joined() -> None:
    from rag.answer import offline_answer

    # The runner-up shares 螺丝 and says "两个人" (a quantity), but it is about bleeding brakes.
    hits = _hits(("磨床的砂轮法兰螺丝每次都要对角拧，扭矩一般40牛米。", 1.0),
                 ("两个人配合，一个人踩，一个人拧开放气螺丝，油出来了再拧紧。", 0.9), speakers=["老周"])
    answer = offline_answer("磨床砂轮法兰的螺丝拧多大劲？", hits)
    assert answer.covered and "40牛米" in answer.answer and "放气" not in answer.answer


def test_a_quantity_answers_only_with_a_fitting_unit() -> None:
    from rag.answerability import quantity_fits

    assert quantity_fits("熬糖的锅要烧到多少度？", "糖浆熬到一百一十五度就离火。")
    assert not quantity_fits("熬糖的锅要烧到多少度？", "一锅放三斤糖。")  # a number, not a temperature
    assert quantity_fits("螺丝拧多大劲？", "扭矩一般25到30牛米。")
    assert quantity_fits("How long should the mortar cure?", "Let it cure three days before you load it.")
    assert not quantity_fits("How long should the mortar cure?", "Mix three parts sand to one part cement.")


@pytest.fixture(scope="module")
def boiler_room(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Context:
    """A boiler man's interview written for these tests (tests/data), beside the welder's."""
    ctx = Context(library_settings(request, tmp_path_factory.mktemp("boiler-room")))
    for path in (ROOT / "tests" / "data" / "boiler_room_zh.txt", ROOT / "corpus" / WELDING):
        result = ingest_file(ctx, path)
        assert result.ok, result.error
    return ctx


def test_the_boiler_mans_answer_comes_whole_without_his_opener(boiler_room) -> None:
    answer = answer_question(boiler_room, "锅炉水位掉到安全线下面了，赶紧往里补冷水行不行？")
    assert answer.covered and "停炉熄火" in answer.answer
    assert "问得好" not in answer.answer and not ends_mid_sentence(answer)


def test_the_boiler_mans_three_reasons_come_whole(boiler_room) -> None:
    answer = answer_question(boiler_room, "燃气锅炉老是点不着火，是什么原因？")
    assert answer.covered and "原因主要有三个" in answer.answer
    assert all(mark in answer.answer for mark in ("第一", "第二", "第三")) and not ends_mid_sentence(answer)


def test_a_boiler_safety_question_he_never_answered_is_refused_with_nearby_material(boiler_room) -> None:
    for question in ("锅炉排污的时候，排污阀开多大才安全？",  # he says how long, never how wide
                     "锅炉房燃气泄漏了，先开风机还是先关总阀？",  # he never speaks of a leak
                     "锅炉房里闻到一股煤气味，能不能先点火试试？"):
        answer = answer_question(boiler_room, question)
        assert not answer.covered and answer.citations == []
        assert SAFETY_NOTE["zh"] in answer.answer and NEARBY_NOTE["zh"].split("{")[0] in answer.answer
        assert "锅炉房老师傅" in answer.answer  # the nearby interview, named as such


def test_the_llm_mode_abstains_on_the_same_decision(boiler_room) -> None:
    from fake_chat import FakeChat

    chat = FakeChat(["安全阀每半年校验一次 [1]。"])  # what a model would make up, were it asked
    ctx = Context(boiler_room.settings, chat_model=chat)
    answer = answer_question(ctx, "锅炉房里闻到一股煤气味，能不能先点火试试？", mode="llm")
    assert not answer.covered and answer.mode == "llm" and chat.calls == []  # never asked
    assert SAFETY_NOTE["zh"] in answer.answer


def test_an_english_answer_keeps_its_whole_rule_not_its_first_clause() -> None:
    from rag.answer import offline_answer

    # A crane operator's rule runs past 150 characters in English; the answer carries it whole.
    hits = _hits(("On our site a crane working near a 13.8 kV line keeps its boom, its load lines and the load "
                  "itself at least twenty feet from the conductors, measured at the closest point the boom can "
                  "swing to. A spotter watches nothing else while it lifts.", 1.0))
    answer = offline_answer("How far does the crane boom have to stay from a 13.8 kV line?", hits)
    assert answer.covered and "at least twenty feet" in answer.answer
    assert not ends_mid_sentence(answer) and not answer.answer.endswith("…")


def test_a_next_point_begun_at_the_evidences_edge_is_no_cut_and_the_list_is_carried_whole() -> None:
    from rag.answer import Evidence, _whole
    from shifu.models import Chunk, SearchHit

    text = ("车床伤人都是一瞬间。我最想强调三条：\n一，绝对不许戴手套，铁屑会把手套卷进去。\n二，长头发要盘进帽子里。\n"
            "三，卡盘扳手用完必须拿下来，扳手留在卡盘上一启动就飞出去，我们隔壁厂有人被打断过肋骨，这个一定要记住。\n")
    chunk = Chunk(id="c-0", transcript_id="t", ord=0, text=text, speakers=["李工"], char_start=0, char_end=len(text))
    hit = SearchHit(chunk=chunk, score=1.0, rank=1, transcript_title="t")
    edge = text.index("三，") + 2  # the evidence found stops on the next point's number
    whole, full, cut = _whole(hit, Evidence(0, 0, edge, 1.0, 1.0), None, 60)
    assert not cut and full[whole.start : whole.end].rstrip().endswith("这个一定要记住。")  # all three points
    points = text.index("一，")  # evidence opening on the first point takes the line announcing them
    whole, full, _ = _whole(hit, Evidence(0, points, edge, 1.0, 1.0), None, 150)
    assert full[whole.start : whole.end].startswith("我最想强调三条：\n一，")


def test_a_bare_reply_to_the_interviewer_opens_an_answer_only_where_the_worker_asked_with_its_word() -> None:
    from rag.answer import offline_answer
    from shifu.models import Chunk, SearchHit

    text = "货叉有报废标准吗？\n有。货叉根部那个拐角磨薄了百分之十就得换。有裂纹的一律换，不能焊。\n"
    chunk = Chunk(id="c-0", transcript_id="t", ord=0, text=text, speakers=["刘师傅"], char_start=0, char_end=len(text))
    hits = [SearchHit(chunk=chunk, score=1.0, rank=1, transcript_title="叉车")]
    assert offline_answer("货叉根上裂了道缝，拿电焊补一补还能接着用吧？", hits).answer.startswith("货叉根部")
    assert offline_answer("货叉有没有报废标准？", hits).answer.startswith("有。")  # asked with 有: answered by it
    # 有 in the worker's own clause is no asking word: "……有裂纹，能焊一焊接着用吗？" asks 能
    assert offline_answer("叉车货叉根上有裂纹，能焊一焊接着用吗？", hits).answer.startswith("货叉根部")

    from rag.answer import Evidence, _without_bare_reply

    said = "不一样。包子有馅，醒的时间要短一点。"
    whole = Evidence(0, 0, len(said), 1.0, 1.0)
    assert said[_without_bare_reply("蒸馒头能早点揭盖吗？", said, whole).start :].startswith("包子有馅")
    assert _without_bare_reply("包子跟馒头醒的时间一样吗？", said, whole).start == 0  # he was asked that


def _spoken(transcript: str, text: str, score: float = 1.0) -> SearchHit:
    from shifu.models import Chunk, SearchHit

    chunk = Chunk(id=f"{transcript}-0", transcript_id=transcript, ord=0, text=text, speakers=["Reyes"],
                  char_start=0, char_end=len(text))
    return SearchHit(chunk=chunk, score=score, rank=1, transcript_title=transcript)


def test_a_spoken_sentence_the_evidence_stops_in_is_finished_not_cut() -> None:
    from rag.answer import Evidence, _whole

    text = ("Every pick, you take it up a few inches and stop. Hold it there. You're looking at three things: "
            "is it level, is the rigging seated right, and is the crane holding. If the load tilts, the hook "
            "isn't over the center of gravity. Set it back down and move the rigging.")
    edge = text.index("tilts,") + len("tilts,")
    whole, full, cut = _whole(_spoken("crane", text), Evidence(0, 0, edge, 1.0, 1.0), None, 150)
    assert not cut and full[whole.start : whole.end].endswith("isn't over the center of gravity.")


def test_another_masters_words_on_another_subject_do_not_join_the_answer() -> None:
    from rag.answer import offline_answer

    crane = ("How does signaling work on your jobs?\nOne signal person at a time, and the operator knows who it is "
             "before the pick. Hand signals are the standard ones from the chart in the cab, and on a blind pick we "
             "go to radio on a dedicated channel. The one exception: anybody on the job can give the emergency stop, "
             "both arms out, palms down, moving side to side, and the operator stops, no questions. If the operator "
             "loses sight of me or loses the radio, he stops. No signal means stop.")
    roofer = ("What are the signs you watch for?\nSomebody who stops sweating, gets confused, starts stumbling or "
              "talking nonsense. That's not tired, that's heat stroke, and that's an emergency. You call 911, you get "
              "them in the shade, and you cool them with water and ice on the neck and armpits while you wait. You do "
              "not put them in the truck to sleep it off.")
    answer = offline_answer("What's the emergency stop signal?", [_spoken("crane", crane), _spoken("roofer", roofer, 0.9)])
    assert answer.covered and "palms down" in answer.answer
    assert "heat stroke" not in answer.answer and "truck" not in answer.answer  # no part of the signal


def test_in_speech_the_masters_reply_answers_not_the_interviewers_question() -> None:
    from rag.sentences import best_evidence

    asked = "嗯。那一个新模具上机，您的调机顺序是什么样的？\n"  # "一" is a number, as 多少 asks for
    text = asked + ("新模具上机，我的顺序是这样的。第一步，先把保压全部设成零，射胶量也不要给满，宁可少给，从短射开始打。"
                    "就是说，故意让它打不满，一模一模往上加料量，看料是怎么走的。\n我跟你讲个事儿。我们车间前几年来了个"
                    "小伙子，一套新的手机外壳模，他上来就把料量给足、压力给高，想一把打好。结果第一模就打飞边了。\n")

    class Speech:  # the interviewer's turn, then the master's
        def turn(self, chunk_index: int, offset: int) -> int:
            return 0 if chunk_index == 0 and offset < len(asked) else 1

        def weight(self, chunk_index: int, offset: int) -> float:
            return 0.5 if chunk_index == 0 and offset < len(asked) else 1.0

    other = ("这里我跟书上有点不一样的看法。书上说保压压力高，产品尺寸稳定，密度高。这个没错，但是保压太高，产品里面"
             "内应力大，顶出来的时候粘模、顶白。所以我的观点是，保压够用就行，宁可稍微低一点。\n")  # another chunk
    found = best_evidence("新模具第一次上机，保压一开始设多少？", [text, other], [1.8, 1.2], speech=Speech())
    assert text[found[0].start : found[0].end].startswith("新模具上机，我的顺序")


class _Interview:
    """The interviewer's turn (up to `asked` characters of the first chunk), then the master's; untimed
    (a typed transcript) unless `timed` (subtitles)."""

    def __init__(self, asked: int, timed: bool = False) -> None:
        self.asked, self.is_timed = asked, timed

    def turn(self, chunk_index: int, offset: int) -> int:
        return 0 if chunk_index == 0 and offset < self.asked else 1

    def weight(self, chunk_index: int, offset: int) -> float:
        return 0.5 if chunk_index == 0 and offset < self.asked else 1.0

    def timed(self, chunk_index: int, offset: int) -> bool:
        return self.is_timed


def test_the_interviewers_remark_is_never_the_answer_and_a_bare_yes_to_it_is_dropped() -> None:
    from rag.answer import offline_answer
    from rag.sentences import best_evidence

    asked = "电容补偿柜呢？听说那个断了电也危险。\n"
    text = asked + "对，电容柜是最容易出事的。电容器是存电的，断路器拉开了，它里面的电还在。停电以后至少等三分钟，放完了才能用手碰。\n"
    question = "补偿柜刚拉了闸，马上伸手去换电容可以吧？"
    found = best_evidence(question, [text], [1.0], speech=_Interview(len(asked)))
    assert found[0].start >= len(asked)  # the master's reply, not "听说那个断了电也危险"
    from rag.answer import Turns, _Turn

    turns = Turns({"switchgear": [_Turn(0, len(asked), "问", "interviewer", None, None),
                                  _Turn(len(asked), len(text), "王师傅", "expert", None, None)]})
    answer = offline_answer(question, [_spoken("switchgear", text)], turns=turns)
    assert answer.answer.startswith("电容柜是最容易出事的")  # not "对，": yes to whom?


def test_a_masters_answer_runs_on_within_his_paragraph_but_not_into_the_next() -> None:
    from rag.answer import _said_on

    text = "缩水一般出在厚的地方。这时候要找模具师傅，不要自己死磕。\n飞边呢，就是料从分型面挤出来。"
    end = text.index("。") + 1
    assert text[: _said_on(text, 0, 0, end, _Interview(0), 150)].endswith("不要自己死磕。")  # a typed paragraph
    assert _said_on(text, 0, 0, end, _Interview(0, timed=True), 150) == len(text)  # subtitle cues run on


def test_a_masters_next_point_sharing_no_word_of_the_question_does_not_join_the_answer() -> None:
    from rag.answer import _about_question

    question, next_point = "产品缩水了先查哪里？", "我们现在的机器都是按螺杆位置切换，你就把那个位置记下来。"
    assert not _about_question(question, next_point, spoken=True)
    assert _about_question(question, next_point)  # written text may answer "where" in words it does not use


def test_a_short_point_runs_on_into_the_masters_next_paragraph_not_back_into_his_last() -> None:
    from rag.sentences import best_evidence

    text = ("一直吱吱叫，先看报警片是不是磨到了，再看片子背面有没有涂消音膏。咯吱咯吱的声音，多半是片子磨光了，要马上修。\n"
            "我跟徒弟说修车的顺序是：先问、再看、再测、最后换件。\n不要一听有响声就换一套片子，这是最伤信誉的。\n")
    found = best_evidence("师傅说修车讲究个啥先后？", [text], [1.0], speech=_Interview(0))
    shown = text[found[0].start : found[0].end]
    assert shown.startswith("我跟徒弟说修车的顺序") and "最伤信誉" in shown  # on into the next, not back


def test_a_window_leaves_out_the_heading_of_the_masters_next_paragraph() -> None:
    from rag.answer import _within_paragraph

    text = "氧气瓶和乙炔瓶之间距离不少于5米。\n还有触电。下雨天手套湿了千万别去换焊条。"
    heading = text.index("下雨天")
    assert _within_paragraph(text, 0, heading, _Interview(0), 0) == text.index("\n")  # "还有触电。" is his next point
    assert _within_paragraph(text, 0, heading, _Interview(0, timed=True), 0) == heading  # a subtitle cue is no paragraph
    answer = "切好的光纤不能碰任何东西。\n熔接，单模光纤一个接头的损耗一般要求小于0.05分贝。"
    assert _within_paragraph(answer, 0, len(answer), _Interview(0), 0) == len(answer)  # a whole sentence stays


def test_an_english_refusal_shows_a_nearby_sentence_in_the_english_room() -> None:
    from rag.answer import not_covered_answer

    text = ("When a new tech gets a no cooling call, where should they start? That's the number one rookie mistake: "
            "they walk in, hook up gauges first thing, and start adding refrigerant to a system that has an airflow "
            "problem.")
    answer = not_covered_answer("Should I hook my gauges up first on a no cooling call?", [_spoken("hvac", text)])
    assert "hook up gauges first thing" in answer.answer  # a 130-character English sentence is no longer left out


def test_an_answer_opening_inside_a_long_sentence_says_so() -> None:
    from rag.answer import offline_answer

    # One spoken sentence longer than the answer's room: the answer opens on its clause about the filter,
    # marked as an excerpt, as a cut end is.
    text = ("How do you finish a service call?\nPut down drop cloths, wipe fingerprints off the unit, walk the "
            "customer around the system, show the customer the old part you took out of it, tell them in plain "
            "words what failed, why it failed and what they can do about it themselves, like change the filter "
            "every one to three months and keep plants and grass clippings two feet away from the condenser coil, "
            "and before you leave put the thermostat back the way you found it so nobody has to call you back.")
    answer = offline_answer("How often should the homeowner change the filter?", [_spoken("hvac", text)])
    assert answer.covered and "change the filter every one to three months" in answer.answer
    assert answer.answer.startswith("…") and not answer.answer.startswith("…Put down")
    # A written passage (a web snippet) is shown as it is: its answers are measured within 150 characters.
    written = offline_answer("How often should the homeowner change the filter?", _hits((text, 1.0)))
    assert "change the filter" in written.answer and not written.answer.startswith("…")
    # An answer opening at its sentence's start, or past an opener, carries no mark.
    answer = offline_answer("How do you finish a service call?",
                            [_spoken("hvac", "How do you finish a service call?\nWell, I clean up. Drop cloths.")])
    assert not answer.answer.startswith("…")


def test_the_masters_rule_is_the_whole_answer_nothing_joined_to_it() -> None:
    from rag.answer import offline_answer
    from rag.judge import Window

    tungsten = ("氩弧焊的钨极有什么讲究？\n钨极我们现在都用铈钨，以前用钍钨，钍有放射性，磨的时候粉尘吸进去不好，现在基本淘汰了。"
                "钨极要磨尖，磨成锥角30到60度，电流小就尖一点，电流大就钝一点。磨的时候要顺着钨极的长度方向磨，"
                "纹路是纵向的，这样电弧稳定。钨极伸出喷嘴3到5毫米，焊角焊缝可以伸长一点，但不要超过8毫米。"
                "还有，钨极千万别碰到熔池，一碰就夹钨，必须返修。")
    kinds = "咱们厂里最常用的是哪几种焊法？\n主要三种。第一是氩弧焊，行话叫TIG，钨极不熔化，用氩气保护。"
    hits = [_spoken("welder", tungsten), _spoken("welder", kinds, 0.95)]
    hits[1] = hits[1].model_copy(update={"chunk": hits[1].chunk.model_copy(update={"id": "welder-1", "ord": 1})})
    start = tungsten.index("还有")
    rule = Window(0, start, len(tungsten), tungsten[start:], {}, ruling=True)
    question = "氩弧焊的时候钨极能碰一下熔池吗？"
    answer = offline_answer(question, hits, window=rule)
    assert answer.answer.startswith("还有，钨极千万别碰到熔池") and "主要三种" not in answer.answer
    # A window the judge scored is no ruling: the same master's next point may still join it.
    scored = offline_answer(question, hits, window=Window(0, start, len(tungsten), tungsten[start:], {"kind": 1.0}))
    assert scored.answer.startswith("还有，钨极千万别碰到熔池") and "主要三种" in scored.answer


def test_a_nearby_sentence_opening_inside_a_sentence_says_so() -> None:
    from rag.answer import not_covered_answer

    # the chunk opens on the tail of a sentence a subtitle cue cut: shown, but marked as an excerpt
    text = ("and I still ride along with every new tech for their first month. Residential split systems, heat pumps, "
            "gas furnaces, some light commercial rooftop units.")
    answer = not_covered_answer("How many filters does a rooftop unit take?", [_spoken("hvac", text)])
    assert '"…and I still ride along' in answer.answer
    # a sentence that opens with a capital is shown as it is
    whole = "Residential split systems, heat pumps, gas furnaces, some light commercial rooftop units."
    answer = not_covered_answer("How many filters does a rooftop unit take?", [_spoken("hvac", whole)])
    assert '"Residential split systems' in answer.answer
