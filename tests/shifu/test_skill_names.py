"""Skills proposed for points and quiz items: the trade's list first, else a short name of the point's key
noun phrase in the course's language — never a lone word, never a person — and nothing already named is touched."""

from __future__ import annotations

from shifu.skill_names import fill_course, tokens


def _cite(start: int, end: int) -> dict:
    return {"transcript_id": "t1", "chunk_id": "c1", "quote": "", "start": start, "end": end}


def _course(points: list[tuple[str, str]], quiz: list[dict] | None = None, language: str = "zh",
            expert: str = "张建国") -> dict:
    return {"title": "课", "language": language, "sources": [{"transcript_id": "t1", "title": "访谈", "expert": expert}],
            "modules": [{"title": "单元", "lessons": [{"title": "焊前准备", "points": [
                {"kind": kind, "text": text, "citations": [_cite(n * 100, n * 100 + 50)]}
                for n, (kind, text) in enumerate(points)]}]}],
            "quiz": quiz or []}


def _skills(course: dict) -> list[list[str]]:
    return [p["skills"] for p in course["modules"][0]["lessons"][0]["points"]]


WELDING = [("step", "焊前先把坡口打磨干净，有油的用丙酮擦一遍。"),
           ("measurement", "薄板焊接电流要小，每毫米板厚30到40安培。"),
           ("warning", "张建国师傅说，不戴面罩看电弧，眼睛会得电光性眼炎。"),
           ("tip", "坡口打磨以后，两侧20毫米要露出金属光泽。")]


def test_a_point_reuses_the_trades_skill_it_matches_and_names_the_others_by_their_key_phrase():
    out = fill_course(_course(WELDING), known=["焊接电流选择", "氩气流量调节"])
    names = _skills(out)
    assert names[1] == ["焊接电流选择"]  # 焊接 and 电流 of the curated name are in the point
    assert names[0] == ["坡口打磨"]  # the key noun and the action done to it
    assert names[3] == ["坡口打磨"]  # a later point about the same thing reuses the name proposed before
    for (name,) in names:
        assert len(tokens(name, "zh")) >= 2, name  # never a lone word
        assert "张建国" not in name and "师傅" not in name


def test_a_quiz_item_takes_the_skills_of_the_point_it_quotes_and_named_items_keep_theirs():
    quiz = [{"id": "q1", "type": "true_false", "stem": "焊前不用打磨。", "answer": ["false"], "citations": [_cite(10, 20)]},
            {"id": "q2", "type": "short_answer", "stem": "薄板焊接用多大电流？", "answer": ["小电流"], "citations": []},
            {"id": "q3", "type": "short_answer", "stem": "看电弧要戴什么？", "answer": ["面罩"], "skills": ["护目"],
             "citations": [_cite(200, 210)]}]
    out = fill_course(_course(WELDING, quiz), known=["焊接电流选择"])
    assert [q["skills"] for q in out["quiz"]] == [["坡口打磨"], ["焊接电流选择"], ["护目"]]
    assert fill_course(out, known=["焊接电流选择"]) == out  # idempotent: what has skills keeps them


def test_english_names_are_phrases_of_the_course_language_and_never_a_name():
    course = _course([("warning", "Before you touch it, Tom tests the line dead with a proper tester."),
                      ("step", "Rubber gloves get an air test every morning: roll the cuff and squeeze."),
                      ("measurement", "Keep ten feet from an overhead line.")], language="en", expert="Tom Becker")
    names = [n for (n,) in _skills(fill_course(course))]
    assert all(2 <= len(n.split()) <= 3 for n in names), names
    assert not any("tom" in n.lower() or "becker" in n.lower() for n in names)
    assert "rubber gloves" in names


def test_a_point_without_a_noun_of_its_own_is_taught_under_its_lessons_skill():
    out = fill_course(_course([("step", "焊前先把坡口打磨干净。"), ("tip", "只穿一只坐着试，是试不出来的。")]))
    assert _skills(out) == [["坡口打磨"], ["坡口打磨"]]
