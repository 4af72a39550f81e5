"""Convert a UTF-8 `Speaker: text` transcript into the other formats shifu reads (how the demo corpus was made).

    python corpus/tools/convert.py SOURCE.txt OUT.docx|OUT.srt|OUT.vtt|OUT.json|OUT.txt [--gbk]

Subtitle and JSON timings are estimated from speaking speed (Chinese ~4.5 characters/s, English
~2.6 words/s); the texts are what the master said.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from rag.parse import parse_transcript  # noqa: E402
from rag.parse_text import read_header  # noqa: E402
from shifu.models import Transcript  # noqa: E402

_SENTENCE = re.compile(r"(?<=[。！？；!?;])|(?<=[.])\s+")


def main(argv: list[str]) -> None:
    source, out = Path(argv[0]), Path(argv[1])
    data = source.read_bytes()
    transcript = parse_transcript(data, source.name)
    header, _ = read_header(data.decode("utf-8").split("\n"))
    writers = {".docx": _docx, ".srt": _srt, ".vtt": _vtt, ".json": _json}
    if out.suffix == ".txt":
        out.write_bytes(data.decode("utf-8").encode("gbk" if "--gbk" in argv else "utf-8"))
    else:
        writers[out.suffix](transcript, header, out)
    print(f"{out}: {len(transcript.turns)} turns")


def _docx(transcript: Transcript, header: dict[str, str], out: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading(transcript.title, level=0)
    labels = {"expert": "专家", "trade": "工种", "enterprise": "企业", "date": "日期", "interviewer": "采访人"}
    table = document.add_table(rows=0, cols=2)
    for key, label in labels.items():
        if key in header:
            row = table.add_row().cells
            row[0].text, row[1].text = label, header[key]
    for turn in transcript.turns:
        for i, paragraph_text in enumerate(turn.text.split("\n")):
            paragraph = document.add_paragraph()
            if i == 0:
                paragraph.add_run(f"{turn.speaker}：").bold = True
            paragraph.add_run(paragraph_text)
    document.core_properties.title = transcript.title
    document.save(str(out))


def _timed_cues(transcript: Transcript, max_len: int) -> list[tuple[float, float, str, str]]:
    """(start, end, speaker or '', text) per cue; the speaker only on a turn's first cue."""
    zh = transcript.language == "zh"
    clock = 1.0
    cues = []
    for turn in transcript.turns:
        pieces: list[str] = []
        for sentence in (s.strip() for s in _SENTENCE.split(turn.text.replace("\n", " "))):
            if sentence and pieces and len(pieces[-1]) + len(sentence) <= max_len:
                pieces[-1] += sentence if zh else " " + sentence
            elif sentence:
                pieces.append(sentence)
        for i, piece in enumerate(pieces):
            length = len(piece) / 4.5 if zh else len(piece.split()) / 2.6
            cues.append((clock, clock + length, turn.speaker if i == 0 else "", piece))
            clock += length + 0.2
        clock += 0.6
    return cues


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def _srt(transcript: Transcript, header: dict[str, str], out: Path) -> None:
    blocks = []
    for n, (start, end, speaker, text) in enumerate(_timed_cues(transcript, 40), start=1):
        line = f"{speaker}：{text}" if speaker else text
        if n == 1:
            line = "{\\an8}" + line  # position markup, as subtitle editors write it
        elif n % 9 == 0:
            line = f"<i>{line}</i>"
        blocks.append(f"{n}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n{line}\n")
    out.write_text("\n".join(blocks), encoding="utf-8")


def _vtt(transcript: Transcript, header: dict[str, str], out: Path) -> None:
    note = "\n".join(f"{key.capitalize()}: {value}" for key, value in header.items())
    blocks = ["WEBVTT", f"NOTE\n{note}"]
    current = ""
    for n, (start, end, speaker, text) in enumerate(_timed_cues(transcript, 110), start=1):
        current = speaker or current
        body = f"<v {current}>{text}</v>" if speaker or n % 4 == 0 else text
        blocks.append(f"cue-{n}\n{_stamp(start, '.')} --> {_stamp(end, '.')}\n{body}")
    out.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def _json(transcript: Transcript, header: dict[str, str], out: Path) -> None:
    cues = _timed_cues(transcript, 10_000)
    turns = []
    for turn, (start, end, _, _) in zip(transcript.turns, cues, strict=True):
        turns.append(
            {"speaker": turn.speaker, "text": turn.text, "start": round(start, 1), "end": round(end, 1), "role": turn.role}
        )
    doc = {
        "title": transcript.title,
        "language": transcript.language,
        "expert": _expert_profile(header),
        "date": header.get("date"),
        "turns": turns,
    }
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _expert_profile(header: dict[str, str]) -> dict[str, object]:
    """'Tom Becker (Crew foreman, 31 years)' -> name, title, years; trade and enterprise from the header."""
    found = re.match(r"^(?P<name>[^(（]+)[(（](?P<title>[^,，)）]*)[,，]?\s*(?P<years>\d+)?", header.get("expert", ""))
    profile: dict[str, object] = {"name": (found["name"] if found else header.get("expert", "")).strip()}
    if found and found["title"]:
        profile["title"] = found["title"].strip()
    if found and found["years"]:
        profile["years"] = int(found["years"])
    for key in ("trade", "enterprise"):
        if key in header:
            profile[key] = header[key]
    return profile


if __name__ == "__main__":
    main(sys.argv[1:])
