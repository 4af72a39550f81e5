"""Read plain-text and Markdown interviews: a metadata header, then `Speaker: text` turns."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rag.language import is_cjk
from rag.roles import EXPERT_LABELS, INTERVIEWER_LABELS, is_role_label
from shifu.models import Turn

__all__ = ["ParsedSource", "parse_text", "split_speaker", "accepted_labels", "join_lines", "parse_clock"]


@dataclass
class ParsedSource:
    """What a format reader found, before roles, spans and language are settled."""

    turns: list[Turn] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # title, expert, trade, enterprise, date, interviewer, language
    fixed_roles: set[int] = field(default_factory=set)  # turn positions whose role the source states


_META_KEYS = {
    "title": "标题 题目 主题 访谈主题 title topic",
    "expert": "专家 受访者 受访人 被访者 被采访人 讲述人 口述人 expert interviewee master narrator",
    "trade": "工种 岗位 职业 专业 行业 trade occupation craft job",
    "enterprise": "企业 单位 公司 工厂 所在企业 所在单位 enterprise company organization organisation employer",
    "date": "日期 访谈日期 采访日期 访谈时间 采访时间 时间 date interview_date",
    "interviewer": "采访人 采访者 访谈人 访谈者 记者 记录人 整理人 interviewer",
    "language": "语言 language lang",
    "ignored": "地点 职称 工龄 从业年限 备注 时长 location place years duration",
}
META_KEYS = {word.lower(): key for key, words in _META_KEYS.items() for word in words.split()}

# Words that start a line with a colon inside an answer but are not people.
_NOT_SPEAKERS = set(
    "注意 注 提示 备注 说明 步骤 首先 其次 然后 最后 总结 例如 比如 原因 结果 问题 要点 技巧 口诀 安全 警告 "
    "重点 所以 一句话 记住 经验 教训 结论 标准 要求 方法 做法 参数 规定 口令 公式 "
    "note notes tip tips warning caution step example e.g summary rule rules result answer: "
    "http https ftp mailto".split()
)

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_SPEAKER_LINE = re.compile(
    r"^\s*(?:[-*•]\s+)?"
    rf"(?:[\[【(（]?(?P<ts>{_CLOCK})[\]】)）]?\s*)?"
    r"(?:\*\*|__)?(?P<label>[^\s:：*_#>\[【][^:：\n]{0,40}?)(?:\*\*|__)?\s*"
    rf"(?:[\[【(（]?(?P<ts2>{_CLOCK})[\]】)）]?\s*)?"
    r"[:：](?:\*\*|__)?\s*(?P<text>.*)$"
)
# iFlytek / Feishu exports: "说话人1 00:01:05" on its own line, the words on the next lines.
_SPEAKER_HEADER = re.compile(
    rf"^\s*(?P<label>[^\s:：]{{1,12}}|[^\s:：\d]{{1,6}} \d{{1,2}}|[A-Z][\w.' -]{{0,30}}?)\s+(?P<ts>{_CLOCK})\s*$"
)
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.、)）]|[（(]\d+[）)]|[-*•]\s|[一二三四五六七八九十]+、)")
_SENTENCE_END = re.compile(r"[。！？!?]\s*$|\.\s*$")


def parse_clock(clock: str) -> float:
    """'01:02:03,5' -> 3723.5 seconds; 'mm:ss' also accepted."""
    parts = clock.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def split_speaker(line: str) -> tuple[str, str, float | None] | None:
    """'[00:12:03] 李工：先预热' -> ('李工', '先预热', 723.0); None when the line names no plausible speaker."""
    header = _SPEAKER_HEADER.match(line)
    if header is not None and _plausible_label(header["label"]):
        return _clean_label(header["label"]), "", parse_clock(header["ts"])
    match = _SPEAKER_LINE.match(line)
    if match is None:
        return None
    label = match["label"].strip()
    if not _plausible_label(label):
        return None
    clock = match["ts"] or match["ts2"]
    return _clean_label(label), match["text"].strip(), parse_clock(clock) if clock else None


def accepted_labels(counts: Counter[str], known_names: list[str], *, fallback: bool = True) -> set[str]:
    """Labels that really are speakers: said twice or more, a role word or a recogniser's "说话人3", an
    honorific, or a named person.

    With none of those, a short exchange of one-off labels ("Zhang: ... / Li: ...") still counts when
    `fallback` allows it and there are at least two of them.
    """
    keep = set()
    for label, count in counts.items():
        if (
            count >= 2
            or is_role_label(label)
            or re.search(r"(师傅|老师|工程师|技师|经理|主任|班长|店长|记者|主持人)$", label)
            or any(name and (label in name or name in label) for name in known_names)
        ):
            keep.add(label)
    if not keep and fallback and len(counts) >= 2:
        return set(counts)
    return keep


def join_lines(a: str, b: str) -> str:
    """Join a hard-wrapped line to the next: no space between Chinese characters, one space otherwise."""
    if not a:
        return b
    if not b:
        return a
    glue = "" if (is_cjk(a[-1]) or a[-1] in "，。、；：！？“”（）") and (is_cjk(b[0]) or b[0] in "，。、；：！？“”（）") else " "
    return a.rstrip() + glue + b.lstrip()


def parse_text(text: str, *, known_names: list[str] | None = None) -> ParsedSource:
    """Parse `Speaker: text` lines with an optional header; with no speakers, one speaker-less turn per paragraph."""
    lines = text.split("\n")
    everywhere = Counter(found[0] for line in lines if (found := split_speaker(line)))
    meta, body_start = read_header(lines, {label for label, n in everywhere.items() if n >= 2})
    body = lines[body_start:]
    names = [meta.get("expert", ""), meta.get("interviewer", ""), *(known_names or [])]
    counts = Counter(found[0] for line in body if (found := split_speaker(line)))
    speakers = accepted_labels(counts, names) if counts else set()
    if speakers:
        drafts, preamble = _speaker_drafts(body, speakers, meta)
    else:
        drafts, preamble = _paragraph_drafts(body), []
    # A short first line before anyone speaks ("Interview with Ken Thompson") is the title.
    lines_for_title = [line.rstrip(":：") for line in preamble if len(line) >= 4]
    if "title" not in meta and lines_for_title and len(lines_for_title[0]) <= 80:
        meta["title"] = lines_for_title[0]
    return ParsedSource(turns=_to_turns(drafts), meta=meta)


def _speaker_drafts(body: list[str], speakers: set[str], meta: dict[str, str]) -> tuple[list[_Draft], list[str]]:
    """Turns started by speaker lines, continuation lines added to them, and the lines before the first turn."""
    drafts: list[_Draft] = []
    preamble: list[str] = []
    for line in body:
        stripped = line.strip()
        if _is_heading(stripped) or _is_rule(stripped):
            if stripped.startswith("# ") and "title" not in meta:
                meta["title"] = stripped[2:].strip()
            continue
        found = split_speaker(line)
        if found and found[0] in speakers:
            drafts.append(_Draft(found[0], found[2]))
            drafts[-1].add(found[1])
        elif drafts:
            drafts[-1].add(stripped)
        elif stripped:
            preamble.append(stripped)
    return drafts, preamble


def _paragraph_drafts(body: list[str]) -> list[_Draft]:
    """No speaker anywhere: keep each paragraph, so an --expert override can still make them the master's turns."""
    drafts: list[_Draft] = []
    for line in body:
        stripped = line.strip()
        if _is_heading(stripped) or _is_rule(stripped):
            continue
        if stripped and (not drafts or not drafts[-1].open):
            drafts.append(_Draft("", None))
        if drafts:
            drafts[-1].add(stripped)
    return drafts


def read_header(lines: list[str], speaker_labels: set[str] | None = None) -> tuple[dict[str, str], int]:
    """Leading `标题: ...` / `Expert: ...` lines (or a --- front-matter block) -> metadata and where the body starts.

    A line whose key is also a label that keeps speaking later ("Expert:" twice or more) counts as
    metadata only beside other metadata lines (Title, Trade, Date ...); alone it is the first turn.
    """
    meta: dict[str, str] = {}
    i = 0
    fenced = False
    first_ambiguous: int | None = None
    plain_keys = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if line == "---" and (fenced or not meta):
            fenced = not fenced
            i += 1
            continue
        if line.startswith("# ") and "title" not in meta:
            meta["title"] = line[2:].strip()
            plain_keys += 1
            i += 1
            continue
        entry = _meta_line(line)
        if entry is None:
            if fenced:
                i += 1
                continue
            break
        found = split_speaker(line)
        if found and found[0] in (speaker_labels or set()):
            first_ambiguous = i if first_ambiguous is None else first_ambiguous
        else:
            plain_keys += 1
        key, value = entry
        if key != "ignored":
            meta.setdefault(key, value)
        i += 1
    if first_ambiguous is not None and plain_keys == 0:
        return {}, first_ambiguous
    return meta, i


def _meta_line(line: str) -> tuple[str, str] | None:
    match = re.match(r"^(?:[-*]\s*)?(?:\*\*)?([^:：*]{1,20}?)(?:\*\*)?\s*[:：]\s*(?:\*\*)?(.*)$", line)
    if match is None:
        return None
    key = META_KEYS.get(match[1].strip().lower().replace(" ", "_"))
    value = match[2].strip().strip("*").strip()
    if key is None or not value or len(value) > (160 if key == "title" else 80):
        return None
    if _SENTENCE_END.search(value) and key != "title":
        return None
    return key, value


class _Draft:
    """A turn being collected line by line; blank lines and list items start a new paragraph."""

    def __init__(self, speaker: str, start: float | None) -> None:
        self.speaker = speaker
        self.start = start
        self.paragraphs: list[str] = []
        self.open = False

    def add(self, line: str) -> None:
        if not line:
            self.open = False
            return
        if self.open and not _LIST_ITEM.match(line) and not _ends_chinese_sentence(self.paragraphs[-1]):
            self.paragraphs[-1] = join_lines(self.paragraphs[-1], line)
        else:
            self.paragraphs.append(line)
        self.open = True


def _ends_chinese_sentence(text: str) -> bool:
    """Chinese is not hard-wrapped: a line ending in 。！？ is a paragraph of its own."""
    return bool(re.search(r"[。！？…”」』]$", text))


def _to_turns(drafts: list[_Draft]) -> list[Turn]:
    turns: list[Turn] = []
    for draft in drafts:
        text = "\n".join(draft.paragraphs).strip()
        if text:
            turns.append(Turn(index=len(turns), speaker=draft.speaker, text=text, start=draft.start))
    # A timestamped turn lasts until the next one begins.
    for turn, following in zip(turns, turns[1:], strict=False):
        if turn.start is not None and following.start is not None and following.start >= turn.start:
            turn.end = following.start
    return turns


def _plausible_label(label: str) -> bool:
    label = label.strip().strip("*_").strip()
    bare = re.sub(r"[（(].*?[）)]", "", label).strip()
    if not bare or bare.lower() in _NOT_SPEAKERS or re.fullmatch(r"[\d\s.:]+", bare):
        return False
    if is_role_label(bare):  # "发言人 1" as Feishu writes it
        return True
    if re.search(r"第.{1,3}[步条点]|^step\s*\d|^\d", bare, re.IGNORECASE):
        return False
    if any(is_cjk(ch) for ch in bare):
        # "他跟我说：" quotes someone inside an answer; it does not start a turn.
        if re.search(r"(说|讲|道|讲过|告诉我|问我|问过)$", bare) and bare.lower() not in INTERVIEWER_LABELS:
            return False
        return len(bare) <= 8 and not re.search(r"[\s，。、！？；“”\"'‘’《》,!?;]", bare)
    words = bare.split()
    return (
        len(words) <= 4
        and len(bare) <= 32
        and bool(re.fullmatch(r"[A-Za-z][\w.'’ -]*", bare))
        and (bare[0].isupper() or bare.lower() in INTERVIEWER_LABELS | EXPERT_LABELS)
    )


def _clean_label(label: str) -> str:
    """'**张师傅（焊工）**' -> '张师傅'; 'Q1' -> 'Q'; '问2' -> '问'."""
    label = re.sub(r"[（(].*?[）)]", "", label.strip().strip("*_")).strip()
    label = re.sub(r"(?<=[^\x00-\x7f]) +(?=\d+$)", "", label)  # "说话人 1" is "说话人1"
    numbered = re.fullmatch(r"(问|答|Q|A)\s*\d+", label, re.IGNORECASE)
    return numbered[1] if numbered else label


def _is_heading(line: str) -> bool:
    return bool(re.match(r"^#{1,6}\s", line))


def _is_rule(line: str) -> bool:
    return bool(re.fullmatch(r"(-{3,}|\*{3,}|_{3,}|={3,})", line))
