"""The sentence judge (rag/judge.py, issue 10 fifth round): a question naming a specific the
interviews lack is refused with the nearby material labelled, a worker's yes-no question is
answered from the master's rule. Real library (SQLite + Chroma + BM25 in a temp dir) of a pump-room
master's interview written for these tests (tests/data) beside the welder's demo interview.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import library_settings
from fake_chat import FakeChat

from rag.answer import NEARBY_NOTE, NOT_COVERED, _said_on, answer_from_hits, answer_question
from rag.catalog import get_transcript
from rag.evaluate_chat import ends_mid_sentence
from rag.ingest import ingest_file
from rag.judge import _proposal, contradicts, judge, prescriptive, rule_answers
from shifu.context import Context
from shifu.models import Chunk, SearchHit
from shifu.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
PUMPS = ROOT / "tests" / "data" / "pump_room_zh.txt"


@pytest.fixture(scope="module")
def pump_room(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Context, str]:
    ctx = Context(library_settings(request, tmp_path_factory.mktemp("pump-room")))
    ids = []
    for path in (PUMPS, ROOT / "corpus" / "welding_tig_mig_zh_gbk.txt"):
        result = ingest_file(ctx, path)
        assert result.ok, result.error
        ids.append(result.transcript_id)
    return ctx, ids[0]


def test_a_workers_yes_no_question_is_answered_from_the_masters_rule(pump_room) -> None:
    ctx, pumps = pump_room
    # The master: "绝对不许带压拆泵盖" — the worker says none of 带压 / 泵盖 / 绝对 / 不许.
    answer = answer_question(ctx, "泵盖里还有压力，我直接拆开行不行？")
    assert answer.covered and answer.citations[0].transcript_id == pumps
    assert "绝对不许带压拆泵盖" in answer.answer and not ends_mid_sentence(answer)


def test_a_question_naming_another_machine_is_refused_with_the_nearby_material_labelled(pump_room) -> None:
    ctx, pumps = pump_room
    # He keeps 22 kW pumps and says how often their bearings are greased; a 55 kW pump is not his.
    answer = answer_question(ctx, "五十五千瓦的大泵，轴承多久加一次润滑脂？")
    assert not answer.covered and answer.citations == []
    assert answer.answer.startswith(NOT_COVERED["zh"])
    assert NEARBY_NOTE["zh"].split("{")[0] in answer.answer  # labelled: not an answer to this question
    assert get_transcript(ctx, pumps).title in answer.answer
    # The same question about his own pumps is answered, from his sentence.
    answer = answer_question(ctx, "二十二千瓦那几台泵，轴承多久加一回黄油？")
    assert answer.covered and "每三个月加一次润滑脂" in answer.answer


def _hits(*texts: str) -> list[SearchHit]:
    return [SearchHit(chunk=Chunk(id=f"c-{i}", transcript_id=f"t{i}", ord=0, text=text, speakers=["孙师傅"],
                                  char_start=0, char_end=len(text)),
                      score=1.0 - i / 10, rank=i + 1, transcript_title=f"访谈{i}")
            for i, text in enumerate(texts)]


@pytest.mark.parametrize("question", ["五十五千瓦的大泵，轴承多久加一次润滑脂？", "二十二千瓦的泵，轴承多久加一次润滑脂？"])
def test_llm_mode_abstains_on_the_judges_decision(question: str) -> None:
    hits = _hits("我们这几台二十二千瓦的泵，轴承每三个月加一次润滑脂，一次加到轴承腔的三分之二就够了。",
                 "单级泵的机械密封滴水，一分钟超过五滴就要停泵换密封。")
    offline = answer_from_hits(Context(load_settings()), question, hits, mode="offline")
    chat = FakeChat(["每三个月加一次润滑脂 [1]。"])
    answer = answer_from_hits(Context(load_settings(), chat_model=chat), question, hits, mode="llm")
    assert answer.covered == offline.covered == question.startswith("二十二")
    assert (chat.calls != []) == offline.covered  # a refused question never reaches the model


# --- the parts, as units ------------------------------------------------------------------


def test_another_specific_of_the_same_kind_contradicts() -> None:
    assert contradicts("五十五千瓦的泵多久保养？", "二十二千瓦的泵每三个月保养。")  # another power
    assert not contradicts("二十二千瓦的泵多久保养？", "二十二千瓦的泵每三个月保养。")
    assert contradicts("M16的螺栓拧多少牛米？", "M12的螺栓拧到七十牛米。")  # another thread size
    assert not contradicts("M16的螺栓拧多少牛米？", "M12的拧七十牛米，M16的拧一百八十牛米。")
    assert contradicts("多模光纤的接头损耗多少算合格？", "单模光纤一个接头的损耗要小于0.05分贝。")  # another kind
    # A yes-no question's figure is what the master judges: his other figure answers it.
    assert not contradicts("刹车片磨到两毫米还能用吗？", "磨到三毫米就必须换了。")
    # A verb before the noun is no other kind of it: 戴 手套 answers 线手套.
    assert not contradicts("戴副线手套干活行不行？", "操作车床绝对不许戴手套。")
    assert contradicts("What voltage rating for a 69 kV line?", "On our 14.4 kV lines keep two feet away.")
    # a figure written with thousands separators is one figure: 7,200 volts is not "200 volts"
    assert not contradicts("What voltage do our 7,200 volt lines carry?", "Mostly 7,200 and 14,400 volt distribution.")
    assert contradicts("What voltage do our 7,200 volt lines carry?", "Mostly 12,470 volt distribution.")


def test_a_rule_or_a_judgement_answers_a_yes_no_question() -> None:
    assert prescriptive("绝对不许带压拆泵盖。") and prescriptive("Never climb a wet pole.")
    assert not prescriptive("泵房里有三台卧式离心泵。")


def test_the_judge_picks_the_sentence_holding_the_asked_for_kind() -> None:
    hits = _hits("检修水泵有讲究。检修之前必须先断电，再关进出口阀门，把泵里的压力放掉。绝对不许带压拆泵盖。"
                 "泵房里有三台卧式离心泵。")
    verdict = judge("泵盖里还有压力，我直接拆开行不行？", hits)
    assert verdict.best is not None and "不许带压拆泵盖" in verdict.best.text
    assert verdict.grounded and not verdict.contradiction


def test_a_question_word_opening_the_clause_asks_a_value_not_leave() -> None:
    from rag.judge import asks_rule

    question = "I came across a line lying on the ground. How far back should I stay?"
    assert not asks_rule(question)  # "how far" asks a distance: "should I" does not make it a yes-no question
    assert asks_rule("The line is down. Should I stay back?") and asks_rule("下雨天能不能上杆？")
    hits = _hits("Stay away. At least thirty feet, and more if it's arcing or the ground is wet.")
    verdict = judge(question, hits)  # the distance answers it, though the master states no rule
    assert verdict.best is not None and verdict.best.features["kind"] == 1.0
    assert judge("The line is down. Should I stay back?", hits).best.features["kind"] == 0.0


def test_a_metal_the_welder_never_names_is_not_covered(pump_room) -> None:
    ctx, _ = pump_room
    # The welder gives the gas for 不锈钢 and 碳钢 only: titanium's is not his to tell.
    answer = answer_question(ctx, "焊钛合金该用什么保护气？")
    assert not answer.covered and answer.answer.startswith(NOT_COVERED["zh"])
    answer = answer_question(ctx, "焊不锈钢该用什么保护气？")
    assert answer.covered and "纯氩" in answer.answer


def test_another_metal_is_read_by_its_name_in_either_spelling() -> None:
    from rag.judge import evidence_names_another_material

    welder = _hits("焊不锈钢用纯氩，焊碳钢用二氧化碳或者混合气。")
    assert evidence_names_another_material("焊铝能用二氧化碳吗？", welder)
    assert not evidence_names_another_material("焊低碳钢用什么气？", welder)  # 低碳钢 is 碳钢
    assert not evidence_names_another_material("焊接之前要清理坡口吗？", welder)  # no metal asked
    brazer = _hits("Flow nitrogen while you braze aluminium line sets; copper takes the same care.")
    assert not evidence_names_another_material("Do I flow nitrogen when brazing aluminum?", brazer)
    assert evidence_names_another_material("Do I flow nitrogen when brazing brass fittings?", brazer)


def test_the_masters_rule_starts_the_answer_the_model_already_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.answerability
    from rag.answerability import Decision
    from rag.judge import decide

    # The model covers the question on the chunk's first sentences; his rule comes last in it.
    monkeypatch.setattr(rag.answerability, "decide", lambda *a, **k: Decision(True, 0.9, False, {}))
    hits = _hits("钨极要磨尖，磨成锥角30到60度。磨的时候要顺着钨极的长度方向磨。钨极伸出喷嘴3到5毫米。"
                 "还有，钨极千万别碰到熔池，一碰就夹钨，必须返修。")
    decision = decide("氩弧焊的时候钨极能碰一下熔池吗？", hits)
    assert decision.covered and decision.window is not None and "千万别碰到熔池" in decision.window.text
    # "钻进去" rules on getting under a car, not on pouring DOT5 "进去": a word of where is no word of the act.
    hits = _hits("DOT3、DOT4不能跟硅基的DOT5混加。", "用千斤顶顶起来的车，必须垫上安全支架才能钻进去。")
    window = decide("车上原来加的DOT4，能兑点DOT5进去凑合吗？", hits).window
    assert window is None or "千斤顶" not in window.text


def test_a_rule_spoken_without_marks_rules_on_its_own_clause() -> None:
    # A 语音转写稿: pauses, no marks. "排风扇也不要去按" rules on the fan (the thing before the marker
    # is in its clause); nothing rules against opening the windows, which he tells to do.
    turn = _hits("闻到燃气味 第一不能开关任何电器 灯也不要开不要关 排风扇也不要去按 第二不能在厨房里打电话 "
                 "第三马上把窗户门都打开 去把燃气总阀关掉")
    window = rule_answers("闻到煤气味，我先把排风扇打开散散味儿行不行？", turn)
    assert window is not None and "排风扇也不要去按" in window.text
    assert rule_answers("闻到煤气味，能先把窗户打开吗？", turn) is None


def test_what_the_master_disclaims_is_not_covered(pump_room) -> None:
    ctx, _ = pump_room
    # He says of deep-well pumps only "那个我没干过，不好说": that is no answer about them.
    answer = answer_question(ctx, "深井潜水泵下井之前要检查什么？")
    assert not answer.covered and answer.answer.startswith(NOT_COVERED["zh"])


def test_an_amount_the_interview_never_gives_is_not_covered(pump_room) -> None:
    ctx, _ = pump_room
    # Asked how many years between re-examinations: he names no years anywhere near.
    answer = answer_question(ctx, "水泵工的操作证几年复审一次？")
    assert not answer.covered
    # Asked how often the bearings are greased, he gives the months: answered.
    answer = answer_question(ctx, "泵的轴承隔几个月加一次润滑脂？")
    assert answer.covered and "每三个月" in answer.answer


def test_a_master_disclaiming_a_subject_and_a_missing_amount_are_units() -> None:
    from rag.judge import evidence_disclaims, lacks_asked_quantity

    hits = _hits("醒发箱我一直调在七十八左右。面包房那边可能不一样，他们做面包的另说。馒头醒发温度三十五到三十八度。")
    assert evidence_disclaims("做面包的话，醒发温度给多少？", hits)
    assert not evidence_disclaims("馒头醒发温度给多少？", hits)
    # A bare 不知道 in speech is no disclaimer: "你不知道它哪天坏了" still talks about the resistor.
    assert not evidence_disclaims("放电电阻会坏吗？", _hits("放电电阻也会坏，你不知道它哪天坏了。"))
    assert lacks_asked_quantity("叉车司机证几年复审一次？", _hits("货车司机要把车钥匙交给月台的人。"))
    # The thing is named in the interviewer's question, the amount in the master's reply.
    assert not lacks_asked_quantity("液压油几个小时换一次？", _hits("液压油多久换？说明书上写的是两千小时换一次。"))
    # The years in a sentence about something else are no answer: "I started in 2005" for a harness's life.
    assert lacks_asked_quantity("How many years can I keep using my harness?",
                                _hits("I started on a ground crew in 2005, for three years. The chipper was my job. "
                                      "We had a good foreman. Wear your harness in the bucket."))
    # A size given by a thing of that size answers "how high".
    assert not lacks_asked_quantity("磨菜刀，刀要斜着抬多高？", _hits("菜刀怎么磨？刀背抬起来一个一元硬币那么高。"))
    assert not lacks_asked_quantity("Who wrote grep and how long did it take?", _hits("Ken wrote grep overnight."))
    # 几级 asks for a grade: a weld's colour and its interpass heat are no grade of the radiograph.
    weld = "焊缝颜色银白、淡黄都合格。不锈钢多层焊，层间温度不能超过150度。"
    assert lacks_asked_quantity("管道焊缝拍片探伤，要评到几级片才算合格？", _hits(weld))
    assert not lacks_asked_quantity("管道焊缝拍片探伤，要评到几级片才算合格？", _hits(weld + "拍片探伤，Ⅱ级片以上才算合格。"))


def test_one_character_kinds_of_a_thing_contradict() -> None:
    assert contradicts("用鲜酵母的话，一斤面放多少？", "干酵母，一般是面粉的百分之一，一斤面就是五克左右。")
    assert not contradicts("干酵母一斤面放多少？", "干酵母，一般是面粉的百分之一，一斤面就是五克左右。")
    # A verb said twice is no kind: 降降温 against 通纯氧降温.
    assert not contradicts("往里吹点氧气降降温行不行？", "绝对不能往里面通纯氧降温。")
    # A one-character "noun" after a word is mostly a verb read as one: 钟头 换 is no kind of 换.
    assert not contradicts("叉车液压油还照说明书写的两千个钟头换吗？", "说明书上写的是两千小时换一次。")


def test_a_rule_of_the_masters_is_no_disclaimer() -> None:
    from rag.judge import evidence_disclaims

    assert not evidence_disclaims("Can I use a ladder on the steep roof?",
                                  _hits("We don't use ladders on the steep roof, we use the lift."))
    assert evidence_disclaims("How do I wire a tower crane's limit switch?",
                              _hits("Tower cranes are a different story, I've never worked on those."))


def test_a_safety_question_proposing_what_the_master_forbids_is_answered_with_his_rule(pump_room) -> None:
    ctx, pumps = pump_room
    # The master: "联轴器转着的时候，千万别伸手去摸". The worker proposes exactly that; the models alone
    # hold a safety question to a bar this evidence does not reach (.56 against .70), and would refuse it.
    question = "联轴器闻着焦味，我趁它转着伸手过去摸一把，没事吧？"
    answer = answer_question(ctx, question)
    assert answer.covered and answer.citations[0].transcript_id == pumps
    assert answer.answer.startswith("联轴器转着的时候，千万别伸手去摸")


def _ruled(question: str, said: str) -> str | None:
    """The master's sentence that rules on what the question proposes, in a chunk saying `said`; None if none."""
    window = rule_answers(question, _hits(said))
    return window.text if window is not None else None


def test_a_rule_answers_only_what_it_rules_on() -> None:
    lathe = "一，操作车床绝对不许戴手套，旋转的工件和铁屑会把手套卷进去，连手带胳膊一起卷。"
    assert _ruled("开数控车怕铁屑划手，戴副线手套干活行不行？", lathe) == lathe
    # A rule naming the material, about flushing the barrel, says nothing on whether to dry it.
    flush = "你上一个单打的是PVC，下一个单打POM，中间必须用PP或者PE把料筒彻底冲干净。"
    assert _ruled("PP料上机前要不要烘？", flush) is None
    # A rule about another thing of the same trade answers nothing about charging.
    lift = "升到位以后一定要落锁，让机械锁承重，不能靠液压撑着。"
    assert _ruled("我们新换的是锂电池叉车，能不能随用随充？", lift) is None
    # Only a question about doing something is answered by a rule.
    assert rule_answers("操作车床要注意什么？", _hits(lathe)) is None


def test_an_english_rule_answers_when_it_holds_half_of_what_is_proposed() -> None:
    storm = ("Storm work. That's exactly when people skip grounding or don't test twice. Before every use of your "
             "gloves, you do an air test.")
    # skipping the air test on new gloves: "skip … don't test" is a rule on grounding in a storm, not on that
    assert _ruled("Can I skip the air test if the gloves are brand new?", storm) is None
    cylinder = "Never heat a refrigerant cylinder with a torch. Heat. Attics in Texas in August hit 140 degrees."
    assert _ruled("Can I heat the refrigerant cylinder to speed up charging?", cylinder) == \
        "Never heat a refrigerant cylinder with a torch."


def test_a_disclaimer_about_another_kind_of_pump_disclaims_only_that_pump(pump_room) -> None:
    ctx, pumps = pump_room
    # "深井潜水泵……那个我没干过，不好说" is about deep-well pumps; his own 水泵 he knows.
    answer = answer_question(ctx, "水泵检修完护罩懒得装了，直接开泵行吗？")
    assert answer.covered and answer.citations[0].transcript_id == pumps
    assert "护罩拆了必须装回去才能开泵" in answer.answer
    assert not answer_question(ctx, "深井潜水泵的电缆接头怎么做防水？").covered


def _forklift(rule: str) -> list[SearchHit]:
    """The forklift master's rule, and a chunk of the same interview that names the forklift."""
    return [SearchHit(chunk=Chunk(id=f"c-{i}", transcript_id="forklift", ord=i, text=text, speakers=["刘师傅"],
                                  char_start=0, char_end=len(text)), score=1.0 - i / 10, rank=i + 1,
                      transcript_title="叉车")
            for i, text in enumerate([rule, "叉车起步要慢，货叉离地十五公分。"])]


def test_a_bare_rule_on_the_proposed_verb_answers_within_the_same_interview() -> None:
    # Deep in his forklift interview the master says "不能跳" without saying 叉车 again; another chunk of
    # the same interview names the forklift.
    hits = _forklift("翻车的时候不能跳？\n不能跳。人跑不过车翻的速度。")
    window = rule_answers("叉车翻车的时候能不能跳车？", hits)
    assert window is not None and window.text == "不能跳。"
    # the same words in another trade's interview say nothing about forklifts
    other = [hits[0], SearchHit(chunk=Chunk(id="c-9", transcript_id="kitchen", ord=0, text="叉车起步要慢。",
                                            speakers=["王师傅"], char_start=0, char_end=7),
                                score=0.5, rank=2, transcript_title="后厨")]
    assert rule_answers("叉车翻车的时候能不能跳车？", other) is None


def test_a_worker_asking_whether_his_move_brings_what_he_hopes_proposes_that_move() -> None:
    # "往外跳是不是能保命": what he proposes is the jump before 是不是, what follows is what he hopes for
    assert _proposal("叉车眼看要侧翻了，赶紧往外跳是不是能保命？") == "赶紧往外跳"
    # 是不是 opening its clause proposes nothing before it (the models decide, as before)
    assert _proposal("闸刀都拉下来了，是不是就能直接动手修了？") == ""
    hits = _forklift("翻车的时候不能跳？\n不能跳。人跑不过车翻的速度。正确的是系好安全带，双手握紧方向盘。")
    window = rule_answers("叉车眼看要侧翻了，赶紧往外跳是不是能保命？", hits)
    assert window is not None and window.text == "不能跳。"


def test_the_masters_rule_goes_on_with_what_he_says_next_in_the_same_turn() -> None:
    text = "翻车的时候不能跳？\n不能跳。人跑不过车翻的速度。正确的是系好安全带，双手握紧方向盘。\n那倒车呢？"
    start = text.index("不能跳。")

    class Speech:  # the interviewer's lines and the master's, as the turns table gives them
        def turn(self, chunk_index: int, offset: int) -> int:
            return start if start <= offset < text.index("\n那倒车") else 1

        def timed(self, chunk_index: int, offset: int) -> bool:
            return True  # the forklift interview's subtitles: a line is a cue, not a paragraph

    end = _said_on(text, 0, start, start + len("不能跳。"), Speech(), limit=150)  # type: ignore[arg-type]
    assert text[start:end] == "不能跳。人跑不过车翻的速度。正确的是系好安全带，双手握紧方向盘。"
    # the room of the answer bounds it; without turns the window stands alone
    assert text[start:_said_on(text, 0, start, start + 4, Speech(), limit=20)] == "不能跳。人跑不过车翻的速度。"  # type: ignore[arg-type]
    assert _said_on(text, 0, start, start + 4, None, limit=150) == start + 4


def test_a_rule_and_its_reason_answer_together(pump_room) -> None:
    ctx, pumps = pump_room
    answer = answer_question(ctx, "盘根漏水，能不能拿手摸摸看漏多少？")
    assert answer.covered and answer.citations[0].transcript_id == pumps
    assert answer.answer.startswith("不能拿手去摸。轴转着，手一碰就卷进去。要看漏多少，拿手电照着数")


def test_what_the_worker_proposes_is_read_in_the_masters_own_words() -> None:
    # jieba reads "料筒直接换料" as 料 / 筒 / 直接 / 换料; the master's 料筒 is the worker's
    flush = "你上一个单打的是PVC，下一个单打POM，中间必须用PP或者PE把料筒彻底冲干净。"
    assert _ruled("这台机刚跑完PVC料，接着要换POM，料筒直接换料行吗？", flush) == flush
    # two characters that are no thing and no act (直接) rule on nothing
    assert _ruled("车升起来了，我直接开走行吗？", "升到位以后不能直接钻下去，要先落锁。") is None


def test_an_act_the_worker_names_with_a_measure_word_is_the_masters_act() -> None:
    # jieba reads 抽根烟 as 抽根 / 烟; the master forbids 抽烟
    hits = _forklift("充电会出氢气，充电间里严禁抽烟、严禁明火。")
    window = rule_answers("叉车充电的时候，在旁边抽根烟没事吧？", hits)
    assert window is not None and "严禁抽烟" in window.text
    assert rule_answers("叉车充电的时候，在旁边打个电话没事吧？", hits) is None  # he rules on no phone call


def test_a_may_i_question_about_an_act_the_master_never_speaks_of_is_not_covered() -> None:
    from rag.judge import never_speaks_of

    hits = _forklift("充电会出氢气，充电间里严禁抽烟、严禁明火。DOT3、DOT4不能跟硅基的DOT5混加。")
    assert never_speaks_of("叉车还没停稳，能换挡吗？", hits)  # he never says 挡: no rule on it
    assert not never_speaks_of("叉车充电的时候能在旁边抽根烟吗？", hits)  # he speaks of 抽烟
    assert not never_speaks_of("叉车刹车油能兑点DOT5进去吗？", hits)  # of DOT5
    assert not never_speaks_of("叉车还没停稳，能不能换挡？", hits)  # 能不能 is the rule's own reading
    assert never_speaks_of("叉车能放在冷库里充电吗？", hits)  # he speaks of 充电, never of a 冷库


def test_a_may_i_question_asked_with_neng_ma_is_answered_by_the_rule_on_its_act_only() -> None:
    hits = _forklift("充电会出氢气，充电间里严禁抽烟、严禁明火。货叉升高了就不能走，不能转弯。")
    window = rule_answers("叉车充电的时候，能在旁边抽烟吗？", hits)
    assert window is not None and "严禁抽烟" in window.text  # 能……吗 proposes 抽烟; his rule rules on it
    assert rule_answers("叉车吊着货能开着走吗？", hits) is None  # a bare 不能走 is not about driving with a hanging load
