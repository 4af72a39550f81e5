"""Topic segmentation: cut a transcript's turns into modules (and long modules into lessons).

Each gap between two turns gets a score from four kinds of evidence, each turned into
z-scores within the transcript so no single one dominates by scale:

- turn structure: who speaks before and after the gap (a panel's moderator hands over,
  a new voice enters) — the strongest signal on real panel recordings;
- lexical cohesion: character-bigram overlap of the turns on either side (TextTiling depth);
- embedding cohesion: the same with sentence vectors (USE multilingual), when given (interviews
  and lessons only: on panels they did not hold up leaving one meeting out);
- discourse cues at the start of a turn: 下一个问题 / 接下来 / 我们再聊 / "next" / "let's talk about".

Gaps whose score stands out (mean + ``threshold`` standard deviations of the transcript's own
gaps) become boundaries, strongest first, no closer to each other than a minimum segment length
that grows with the transcript. The number of segments comes from the data, never from outside.

For panels the evidence is weighed equally (no fitted weights); the two knobs, the cohesion
``window`` and the ``threshold``, were chosen by leaving one VCSum meeting out
(`shifu eval segmentation` repeats that choice in every run and reports it).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shifu.models import Transcript

# Cues that open a new topic when they stand near the start of a turn.
TOPIC_CUES = re.compile(
    r"下一个问题|下个问题|下一个话题|第[二三四五六七八九十2-9]个(?:问题|话题|方面)|接下来|下面[我咱来再讲说谈聊]"
    r"|我们再聊|再聊聊|再说说|再谈谈|再讲讲|另外一个|换个话题|说到|问一下|想问|请教|请问"
    r"|\bnext\b|another thing|let'?s talk about|moving on|turning to|what about|how about|tell me about",
    re.IGNORECASE,
)
_CUE_HEAD = 60  # characters at the start of a turn where a cue counts


@dataclass(frozen=True)
class SegmentParams:
    """How evidence is weighed and how boundaries are picked."""

    window: int = 3  # turns on each side of a gap compared for cohesion
    w_lexical: float = 0.5
    w_embedding: float = 0.5
    w_speakers: float = 1.0  # change in who holds the floor (by characters spoken)
    w_new_speaker: float = 1.0  # the next turn's speaker was silent for the last 6 turns
    w_cue: float = 2.0
    threshold: float = 1.5  # standard deviations above the mean score
    min_fraction: float = 0.1  # shortest segment, as a fraction of the turns
    min_turns: int = 5


# Panels and group interviews: every kind of evidence weighs the same; window and threshold
# are the values leave-one-meeting-out picks on the visible VCSum (each of its 22 folds picks these).
# Sentence vectors are left out: as a fifth, equal kind of evidence they made the held-out Pk worse
# than one single segment (.434 against .429), while the other four hold (.347).
PANEL = SegmentParams(window=6, w_lexical=1.0, w_embedding=0.0, w_speakers=1.0, w_new_speaker=1.0, w_cue=1.0,
                      threshold=1.5, min_fraction=0.05, min_turns=3)
# The two knobs of PANEL and the values leave-one-meeting-out chooses among.
PANEL_WINDOWS = (2, 3, 4, 6)
PANEL_THRESHOLDS = (0.5, 1.0, 1.5, 2.0, 2.5)
# One interviewer, one master: who speaks says nothing about topics; words and cues do,
# and a new topic starts with a question.
DIALOGUE = SegmentParams(w_lexical=1.0, w_embedding=0.5, w_speakers=0.0, w_new_speaker=0.0,
                         w_cue=2.0, threshold=0.5)
# Lessons inside a long module: finer cuts.
LESSONS = SegmentParams(w_lexical=1.0, w_embedding=0.5, w_speakers=0.5, w_new_speaker=0.5,
                        w_cue=2.0, threshold=1.0, min_fraction=0.2, min_turns=4)


@dataclass(frozen=True)
class TopicSegment:
    """A run of turns on one topic: turns [first, last) and its span in the transcript text."""

    first: int
    last: int
    char_start: int
    char_end: int
    lessons: tuple[tuple[int, int], ...] = ()  # turn ranges of the lessons inside it


def bigram_counts(text: str) -> Counter[str]:
    """Character bigrams of a text with whitespace removed (works for Chinese and English)."""
    s = re.sub(r"\s+", "", text.lower())
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _depth(similarity: np.ndarray) -> np.ndarray:
    """TextTiling depth: how far a gap's similarity dips below the peaks on either side."""
    n = len(similarity)
    out = np.zeros(n)
    for i in range(1, n):
        left = similarity[i]
        for j in range(i - 1, 0, -1):
            if similarity[j] < left:
                break
            left = similarity[j]
        right = similarity[i]
        for j in range(i + 1, n):
            if similarity[j] < right:
                break
            right = similarity[j]
        out[i] = (left - similarity[i]) + (right - similarity[i])
    return out


def _zscore(x: np.ndarray) -> np.ndarray:
    out = np.zeros(len(x))
    if len(x) < 3:
        return out
    gaps = x[1:]
    std = gaps.std()
    if std > 1e-9:
        out[1:] = (gaps - gaps.mean()) / std
    return out


def gap_scores(
    texts: Sequence[str],
    speakers: Sequence[str] | None = None,
    vectors: np.ndarray | None = None,
    params: SegmentParams = PANEL,
) -> np.ndarray:
    """Score of the gap before each turn (index 0 is always 0): high = likely a new topic."""
    n = len(texts)
    speakers = list(speakers) if speakers is not None else [""] * n
    w = params.window
    grams = [bigram_counts(t) for t in texts]
    weight = np.sqrt(np.array([max(len(t), 1) for t in texts], dtype=float))
    lexical, dense, floor, new_voice, cue = (np.zeros(n) for _ in range(5))
    for i in range(1, n):
        before, after = range(max(0, i - w), i), range(i, min(n, i + w))
        lexical[i] = _cosine(sum((grams[j] for j in before), Counter()),
                             sum((grams[j] for j in after), Counter()))
        if vectors is not None and len(vectors) == n:
            a = (vectors[before.start:before.stop] * weight[before.start:before.stop, None]).sum(0)
            b = (vectors[after.start:after.stop] * weight[after.start:after.stop, None]).sum(0)
            norm = float(np.linalg.norm(a) * np.linalg.norm(b))
            dense[i] = float(a @ b) / norm if norm else 0.0
        held_before: Counter[str] = Counter()
        held_after: Counter[str] = Counter()
        for j in before:
            held_before[speakers[j]] += len(texts[j])
        for j in after:
            held_after[speakers[j]] += len(texts[j])
        floor[i] = 1.0 - _cosine(held_before, held_after)
        new_voice[i] = float(speakers[i] not in speakers[max(0, i - 6):i])
        cue[i] = float(bool(TOPIC_CUES.search(texts[i][:_CUE_HEAD])))
    score = params.w_lexical * _zscore(_depth(lexical)) + params.w_cue * cue
    if vectors is not None and len(vectors) == n:
        score += params.w_embedding * _zscore(_depth(dense))
    score += params.w_speakers * _zscore(floor) + params.w_new_speaker * new_voice
    score[0] = 0.0
    return score


def pick_boundaries(
    scores: np.ndarray, params: SegmentParams = PANEL, allowed: Sequence[bool] | None = None
) -> list[int]:
    """Turn indexes that start a new segment: standout gaps, strongest first, spaced apart."""
    n = len(scores)
    if n < 2:
        return []
    min_len = max(params.min_turns, int(round(n * params.min_fraction)))
    gaps = scores[1:]
    if gaps.std() < 1e-9:
        return []  # nothing stands out: one topic
    limit = gaps.mean() + params.threshold * gaps.std()
    chosen: list[int] = []
    # stable order: strongest first, earlier first among ties (deterministic)
    for i in sorted(range(1, n), key=lambda k: (-scores[k], k)):
        if scores[i] <= limit or scores[i] <= 0 or i < min_len or n - i < min_len:
            continue
        if allowed is not None and not allowed[i]:
            continue
        if all(abs(i - j) >= min_len for j in chosen):
            chosen.append(i)
    return sorted(chosen)


def segment_texts(
    texts: Sequence[str],
    speakers: Sequence[str] | None = None,
    vectors: np.ndarray | None = None,
    params: SegmentParams | None = None,
    allowed: Sequence[bool] | None = None,
) -> list[int]:
    """Boundaries (indexes of first turns of segments 2..n) for a list of turn texts."""
    if params is None:
        params = DIALOGUE if speakers is None or len(set(speakers)) <= 2 else PANEL
    return pick_boundaries(gap_scores(texts, speakers, vectors, params), params, allowed)


def segment_transcript(
    t: Transcript, vectors: np.ndarray | None = None, *, lesson_min_turns: int = 12
) -> list[TopicSegment]:
    """Modules of a transcript (each a TopicSegment), with lessons cut inside long ones."""
    turns = [turn for turn in t.turns]
    if not turns:
        return []
    texts = [turn.text for turn in turns]
    speakers = [turn.speaker for turn in turns]
    has_interviewer = any(turn.role == "interviewer" for turn in turns)
    dialogue = len(set(speakers)) <= 2 or (has_interviewer and len(set(speakers)) <= 3)
    params = DIALOGUE if dialogue else PANEL
    # In an interview a new topic opens with a question: only interviewer turns may start one.
    # (In a panel anyone may open a topic.)
    allowed = None
    if dialogue and has_interviewer:
        allowed = [i == 0 or (turns[i].role == "interviewer" and turns[i - 1].role != "interviewer")
                   for i in range(len(turns))]
    bounds = segment_texts(texts, speakers, vectors, params, allowed)
    edges = [0, *bounds, len(turns)]
    starts = _turn_starts(t)
    segments = []
    for a, b in zip(edges, edges[1:], strict=False):
        lessons: list[tuple[int, int]] = [(a, b)]
        asked = question_lessons(turns, a, b) if allowed is not None else []
        if len(asked) > 1:
            lessons = asked  # an interview: each question the master answers at length is a lesson
        elif b - a >= lesson_min_turns:
            sub = segment_texts(texts[a:b], speakers[a:b],
                                vectors[a:b] if vectors is not None else None, LESSONS,
                                allowed[a:b] if allowed is not None else None)
            cuts = [a, *(a + s for s in sub), b]
            lessons = list(zip(cuts, cuts[1:], strict=False))
        segments.append(TopicSegment(a, b, starts[a], starts[b - 1] + len(texts[b - 1]), tuple(lessons)))
    return segments


MAX_QUESTION_LESSONS = 6
_MIN_ANSWER = 120  # of the master's answer to make a lesson: Chinese characters, or English words x 2


def _answer_size(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") + 2 * len(re.findall(r"[A-Za-z]+", text))


def question_lessons(turns: Sequence, a: int, b: int) -> list[tuple[int, int]]:
    """Turn ranges of turns[a:b] that each open with an interviewer's question; a short answer joins
    the question before it, so every lesson has enough of the master's words to teach."""
    starts = [i for i in range(a, b)
              if i == a or (turns[i].role == "interviewer" and turns[i - 1].role != "interviewer")]
    runs = list(zip(starts, [*starts[1:], b], strict=False))
    lessons: list[list[int]] = []
    for x, y in runs:
        said = sum(_answer_size(turn.text) for turn in turns[x:y] if turn.role == "expert")
        if lessons and (lessons[-1][2] < _MIN_ANSWER or said < _MIN_ANSWER // 3):
            lessons[-1][1] = y  # too little to stand alone: one lesson with the one before
            lessons[-1][2] += said
        else:
            lessons.append([x, y, said])
    if len(lessons) > 1 and lessons[-1][2] < _MIN_ANSWER:
        lessons[-2][1] = lessons[-1][1]
        lessons[-2][2] += lessons[-1][2]
        lessons.pop()
    while len(lessons) > MAX_QUESTION_LESSONS:  # too many for one module: join the two shortest neighbours
        j = min(range(len(lessons) - 1), key=lambda k: (lessons[k][2] + lessons[k + 1][2], k))
        lessons[j] = [lessons[j][0], lessons[j + 1][1], lessons[j][2] + lessons[j + 1][2]]
        del lessons[j + 1]
    return [(x, y) for x, y, _ in lessons]


def _turn_starts(t: Transcript) -> list[int]:
    # Recomputed from the join rule of Transcript.text, so spans always match the text.
    starts, pos = [], 0
    for turn in t.turns:
        starts.append(pos)
        pos += len(turn.text) + 1
    return starts
