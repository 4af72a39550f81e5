"""The words an export prints around the course, in the course's language."""

from __future__ import annotations

from extraction.course import CourseDraft
from extraction.speakers import listed
from shifu.models import Citation
from shifu.timecode import clock

_ZH = {
    "audience": "学员",
    "level": "层级",
    "objectives": "学习目标",
    "takeaways": "核心要点（按重要性排序）",
    "sources": "访谈来源",
    "module": "模块",
    "lesson": "课",
    "points": "要点与师傅原话",
    "quiz": "测验",
    "answer_key": "答案与解析",
    "answer": "答案",
    "explanation": "解析",
    "flags": "待审核",
    "follow_up": "下次访谈追问清单",
    "reason": "原因",
    "true": "正确",
    "false": "错误",
    "submit": "提交答卷",
    "score": "得分",
    "passed": "通过",
    "failed": "未通过",
    "your_answer": "请输入答案",
    "single_choice": "单选题",
    "multiple_choice": "多选题",
    "true_false": "判断题",
    "short_answer": "简答题",
    "colon": "：",
    "open": "（",
    "close": "）",
    "dash": "——",
}

_EN = {
    "audience": "Audience",
    "level": "Level",
    "objectives": "Learning objectives",
    "takeaways": "Key takeaways (most important first)",
    "sources": "Interviews",
    "module": "Module",
    "lesson": "Lesson",
    "points": "Key points in the master's words",
    "quiz": "Quiz",
    "answer_key": "Answer key",
    "answer": "Answer",
    "explanation": "Explanation",
    "flags": "Needs review",
    "follow_up": "Questions for the next interview",
    "reason": "Why",
    "true": "True",
    "false": "False",
    "submit": "Submit answers",
    "score": "Score",
    "passed": "Passed",
    "failed": "Not passed",
    "your_answer": "Type your answer",
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "true_false": "True or false",
    "short_answer": "Short answer",
    "colon": ": ",
    "open": " (",
    "close": ")",
    "dash": " — ",
}


def words(language: str) -> dict[str, str]:
    """The label words for a course language (Chinese unless it is English)."""
    return _EN if language == "en" else _ZH


def citation_label(citation: Citation, draft: CourseDraft, speaker: str = "") -> str:
    """Where a quote comes from: who said it, interview title and time, e.g. '王师傅《焊接访谈》 12:05'.
    A panel's point (its source lists several names) is credited to its own `speaker`."""
    source = next((s for s in draft.sources if s.transcript_id == citation.transcript_id), None)
    if source is None:
        return citation.transcript_id
    who = speaker if speaker and len(listed(source.expert)) > 1 else source.expert
    if draft.language == "en":
        where = f"{who}, {source.title}".strip(", ")
    else:
        where = f"{who}《{source.title}》" if source.title else who
    when = clock(citation.t_start)
    return f"{where} {when}".strip() if when else where
