"""Turn an uploaded transcript file into a Transcript: decode, read turns, settle roles, spans and language."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import PurePath

from rag.decode import decode_transcript_bytes
from rag.language import detect_language
from rag.parse_docx import parse_docx
from rag.parse_json import parse_json
from rag.parse_subtitles import parse_srt, parse_vtt
from rag.parse_text import ParsedSource, parse_text
from rag.roles import assign_roles, is_role_label, match_speaker, name_speakers
from rag.screen import clean_text
from shifu.errors import TranscriptError
from shifu.models import Language, Transcript, Turn

__all__ = [
    "parse_transcript",
    "assign_spans",
    "parse_date",
    "is_transcript_name",
    "SUPPORTED_EXTENSIONS",
    "DEFAULT_MAX_BYTES",
]

SUPPORTED_EXTENSIONS = {".txt", ".md", ".srt", ".vtt", ".docx", ".json"}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Documentation that lives beside transcripts (corpus/FORMAT.md) and must not be ingested from a folder.
_NOT_TRANSCRIPTS = {"format.md", "readme.md", "readme.txt", "license.md", "changelog.md"}


def is_transcript_name(name: str) -> bool:
    """True for a file a folder ingest should take: a supported extension and not a README/FORMAT document."""
    path = PurePath(name)
    return path.suffix.lower() in SUPPORTED_EXTENSIONS and path.name.lower() not in _NOT_TRANSCRIPTS


def parse_transcript(
    data: bytes, name: str, *, expert: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Transcript:
    """Parse one transcript file's bytes; raise TranscriptError (naming the file and the fix) if it cannot be used."""
    name = PurePath(name).name or name
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise TranscriptError(
            f"{name}: '{suffix or 'no extension'}' files are not supported; save the interview as one of "
            f"{', '.join(sorted(SUPPORTED_EXTENSIONS))} (see corpus/FORMAT.md).",
            zh=f"{name}：不支持{'这种' if suffix else '没有扩展名的'}文件；请把访谈另存为 "
               f"{'、'.join(sorted(SUPPORTED_EXTENSIONS))} 之一。",
        )
    if len(data) > max_bytes:
        raise TranscriptError(
            f"{name} is {_mb(len(data))} MB, over the {_mb(max_bytes)} MB limit; "
            f"split the interview into parts or raise the limit with SHIFU_MAX_FILE_MB.",
            zh=f"{name} 有 {_mb(len(data))} MB，超过 {_mb(max_bytes)} MB 上限；请把访谈拆成几个文件，或请管理员调高上限。",
        )
    if not data.strip():
        raise TranscriptError(f"{name} is empty; export the interview again and upload the full file.",
                              zh=f"{name} 是空文件；请重新导出访谈并上传完整文件。")
    source = _screened(_read(data, name, suffix, expert))
    turns = _with_speakers(source.turns, name, expert)
    assign_spans(turns)
    meta = source.meta
    speakers = {turn.speaker for turn in turns}
    # The --expert name wins when it names a speaker; else the header's expert name may.
    named = next((n for n in (expert, meta.get("expert")) if n and match_speaker(n, speakers)), None)
    expert_label = assign_roles(
        turns, expert=named, interviewer=meta.get("interviewer"), fixed=source.fixed_roles
    )
    master = _expert_name(expert, meta.get("expert"), expert_label, turns)
    # A name the trainer typed or the header writes replaces "说话人2" / "答" wherever the speaker is shown.
    name_speakers(turns, expert=master if (expert or meta.get("expert")) else None,
                  interviewer=_person(meta.get("interviewer")))
    text = "\n".join(turn.text for turn in turns)
    return Transcript(
        title=meta.get("title") or PurePath(name).stem,
        language=_language(meta.get("language"), text),
        expert=master,
        trade=meta.get("trade"),
        enterprise=meta.get("enterprise"),
        interview_date=parse_date(meta.get("date")),
        source_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        turns=turns,
    )


def _screened(source: ParsedSource) -> ParsedSource:
    """Invisible, tag and bidi-control characters never reach the index (see rag/screen.py)."""
    for turn in source.turns:
        turn.text = clean_text(turn.text)[0]
        turn.speaker = clean_text(turn.speaker)[0].strip() if turn.speaker else turn.speaker
    source.meta = {k: clean_text(v)[0] if isinstance(v, str) else v for k, v in source.meta.items()}
    return source


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.3g}"


def assign_spans(turns: list[Turn]) -> list[Turn]:
    """Number the turns and set each one's char span in the text they make joined by newlines."""
    offset = 0
    for index, turn in enumerate(turns):
        turn.index = index
        turn.char_start = offset
        turn.char_end = offset + len(turn.text)
        offset = turn.char_end + 1
    return turns


def _read(data: bytes, name: str, suffix: str, expert: str | None) -> ParsedSource:
    if suffix == ".docx":
        return parse_docx(data, name)
    text = decode_transcript_bytes(data, name)
    if suffix == ".json":
        return parse_json(text, name)
    if suffix == ".srt":
        return parse_srt(text, name)
    if suffix == ".vtt":
        return parse_vtt(text, name)
    return parse_text(text, known_names=[expert] if expert else None)


def _with_speakers(turns: list[Turn], name: str, expert: str | None) -> list[Turn]:
    """Every turn needs a speaker; with no speakers at all, only an --expert override can say who talks."""
    turns = [turn for turn in turns if turn.text.strip()]
    if not turns:
        raise TranscriptError(
            f"{name} has no interview text in it; check that it is the right file and export it again.",
            zh=f"{name} 里没有访谈文字；请确认文件没选错，并重新导出。",
        )
    if all(turn.speaker for turn in turns):
        return turns
    if not any(turn.speaker for turn in turns):
        if expert:
            for turn in turns:
                turn.speaker = expert
            return turns
        raise TranscriptError(
            f"{name} names no speakers; write each turn as `Speaker: text` (e.g. `问：…` / `张师傅：…`, "
            f"`Q:` / `A:`) as described in corpus/FORMAT.md, or pass --expert NAME if the whole file is the master speaking.",
            zh=f"{name} 没有标出说话人；请把每段写成“说话人：内容”（如“问：…”“张师傅：…”），"
               "如果整份都是师傅在讲，请在“老师傅姓名”一栏填上名字。",
        )
    unknown = "未标注" if detect_language("".join(t.text for t in turns)) == "zh" else "Unknown"
    for turn in turns:
        turn.speaker = turn.speaker or unknown
    return turns


def _language(declared: str | None, text: str) -> Language:
    lowered = (declared or "").strip().lower()
    if lowered in {"zh", "中文", "汉语", "chinese", "zh-cn", "zh_cn", "zh-hans"}:
        return "zh"
    if lowered in {"en", "英文", "英语", "english", "en-us", "en-gb"}:
        return "en"
    return detect_language(text)


def _expert_name(override: str | None, declared: str | None, label: str | None, turns: list[Turn]) -> str | None:
    """The master's name as the trainer knows it: the override, the header's full name, else the speaker label."""
    if override:
        return override.strip()
    if declared:
        return _person(declared)
    experts = [t.speaker for t in turns if t.role == "expert"]
    name = label or (experts[0] if experts else None)
    return None if name is None or is_role_label(name) else name


def _person(declared: str | None) -> str | None:
    """A header's name without its description: '周海峰（中式烹调师，技师）' -> '周海峰'."""
    if not declared:
        return None
    return re.sub(r"[（(].*?[）)]", "", declared).strip() or declared.strip()


def parse_date(value: str | None) -> date | None:
    """'2024-03-15', '2024/3/15', '2024年3月15日', 'March 15, 2024', '15 March 2024' -> date; else None."""
    if not value:
        return None
    found = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", value)
    if found:
        return _safe_date(int(found[1]), int(found[2]), int(found[3]))
    months = "jan feb mar apr may jun jul aug sep oct nov dec".split()
    words = re.findall(r"[A-Za-z]+|\d+", value)
    month = next((months.index(w[:3].lower()) + 1 for w in words if w[:3].lower() in months and w.isalpha()), None)
    numbers = [int(w) for w in words if w.isdigit()]
    year = next((n for n in numbers if n > 1900), None)
    day = next((n for n in numbers if 1 <= n <= 31), None)
    if month and year and day:
        return _safe_date(year, month, day)
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
