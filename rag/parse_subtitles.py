"""Read subtitle files (.srt, .vtt): cue times become turn times, cue speakers become turns."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from rag.parse_text import (
    ParsedSource,
    accepted_labels,
    join_lines,
    parse_clock,
    read_header,
    split_speaker,
)
from shifu.errors import TranscriptError
from shifu.models import Turn

__all__ = ["parse_srt", "parse_vtt"]

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}[,.]\d{1,3}"
_TIMING = re.compile(rf"^\s*(?P<start>{_TIME})\s*-->\s*(?P<end>{_TIME})(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>\n]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")
_FIX_SRT = "fix that cue or save the transcript as .txt with `Speaker: text` lines (see corpus/FORMAT.md)"
_FIX_SRT_ZH = "请改好这一条字幕，或把转写稿另存为每行“说话人：内容”的 .txt"


@dataclass
class _Cue:
    start: float
    end: float
    lines: list[str]
    line_no: int


def parse_srt(text: str, name: str) -> ParsedSource:
    """SubRip: numbered cues with `00:01:02,000 --> 00:01:05,000` timing lines."""
    cues = []
    for line_no, block in _blocks(text):
        first = 1 if re.fullmatch(r"\s*\d+\s*", block[0]) else 0
        timing = _TIMING.match(block[first]) if first < len(block) else None
        if timing is None:
            raise TranscriptError(
                f"{name} is not a valid SubRip subtitle file: the cue at line {line_no} "
                f"({block[0].strip()[:40]!r}) has no timing line like '00:01:02,000 --> 00:01:05,000'; {_FIX_SRT}.",
                zh=f"{name} 不是有效的 SRT 字幕：第 {line_no} 行的字幕（{block[0].strip()[:40]!r}）缺少形如"
                   f"“00:01:02,000 --> 00:01:05,000”的时间行；{_FIX_SRT_ZH}。",
            )
        cues.append(_cue(timing, block[first + 1 :], line_no, name))
    if not cues:
        raise TranscriptError(f"{name} has no subtitle cues; {_FIX_SRT}.", zh=f"{name} 里没有字幕；{_FIX_SRT_ZH}。")
    return _to_source(cues)


def parse_vtt(text: str, name: str) -> ParsedSource:
    """WebVTT: a `WEBVTT` first line, cues with optional ids, `<v Name>` voice tags."""
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise TranscriptError(
            f"{name} is not a WebVTT subtitle file (its first line must be 'WEBVTT'); "
            f"add that line or save the transcript as .txt with `Speaker: text` lines.",
            zh=f"{name} 不是 WebVTT 字幕（第一行必须是 WEBVTT）；请补上这一行，或把转写稿另存为每行“说话人：内容”的 .txt。",
        )
    cues: list[_Cue] = []
    meta: dict[str, str] = {}
    for line_no, block in _blocks(text)[1:]:
        if re.match(r"(NOTE|STYLE|REGION)\b", block[0]):
            if block[0].startswith("NOTE") and not cues:
                # A NOTE before the first cue may carry `Title: ...` / `Expert: ...` lines.
                found, _ = read_header([block[0][4:], *block[1:]])
                meta = {**found, **meta}
            continue
        at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        timing = _TIMING.match(block[at]) if at is not None else None
        if timing is None:
            raise TranscriptError(
                f"{name} is not a valid WebVTT file: the cue at line {line_no} ({block[0].strip()[:40]!r}) "
                f"has no timing line like '00:01:02.000 --> 00:01:05.000'; {_FIX_SRT}.",
                zh=f"{name} 不是有效的 WebVTT 字幕：第 {line_no} 行的字幕（{block[0].strip()[:40]!r}）缺少形如"
                   f"“00:01:02.000 --> 00:01:05.000”的时间行；{_FIX_SRT_ZH}。",
            )
        cues.append(_cue(timing, block[at + 1 :], line_no, name))  # type: ignore[operator]
    if not cues:
        raise TranscriptError(f"{name} has no subtitle cues; {_FIX_SRT}.", zh=f"{name} 里没有字幕；{_FIX_SRT_ZH}。")
    source = _to_source(cues)
    source.meta = meta
    return source


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Groups of non-blank lines with the line number each starts on."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _cue(timing: re.Match[str], lines: list[str], line_no: int, name: str) -> _Cue:
    start, end = parse_clock(timing["start"]), parse_clock(timing["end"])
    if end < start:
        raise TranscriptError(
            f"{name}: the cue at line {line_no} ends ({timing['end']}) before it starts ({timing['start']}); {_FIX_SRT}.",
            zh=f"{name}：第 {line_no} 行的字幕结束时间（{timing['end']}）早于开始时间（{timing['start']}）；{_FIX_SRT_ZH}。",
        )
    return _Cue(start, end, lines, line_no)


def _to_source(cues: list[_Cue]) -> ParsedSource:
    """Split cues into (speaker, text) pieces, then merge a speaker's consecutive pieces into one turn."""
    pieces: list[tuple[str | None, str, float, float]] = []
    for cue in cues:
        voice: str | None = None
        for raw in cue.lines:
            tag = _VOICE.search(raw)
            if tag:
                voice = tag[1].strip()
            line = _clean(raw)
            if line:
                pieces.append((voice, line, cue.start, cue.end))
    counts = Counter(found[0] for _, line, _, _ in pieces if (found := split_speaker(line)))
    voiced = any(voice for voice, _, _, _ in pieces)
    speakers = accepted_labels(counts, [], fallback=not voiced) if counts else set()
    turns: list[Turn] = []
    current: str | None = None
    speaker: str | None
    for voice, line, start, end in pieces:
        found = split_speaker(line)
        if found and found[0] in speakers:
            speaker, line = found[0], found[1]
        else:
            speaker = voice
        if speaker is None and current is not None:
            speaker = current
        current = speaker
        if turns and speaker is not None and turns[-1].speaker == speaker:
            last = turns[-1]
            last.text = join_lines(last.text, line)
            last.end = max(last.end or end, end)
        elif line:
            turns.append(Turn(index=len(turns), speaker=speaker or "", text=line, start=start, end=end))
    return ParsedSource(turns=[t for t in turns if t.text.strip()])


def _clean(line: str) -> str:
    """Drop cue markup (<i>, <b>, <c.x>, <00:01.000>, {\\an8}), entities and dialogue dashes."""
    line = _ASS_OVERRIDE.sub("", line)
    line = _TAG.sub("", line)
    line = html.unescape(line).replace("\u00a0", " ")
    line = re.sub(r"^\s*(?:-|>>)\s*", "", line)
    return line.strip()
