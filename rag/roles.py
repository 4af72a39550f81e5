"""Decide who in an interview is the master (expert) and who asks (interviewer)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from shifu.models import Turn

__all__ = [
    "assign_roles", "match_speaker", "is_question", "is_role_label", "name_speakers",
    "INTERVIEWER_LABELS", "EXPERT_LABELS",
]

INTERVIEWER_LABELS = {
    "问", "提问", "q", "question", "interviewer", "host", "reporter", "记者", "主持人", "主持",
    "采访者", "采访人", "访谈人", "访谈者", "访问者", "采访", "msm", "i", "int",
}
EXPERT_LABELS = {
    "答", "回答", "a", "answer", "expert", "interviewee", "专家", "受访者", "受访人", "被访者",
    "师傅", "老师傅", "r", "respondent",
}

_QUESTION_END = re.compile(r"[?？]\s*$|[吗呢么]\s*[。？?]?\s*$")
_QUESTION_WORDS = re.compile(
    r"怎么|什么|为什么|如何|哪些|哪个|多少|能不能|是不是|有没有|请问|请您|您能|讲讲|说说|谈谈|介绍一下"
    r"|^\s*(how|why|what|when|where|which|who|can you|could you|would you|do you|did you|is it|tell me)\b",
    re.IGNORECASE,
)
# What speech recognition calls the people it tells apart: 说话人1, 发言人 2, Speaker A, SPEAKER_00, spk1.
_NUMBERED_SPEAKER = re.compile(
    r"^(发言人|说话人|讲话人|角色|嘉宾|讲者|受访者|专家|speaker|spk|guest)[\s_]*(\d+|[a-z])$", re.IGNORECASE
)
_HONORIFIC = re.compile(r"(师傅|老师|师|工|经理|主任|班长|组长|店长|厂长|总|哥|姐)$")


def is_question(text: str) -> bool:
    """True when a turn ends by asking (?, 吗/呢), or is short and has a question word (怎么, how ...)."""
    tail = text.rstrip()[-30:]
    if _QUESTION_END.search(tail) or "?" in tail or "？" in tail:
        return True
    # In a long answer "怎么说呢" or "why" is talk, not a question to the other side.
    return len(text) <= 40 and bool(_QUESTION_WORDS.search(text))


def is_role_label(label: str) -> bool:
    """A speaker label that names a role, not a person ("答", "A", "说话人2", "Speaker 1", "嘉宾6")."""
    word = label.strip().rstrip(":：").lower()
    return word in EXPERT_LABELS or word in INTERVIEWER_LABELS or bool(_NUMBERED_SPEAKER.match(word))


def name_speakers(turns: list[Turn], *, expert: str | None, interviewer: str | None) -> dict[str, str]:
    """Call the master (and the interviewer) by the names the file writes where their label only says a role.

    The master's label is renamed when it is a role word or a recogniser's number ("答", "说话人2") and
    no other speaker answers at length; the interviewer's only when it is a number ("说话人1"), since
    "问" / "Interviewer" already say who asks. Returns {old label: name}; turns are changed in place.
    """
    labels = {turn.speaker for turn in turns}
    renamed: dict[str, str] = {}
    for role, name, renamable in (
        ("expert", expert, is_role_label),
        ("interviewer", interviewer, lambda label: bool(_NUMBERED_SPEAKER.match(label.strip()))),
    ):
        holders = {turn.speaker for turn in turns if turn.role == role}
        if not name or len(holders) != 1 or name in labels or name in renamed.values() or is_role_label(name):
            continue
        label = holders.pop()
        if renamable(label):
            renamed[label] = name
    for turn in turns:
        turn.speaker = renamed.get(turn.speaker, turn.speaker)
    return renamed


def match_speaker(name: str, speakers: Iterable[str]) -> str | None:
    """The speaker label that names this person: '张建国' finds '张师傅', 'Mike Thompson' finds 'Thompson'."""
    labels = list(speakers)
    wanted = _bare(name)
    if not wanted:
        return None
    for label in labels:
        if _bare(label) == wanted:
            return label
    for label in labels:
        bare = _bare(label)
        if bare and len(bare) > 1 and (bare in wanted or wanted in bare):
            return label
    for label in labels:
        bare = _bare(label)
        # 张建国 is 张师傅 / 张工 / 老张 to the people around him.
        stem = _HONORIFIC.sub("", bare).removeprefix("老").removeprefix("小")
        if stem and wanted[0] == stem[0] and len(stem) <= 2 and not stem.isascii():
            return label
    words = wanted.split()
    for label in labels:
        if len(words) > 1 and _bare(label) in (words[0], words[-1]):
            return label
    return None


def assign_roles(
    turns: list[Turn],
    *,
    expert: str | None = None,
    interviewer: str | None = None,
    fixed: set[int] | None = None,
) -> str | None:
    """Set each turn's role in place and return the expert's speaker label (None if no turn is the expert's)."""
    fixed = fixed or set()
    speakers = _speaker_stats(turns)
    roles: dict[str, str] = {}
    for label in speakers:
        key = _bare(label)
        if key in INTERVIEWER_LABELS:
            roles[label] = "interviewer"
        elif key in EXPERT_LABELS:
            roles[label] = "expert"
    if interviewer and (found := match_speaker(interviewer, speakers)):
        roles[found] = "interviewer"
    main = match_speaker(expert, speakers) if expert else None
    if main is None:
        main = _explicit_expert(turns, fixed) or _most_expert_like(speakers, roles)
    if main is not None:
        roles[main] = "expert"
        _assign_the_rest(speakers, roles, main)
    for turn in turns:
        if turn.index not in fixed:
            turn.role = roles.get(turn.speaker, "other")  # type: ignore[assignment]
    return main


def _speaker_stats(turns: list[Turn]) -> dict[str, dict[str, float]]:
    stats: dict[str, dict[str, float]] = defaultdict(lambda: {"chars": 0.0, "turns": 0.0, "questions": 0.0})
    for turn in turns:
        row = stats[turn.speaker]
        row["chars"] += len(turn.text)
        row["turns"] += 1
        row["questions"] += is_question(turn.text)
    return dict(stats)


def _explicit_expert(turns: list[Turn], fixed: set[int]) -> str | None:
    for turn in turns:
        if turn.index in fixed and turn.role == "expert":
            return turn.speaker
    return None


def _question_rate(row: dict[str, float]) -> float:
    return row["questions"] / row["turns"]


def _most_expert_like(speakers: dict[str, dict[str, float]], roles: dict[str, str]) -> str | None:
    """Whoever talks most and asks least; a known expert label wins outright."""
    known = [s for s, r in roles.items() if r == "expert"]
    if known:
        return max(known, key=lambda s: speakers[s]["chars"])
    candidates = [s for s in speakers if roles.get(s) != "interviewer"] or list(speakers)
    if not candidates:
        return None
    return max(candidates, key=lambda s: speakers[s]["chars"] * (1.2 - _question_rate(speakers[s])))


def _assign_the_rest(speakers: dict[str, dict[str, float]], roles: dict[str, str], main: str) -> None:
    """The top asker is the interviewer; others ask (interviewer), answer at length (expert) or chime in."""
    others = [s for s in speakers if s != main and s not in roles]
    if not others:
        return
    if "interviewer" not in roles.values():
        asker = max(others, key=lambda s: (_question_rate(speakers[s]), speakers[s]["turns"]))
        roles[asker] = "interviewer"
    total = sum(row["chars"] for row in speakers.values()) or 1.0
    for label in others:
        if label in roles:
            continue
        row = speakers[label]
        if _question_rate(row) >= 0.5:
            roles[label] = "interviewer"
        elif row["chars"] / total >= 0.15 and _question_rate(row) < 0.25:
            roles[label] = "expert"
        else:
            roles[label] = "other"


def _bare(label: str) -> str:
    """A label without brackets, honorific punctuation or case: '**张师傅（焊工）**' -> '张师傅'."""
    label = re.sub(r"[（(【\[].*?[）)】\]]", "", label)
    return label.strip(" *_\t").lower()
