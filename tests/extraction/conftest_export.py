"""A realistic course for the export tests: a Chinese welding course whose quotes carry
every character an export format treats specially ({ } ~ = # : \\ < > & ]]>), plus English."""

from __future__ import annotations

from extraction.course import CourseDraft, FollowUpQuestion, Lesson, Module, Point, QuizItem, Source
from shifu.models import Citation

# The interview text the citations point into (turn texts joined by "\n").
TRANSCRIPT = "\n".join([
    "电流调到{120}~140安培，电压=22伏，这个比例你记住：电流#电压要配。",
    "千万别用手去摸刚焊完的工件，几百度！<script>alert('烫')</script> & 烫伤不是闹着玩的。",
    "Keep the torch at 15~20 degrees: push, don't drag.",
    "参数表放在 C:\\焊接\\参数.txt 里，标签写着 a]]>b，别弄丢了。",
    "焊丝伸出长度一般10~15毫米，太长了电弧不稳。\x0b",
])


def cite(fragment: str, t_start: float | None = None) -> Citation:
    start = TRANSCRIPT.index(fragment)
    return Citation(transcript_id="t-weld-01", chunk_id=f"t-weld-01:{start // 40}", quote=fragment,
                    start=start, end=start + len(fragment), t_start=t_start,
                    t_end=None if t_start is None else t_start + 12.5)


def welding_course() -> CourseDraft:
    """Two modules, four points with tricky quotes, eight quiz items of every type."""
    current = cite("电流调到{120}~140安培，电压=22伏，这个比例你记住：电流#电压要配。", 65.0)
    burn = cite("千万别用手去摸刚焊完的工件，几百度！<script>alert('烫')</script> & 烫伤不是闹着玩的。", 3725.0)
    torch = cite("Keep the torch at 15~20 degrees: push, don't drag.", 130.0)
    path = cite("参数表放在 C:\\焊接\\参数.txt 里，标签写着 a]]>b，别弄丢了。")
    stickout = cite("焊丝伸出长度一般10~15毫米，太长了电弧不稳。\x0b", 200.0)
    return CourseDraft(
        title="CO2气体保护焊：王师傅的{参数}与安全 #1",
        language="zh",
        audience="新入职焊工 & 学徒",
        level="初级",
        objectives=["能按王师傅的经验设定电流=电压配比", "知道焊后<工件>的烫伤风险"],
        sources=[Source(transcript_id="t-weld-01", title="焊接访谈", expert="王建国", sha256="ab" * 32)],
        modules=[
            Module(title="参数设定", summary="电流、电压和焊丝：{先调}~再焊", lessons=[
                Lesson(title="电流与电压的配比", objectives=["说出电流范围"],
                       content_md="## 为什么要配\n\n王师傅说：**电流**和电压要配。\n\n- 先调电流\n- 再调电压\n\n> 电流#电压要配",
                       points=[Point(kind="rule", text="电流{120}~140安培，电压=22伏", citations=[current]),
                               Point(kind="step", text="Hold the torch at 15~20°, push", citations=[torch])]),
                Lesson(title="焊丝与参数表", points=[
                    Point(kind="measurement", text="焊丝伸出10~15毫米", citations=[stickout]),
                    Point(kind="tool", text="参数表路径 C:\\焊接\\参数.txt", citations=[path])]),
            ]),
            Module(title="安全", lessons=[Lesson(title="防烫伤", points=[
                Point(kind="warning", text="别用手摸刚焊完的工件 <script>", citations=[burn])])]),
        ],
        quiz=[
            QuizItem(id="q1", type="single_choice", stem="CO2焊时电流应调到多少？{注意单位}",
                     options=["{120}~140安培", "80~100安培", "200=安培#", "50安培: 太小"],
                     answer=["{120}~140安培"], explanation="王师傅：电流调到{120}~140安培", citations=[current]),
            QuizItem(id="q2", type="multiple_choice", stem="下列哪些是王师傅说的？",
                     options=["电流#电压要配", "电压=22伏", "<script>alert(1)</script>", "电流越大越好"],
                     answer=["电流#电压要配", "电压=22伏"], citations=[current], difficulty="hard",
                     bloom="understand", skills=["参数设定"]),
            QuizItem(id="q3", type="true_false", stem="刚焊完的工件可以用手摸 & 试温度。", answer=["false"],
                     explanation="几百度！<script>alert('烫')</script>", citations=[burn]),
            QuizItem(id="q4", type="true_false", stem="Keep the torch at 15~20 degrees: push, don't drag.",
                     answer=["true"], citations=[torch]),
            QuizItem(id="q5", type="short_answer", stem="焊丝伸出长度一般是多少毫米？", answer=["10~15", "10到15毫米"],
                     citations=[stickout]),
            QuizItem(id="q6", type="single_choice", stem="参数表放在哪里？\\ 路径: C:\\焊接",
                     options=["C:\\焊接\\参数.txt", "a]]>b", "D:\\temp"], answer=["C:\\焊接\\参数.txt"],
                     citations=[path], flags=["answer_not_in_quote"]),
            QuizItem(id="q7", type="short_answer", stem="为什么焊丝伸出太长不好？请用王师傅的话说明。",
                     answer=["焊丝伸出长度一般10~15毫米，太长了电弧不稳，焊缝就会出现气孔和飞溅，这是王师傅反复强调的经验。"],
                     citations=[stickout]),
            QuizItem(id="q8", type="multiple_choice", stem="Which are welding parameters?",
                     options=["current", "voltage", "wire stick-out", "helmet colour", "shoe size"],
                     answer=["current", "voltage", "wire stick-out"], citations=[current]),
        ],
        follow_up_questions=[FollowUpQuestion(question="电压为什么是=22伏？", reason="步骤没有说明原因",
                                              citations=[current])],
    )


def english_course() -> CourseDraft:
    """The same course with English labels, to check an English course reads in English."""
    return welding_course().model_copy(update={"language": "en", "title": "MIG welding: {settings} & safety"})
