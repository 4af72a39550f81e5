"""Cut a transcript into citable chunks: a question stays with its answer.

Every chunk is a contiguous span of the transcript's normalised text, so a
chunk (and any quote inside it) is always ``transcript.text[start:end]``.
Long answers are split at sentence ends and sized by tokens; small exchanges
(greetings, "thank you") join a neighbour so a one-hour interview does not
turn into confetti that costs embedding time and says nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rag.spans import cut_spans, trim_span
from shifu.models import Chunk, Transcript, Turn
from shifu.tokens import count_tokens

# A sentence ends after Chinese 。！？；… (with any closing quotes or brackets),
# after English . ! ? followed by whitespace, or at a line break.
_SENTENCE_END = re.compile(
    r"(?:[。！？；]+|…+|\.\.\.+)[”’」』）》\"')\]]*"
    r"|[.!?;]+[”’\"')\]]*(?=\s)"
    r"|\n+"
)
# Inside an over-long sentence (speech recognition often has no full stops),
# fall back to clause marks.
_CLAUSE_END = re.compile(r"[，、：,:]+[”’」』）\"')]*\s*")


@dataclass(frozen=True)
class _Piece:
    start: int  # span in the transcript's normalised text
    end: int
    tokens: int


def chunk_transcript(t: Transcript, *, chunk_tokens: int = 400, overlap: int = 40) -> list[Chunk]:
    """Chunks of `t` of at most about `chunk_tokens` tokens, in transcript order."""
    if chunk_tokens < 8:
        raise ValueError("chunk_tokens must be at least 8")
    overlap = max(0, min(overlap, chunk_tokens // 2))
    text = t.text
    starts = _turn_starts(t.turns)
    turn_tokens = [count_tokens(turn.text) for turn in t.turns]
    chunks: list[Chunk] = []
    for bundle in _bundle(_qa_groups(t.turns), turn_tokens, chunk_tokens):
        pieces = [p for i in bundle for p in _turn_pieces(t.turns[i].text, starts[i], chunk_tokens)]
        for a, b in _pack(pieces, chunk_tokens, overlap):
            chunks.append(_make_chunk(t, text, starts, a, b, len(chunks)))
    return chunks


def chunk_id(transcript_id: str, start: int, end: int, text: str) -> str:
    """Stable id from where the chunk is and what it says: re-ingesting gives the same id."""
    digest = hashlib.sha256(f"{transcript_id}\x00{start}\x00{end}\x00{text}".encode()).hexdigest()
    return "c-" + digest[:16]


def _turn_starts(turns: list[Turn]) -> list[int]:
    # Recomputed from the join rule of Transcript.text rather than trusted from the parser.
    starts, pos = [], 0
    for turn in turns:
        starts.append(pos)
        pos += len(turn.text) + 1
    return starts


def _qa_groups(turns: list[Turn]) -> list[list[int]]:
    """Turn indexes grouped as: the interviewer's question(s), then the answer(s)."""
    groups: list[list[int]] = []
    answered = True  # the current group already has a non-interviewer turn
    for i, turn in enumerate(turns):
        if not turn.text.strip():
            continue
        asking = turn.role == "interviewer"
        if not groups or (asking and answered):
            groups.append([])
            answered = False
        groups[-1].append(i)
        answered = answered or not asking
    return groups


def _bundle(groups: list[list[int]], turn_tokens: list[int], chunk_tokens: int) -> list[list[int]]:
    """Join a small exchange to its neighbour while the two stay under half a chunk."""
    small, half = chunk_tokens // 4, chunk_tokens // 2
    bundles: list[list[int]] = []
    sizes: list[int] = []
    for group in groups:
        size = sum(turn_tokens[i] for i in group)
        if bundles and (sizes[-1] < small or size < small) and sizes[-1] + size <= half:
            bundles[-1].extend(group)
            sizes[-1] += size
        else:
            bundles.append(list(group))
            sizes.append(size)
    return bundles


def _turn_pieces(text: str, offset: int, limit: int) -> list[_Piece]:
    """Sentences of one turn (spans shifted by `offset`), none longer than `limit` tokens."""
    pieces: list[_Piece] = []
    for a, b in _split(text, 0, len(text), _SENTENCE_END):
        tokens = count_tokens(text[a:b])
        if tokens <= limit:
            pieces.append(_Piece(offset + a, offset + b, tokens))
            continue
        for c, d in _split(text, a, b, _CLAUSE_END):
            pieces.extend(_hard_split(text, c, d, offset, limit))
    return pieces


def _split(text: str, a: int, b: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of text[a:b] cut after each match of `pattern`, whitespace trimmed, empties dropped."""
    return cut_spans(text, a, [m.end() for m in pattern.finditer(text, a, b)], b)


def _hard_split(text: str, a: int, b: int, offset: int, limit: int) -> list[_Piece]:
    """Cut a clause with no usable punctuation into windows of at most `limit` tokens."""
    pieces = []
    while a < b:
        end = min(b, a + limit)
        while count_tokens(text[a:end]) > limit and end - a > 1:
            end = a + max(1, (end - a) * 4 // 5)
        x, y = trim_span(text, a, end)
        if x < y:
            pieces.append(_Piece(offset + x, offset + y, count_tokens(text[x:y])))
        a = end
    return pieces


def _pack(pieces: list[_Piece], limit: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy spans of whole pieces up to `limit` tokens; the next span repeats up to `overlap`."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(pieces)
    while i < n:
        j, total = i, 0
        # +1 per piece: the separator (space or newline) also costs a token
        while j < n and (j == i or total + pieces[j].tokens + 1 <= limit):
            total += pieces[j].tokens + 1
            j += 1
        spans.append((pieces[i].start, pieces[j - 1].end))
        if j >= n:
            break
        k, back = j, 0
        while k - 1 > i and back + pieces[k - 1].tokens <= overlap:
            k -= 1
            back += pieces[k].tokens
        i = k
    return spans


def _make_chunk(t: Transcript, text: str, starts: list[int], a: int, b: int, ord_: int) -> Chunk:
    inside = [turn for turn, s in zip(t.turns, starts, strict=True)
              if s < b and s + len(turn.text) > a]
    speakers = list(dict.fromkeys(turn.speaker for turn in inside))
    t_start = next((turn.start for turn in inside if turn.start is not None), None)
    t_end = next((turn.end if turn.end is not None else turn.start
                  for turn in reversed(inside) if turn.end is not None or turn.start is not None), None)
    body = text[a:b]
    return Chunk(
        id=chunk_id(t.id, a, b, body), transcript_id=t.id, ord=ord_, text=body, speakers=speakers,
        char_start=a, char_end=b, t_start=t_start, t_end=t_end, n_tokens=count_tokens(body),
    )
