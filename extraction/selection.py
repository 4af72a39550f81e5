"""Which of the masters' sentences a course teaches: each candidate scored for how teachable it is,
every safety rule and plausible warning first, then the best, within a budget that follows the
interview's length; adjacent kept sentences of one turn joined into whole points, and the rest kept
aside for review ("more from this interview").

The scorer is a logistic regression over a few language-neutral features; its weights
(selection_weights.json) were fitted on the bench's visible references and checked by leaving one
interview out (extraction/selection_fit.py).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from extraction.course import TEACHING_ORDER, UNIT_KINDS, KnowledgeUnit, Point
from extraction.units import cite, has_reason, quantities
from rag.answerability import is_safety_question
from rag.language import count_cjk, is_cjk
from shifu.models import Chunk, Transcript

# a joined point stays one paragraph, a whole explanation: at most about a minute and a half of speech
# (450 Chinese characters; an English word counts 1.7, so about 265 English words)
MAX_POINT_SIZE = 450

# cues that a sentence is about the speaker's life or the talk itself, not the work
_BIOGRAPHY = re.compile(
    r"\bI (?:was|went|joined|graduated|got|came|left|moved|studied|grew|met|had|remember|guess|think|don'?t know)\b"
    r"|\bmy (?:wife|husband|son|daughter|kids|mother|father|family|thesis|dissertation|advisor|job|career)\b|\bborn\b"
    r"|\bschool\b|\bcollege\b|我(?:是|那时|当时|那会儿|刚|就|还)|入行|毕业|出生|老家|老乡|师傅带|感谢|谢谢|大家好|自我介绍"
    r"|老婆|媳妇|儿子|女儿|我爸|我妈|朋友圈", re.I)
_HEDGE = re.compile(r"\b(?:uh|um|you know|I mean|sort of|kind of|I guess|I think|maybe|probably|laugh\w*)\b"
                    r"|嗯|那个|就是说|然后然后|怎么说|反正|可能|好像|吧", re.I)
_SECOND_PERSON = re.compile(r"\byou(?:r|'re|'ll)?\b|\bone (?:can|should|must)\b|你|咱们|大家要", re.I)
_OPENS_MID = re.compile(r"^\W*(?:and|but|or|so|because|which|that|it|this|he|she|they|him|them|then)\b"
                        r"|^\W*(?:但是|而且|所以|因为|然后|他|她|它|这个|那个|就)", re.I)
_GENERAL = re.compile(r"\b(?:always|never|every|whenever|if you|the way to|the key|the trick|the point|the idea|"
                      r"important|should|must|need to|have to|rule|principle|lesson|mistake|problem|solution)\b"
                      r"|一定|必须|不要|不能|关键|原则|规矩|要|如果|的话|就会|容易|注意|标准|判断", re.I)
_PAST = re.compile(r"\b(?:was|were|had|did|went|came|got|said|told|used to|\w{3,}ed)\b|了|过|那时|当时|后来", re.I)
_PRESENT = re.compile(r"\b(?:is|are|can|does|do|will|tends?|makes?|gives?|means)\b|要|会|就是|可以|能", re.I)
_HOW = re.compile(r"\b(?:how|why|what (?:is|are|makes|does)|explain)\b|怎么|为什么|如何|什么原因|要注意|判断", re.I)
# a story of the speaker's own past: "I remember", "we went", "when I was", 那时候、当年、我记得
_NARRATIVE = re.compile(r"\b(?:I|we) (?:remember|recall|was|were|went|had|did|got|came|left|joined|wrote|started|decided|spent|used to|\w+ed)\b"
                        r"|\bwhen (?:I|we) (?:was|were|first|got|came)\b|\bat that time\b|\bin those days\b|\bback then\b"
                        r"|那时候|那会儿|当年|我记得|记得那|有一回|有一次|那年|刚来|刚进", re.I)
_DATE = re.compile(r"\b(?:19|20)\d\d\b|'\d\d\b|\b(?:January|February|March|April|June|July|August|September|October|"
                   r"November|December|summer|winter|spring|fall)\b|\d+\s*年|[一二三四五六七八九〇零]{2,4}年|去年|前年|上个月", re.I)
# laughter and asides, and a stage direction of the transcriber that opens the sentence: "(phone rings)", （接了个电话）
_ASIDE = re.compile(r"\[?\b(?:laugh\w*|chuckl\w*|inaudible|crosstalk)\b\]?|[（(](?:笑|大笑|众笑)[)）]|哈哈"
                    r"|^\W{0,3}[（(\[][^）)\]]{2,60}[)）\]]", re.I)
_ANSWER = re.compile(r"^\W*(?:yes|yeah|no|well|oh|right|sure|ok|okay|uh|um|对|是的|是啊|嗯|哦|对对|没有|好)\b", re.I)
_CONDITION = re.compile(r"\b(?:if|unless|whenever|otherwise)\b|如果|要是|的话|一旦|只要|否则|不然", re.I)
_COMPARE = re.compile(r"\b(?:than|better|worse|faster|slower|easier|harder|more|less|instead)\b|比|更|越", re.I)
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+")
_WORD = re.compile(r"[A-Za-z0-9']+")


def _size(text: str) -> tuple[int, int]:
    return count_cjk(text), len(_WORD.findall(text))


def _per(pattern: re.Pattern[str], text: str, words: float) -> float:
    return min(1.0, len(pattern.findall(text)) / max(words, 1.0) * 10)


def _tokens(text: str) -> list[str]:
    """Content tokens: English words of five letters or more, Chinese character pairs."""
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9-]{4,}", text)]
    runs = re.findall(r"[\u4e00-\u9fff]+", text)
    return words + [r[i:i + 2] for r in runs for i in range(len(r) - 1)]


def vocabulary(t: Transcript) -> Counter:
    """How often each content token comes back in the masters' turns: the topic's vocabulary recurs."""
    return Counter(w for turn in t.turns if turn.role != "interviewer" for w in set(_tokens(turn.text)))


def _recurring(text: str, vocab: Counter, turns: int) -> float:
    """Share of a sentence's content tokens said in at least three turns but not in most of them."""
    tokens = _tokens(text)
    if not tokens:
        return 0.0
    return sum(1 for w in tokens if 3 <= vocab[w] <= max(3, turns // 4)) / len(tokens)


def features(unit: KnowledgeUnit, turn_text: str, position: float, language: str, panel: bool,
             question: str = "", vocab: Counter | None = None, turns: int = 1) -> list[float]:
    """The scorer's view of one candidate sentence (order matches FEATURES)."""
    text = unit.text
    cjk, words = _size(text)
    # a "word" of Chinese is about 1.7 characters: one length scale for both languages
    length = cjk / 1.7 + words
    turn_cjk, turn_words = _size(turn_text)
    offset = turn_text.find(text[:20])
    return [
        1.0,
        math.log1p(length) / 4,
        math.log1p(turn_cjk / 1.7 + turn_words) / 6,
        1.0 if offset <= 2 else 0.0,  # opens its turn
        position,
        position * position,
        min(len(unit.terms), 4) / 4,
        1.0 if unit.quantities or quantities(text) else 0.0,
        1.0 if has_reason(text) else 0.0,
        _per(_BIOGRAPHY, text, length),
        _per(_HEDGE, text, length),
        _per(_SECOND_PERSON, text, length),
        _per(_GENERAL, text, length),
        min(1.0, len(_NAME.findall(text)) / 3),
        _per(_PAST, text, length),
        _per(_PRESENT, text, length),
        1.0 if _HOW.search(question) else 0.0,
        _per(_BIOGRAPHY, turn_text, turn_cjk / 1.7 + turn_words),
        1.0 if _OPENS_MID.match(text) else 0.0,
        1.0 if language == "zh" else 0.0,
        1.0 if panel else 0.0,
        *[1.0 if unit.kind == k else 0.0 for k in UNIT_KINDS],
        _per(_NARRATIVE, text, length),
        min(1.0, len(_DATE.findall(text)) / 2),
        1.0 if _ASIDE.search(text) else 0.0,
        1.0 if "?" in text or "？" in text else 0.0,
        1.0 if _ANSWER.match(text) else 0.0,
        _per(_CONDITION, text, length),
        _per(_COMPARE, text, length),
        _recurring(text, vocab or Counter(), turns),
        min(1.0, offset / max(len(turn_text), 1)) if offset >= 0 else 0.5,
    ]


FEATURES = ("bias", "length", "turn_length", "opens_turn", "position", "position2", "terms", "quantity", "reason",
            "biography", "hedge", "second_person", "general", "names", "past", "present", "asked_how", "turn_biography", "opens_mid", "zh", "panel", *[f"kind_{k}" for k in UNIT_KINDS],
            "narrative", "dates", "aside", "question", "answer_word", "condition", "comparison", "topic_words", "place_in_turn")


@lru_cache(maxsize=1)
def weights() -> dict:
    """The fitted scorer: weights per feature, the threshold and the budget."""
    text = resources.files("extraction").joinpath("selection_weights.json").read_text(encoding="utf-8")
    return json.loads(text)


def feature_rows(t: Transcript, units: Sequence[KnowledgeUnit]) -> np.ndarray:
    """A feature row per unit (units from extract_units, in transcript order)."""
    n = max(len(t.turns) - 1, 1)
    panel = is_panel(t)
    vocab = vocabulary(t)
    turns = sum(1 for turn in t.turns if turn.role != "interviewer")
    return np.array([features(u, t.turns[u.turn_index].text, u.turn_index / n, t.language, panel,
                              _question_before(t, u.turn_index), vocab, turns) for u in units])


def _question_before(t: Transcript, index: int) -> str:
    """The interviewer's turn just before a turn (empty when the turn before is not the interviewer's)."""
    before = t.turns[index - 1] if index > 0 else None
    return before.text if before is not None and before.role == "interviewer" else ""


def is_panel(t: Transcript) -> bool:
    """True when more than one speaker besides the interviewer says a tenth of the words or more."""
    said: dict[str, int] = {}
    for turn in t.turns:
        if turn.role != "interviewer":
            said[turn.speaker] = said.get(turn.speaker, 0) + len(turn.text)
    total = sum(said.values()) or 1
    return sum(1 for n in said.values() if n >= 0.1 * total) > 1


def teachability(t: Transcript, units: Sequence[KnowledgeUnit], w: Sequence[float] | None = None,
                  cfg: dict | None = None) -> np.ndarray:
    """The probability, per unit, that a trainer would teach it (weights w, else those of cfg, else the fitted ones)."""
    if not units:
        return np.zeros(0)
    coef = np.array(w if w is not None else [(cfg or weights())["weights"][f] for f in FEATURES])
    return 1.0 / (1.0 + np.exp(-(feature_rows(t, units) @ coef)))


@dataclass
class Selection:
    """The units a course teaches (some joined into passages) and the ones left for review."""

    kept: list[KnowledgeUnit]
    left_out: list[KnowledgeUnit] = field(default_factory=list)


def smoothed(units: Sequence[KnowledgeUnit], scores: np.ndarray, share: float) -> np.ndarray:
    """Each score blended with its neighbours' in the same turn: know-how comes in runs of sentences."""
    if not share or len(scores) < 2:
        return scores
    out = scores * (1 - share)
    for i in range(len(scores)):
        near = [scores[j] for j in (i - 1, i + 1)
                if 0 <= j < len(scores) and units[j].turn_index == units[i].turn_index]
        out[i] += share * (float(np.mean(near)) if near else scores[i])
    return out


def size_10k(t: Transcript) -> float:
    """The interview's length in units of 10,000 Chinese characters (an English word counts 1.7)."""
    cjk, words = _size(t.text)
    return max(cjk + 1.7 * words, 1) / 10000


def budget(t: Transcript, scores: np.ndarray, cfg: dict) -> int:
    """The most points: the expected number of teachable passages (times the density), within the bounds
    for its length."""
    size = size_10k(t)
    low = max(cfg["min_points"], round(cfg["min_per_10k"] * size))  # a short interview still makes a lesson
    high = max(low, round(cfg["max_per_10k"] * size))
    return int(min(max(round(cfg["density"] * float(scores.sum())), low), high))


def passages(t: Transcript, units: Sequence[KnowledgeUnit], picked: Sequence[int], join_chars: int) -> list[list[int]]:
    """Picked units (indexes, in transcript order) grouped into points: adjacent ones of a turn together."""
    groups: list[list[int]] = []
    text = t.text  # a property that joins every turn: read once
    for i in sorted(picked):
        if groups and _joinable(text, units[groups[-1][-1]], units[i]) \
                and _span_size(units[groups[-1][0]].citations[0].start, units[i].citations[0].end, text) <= join_chars \
                and _fits(text, units[groups[-1][0]].citations[0].start, units[i].citations[-1].end):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def choose(t: Transcript, units: Sequence[KnowledgeUnit], scores: np.ndarray, cfg: dict) -> list[int]:
    """Indexes kept: safety first (a warning the scorer finds at all plausible, every safety rule), then the
    best, each with the neighbours that make it a whole explanation; a point whose chance of holding know-how
    is under the threshold only while the course is under its floor, and never past the ceiling. Then what a
    kept sentence needs to stay whole."""
    ceiling = min(budget(t, scores, cfg), len(units))
    floor = max(cfg["min_points"], round(cfg["min_per_10k"] * size_10k(t)))
    picked = [i for i, u in enumerate(units)
              if (u.kind == "warning" and scores[i] >= cfg["keep_warning"]) or states_safety_rule(u.text)]
    for i in np.argsort(-scores, kind="stable"):
        if int(i) in picked:
            continue
        run = [j for j in whole(t.text, units, scores, int(i), cfg["min_point_size"]) if j not in picked]
        if chance(scores, run) < cfg["point_threshold"] and len(passages(t, units, picked, cfg["join_chars"])) >= floor:
            continue
        trial = picked + run
        if len(passages(t, units, trial, cfg["join_chars"])) > ceiling:
            if len(picked) >= ceiling:
                break
            continue
        picked = trial
    picked += [j for j in companions(t.text, units, picked) if j not in picked]
    return sorted(picked)


def whole(text: str, units: Sequence[KnowledgeUnit], scores: np.ndarray, i: int, size: float) -> list[int]:
    """A sentence with as many of its neighbours (the better one first, only those said right next to it)
    as make an explanation of at least `size` (Chinese characters; an English word counts 1.7)."""
    run = [i]
    while size and _units_size(units, run) < size:
        before = run[0] - 1 if run[0] > 0 and _joinable(text, units[run[0] - 1], units[run[0]]) else None
        after = run[-1] + 1 if run[-1] + 1 < len(units) and _joinable(text, units[run[-1]], units[run[-1] + 1]) else None
        options = [j for j in (before, after) if j is not None
                   and _fits(text, units[min(run[0], j)].citations[0].start, units[max(run[-1], j)].citations[-1].end)]
        if not options:
            break
        j = max(options, key=lambda k: scores[k])
        run = sorted([*run, j])
    return run


def chance(scores: np.ndarray, run: Sequence[int]) -> float:
    """The chance that a point of these sentences holds know-how: that at least one of them does."""
    return 1 - float(np.prod(1 - scores[list(run)]))


def _fits(text: str, a: int, b: int) -> bool:
    """True when text[a:b] is short enough for one point (MAX_POINT_SIZE)."""
    cjk, words = _size(text[a:b])
    return cjk + 1.7 * words <= MAX_POINT_SIZE


def _units_size(units: Sequence[KnowledgeUnit], run: Sequence[int]) -> float:
    cjk, words = _size(" ".join(units[j].text for j in run))
    return cjk + 1.7 * words


# a sentence that leans on the one before it (an effect, a continuation) or announces the next (a list header, a cause)
_LEANS_BACK = re.compile(r"^\W*(?:so\b|that'?s why|this is why|which is why|and so|therefore|所以|因此|因而|这样(?:才|就)|这就是为什么)", re.I)
_POINTS_AHEAD = re.compile(r"[:：]\s*$|(?:几|[两三四五六七八九\d]+)(?:个|条|点|步|种)[^。！？]{0,12}[:：，,。]?\s*$"
                           r"|\b(?:two|three|four|five|several) (?:things|rules|mistakes|steps|reasons|ways)\b[^.]*[:.]?\s*$", re.I)
_CAUSE_AFTER = re.compile(r"^\W*(?:because|since|因为|由于|要不然|不然|否则|otherwise)", re.I)


_MUST = re.compile(r"\b(?:must|never|always|do not|don'?t|make sure|not allowed|forbidden|no one (?:should|may))\b"
                   r"|必须|严禁|千万|不能|不准|不许|不要|禁止|一定要|务必|先[^，。]{0,6}再", re.I)


def tells_a_story(text: str) -> bool:
    """A point told about the speaker's own past (I remember, we went, in 1969, 那时候, 去年) at least once in
    every 25 words (Chinese: 40 characters): a story or a life, not a lesson to be quizzed on."""
    cjk, words = _size(text)
    told = len(_NARRATIVE.findall(text)) + len(_DATE.findall(text)) + len(_BIOGRAPHY.findall(text))
    return told >= max(1.0, (words + cjk / 1.7) / 25)


def states_safety_rule(text: str) -> bool:
    """A rule about danger: must / never / 必须 / 严禁 / 千万 / 不能 with a hazard (fire, shock, gas, a fall...)."""
    return bool(_MUST.search(text)) and is_safety_question(text)


def companions(text: str, units: Sequence[KnowledgeUnit], picked: Sequence[int]) -> list[int]:
    """Sentences a kept one needs to stay whole: the list header or the cause before it, the
    reason or the first item after it (only next to it, in the same turn)."""
    out = []
    for i in picked:
        u = units[i]
        before = units[i - 1] if i > 0 and _joinable(text, units[i - 1], u) else None
        after = units[i + 1] if i + 1 < len(units) and _joinable(text, u, units[i + 1]) else None
        # the opening trim_lead took off ("所以", "So,") still says how it hangs on the one before
        opening = text[before.citations[-1].end:u.citations[0].end] if before is not None else ""
        if before is not None and (_LEANS_BACK.match(opening) or _POINTS_AHEAD.search(before.text)):
            out.append(i - 1)
        if after is not None and (_POINTS_AHEAD.search(u.text) or _CAUSE_AFTER.match(after.text)):
            out.append(i + 1)
    return out


def select_units(t: Transcript, chunks: Sequence[Chunk], units: Sequence[KnowledgeUnit],
                 w: Sequence[float] | None = None, cfg: dict | None = None) -> Selection:
    """The most teachable units within the interview's budget, adjacent ones of a turn joined."""
    if not units:
        return Selection([], [])
    cfg = cfg or weights()
    scores = smoothed(units, teachability(t, units, w, cfg), cfg["smooth"])
    for i, u in enumerate(units):
        u.score = round(float(scores[i]), 4)
    picked = choose(t, units, scores, cfg)
    kept = [_join(t, chunks, [units[i] for i in group]) for group in passages(t, units, picked, cfg["join_chars"])]
    chosen = set(picked)
    left = [u for i, u in enumerate(units) if i not in chosen]
    # a warning is never dropped silently: those left out come first in the review list
    left.sort(key=lambda u: (u.kind != "warning", -u.score))
    return Selection([u for part in kept for u in part], left)


def _join(t: Transcript, chunks: Sequence[Chunk], group: list[KnowledgeUnit]) -> list[KnowledgeUnit]:
    """One unit for a run of adjacent sentences, cited once per turn it spans (and once more where a chunk
    border cuts the run: a citation lies inside one chunk)."""
    if len(group) == 1:
        return group
    text = t.text
    citations = []
    for turn in dict.fromkeys(u.turn_index for u in group):
        part = [u for u in group if u.turn_index == turn]
        if _subtitled(t):
            # a subtitle file's cues were merged into turns: a quote across two cues is nowhere in the file as
            # written (a cue number and its times lie between), so each sentence keeps its own citation
            citations += [c for u in part for c in u.citations]
            continue
        piece = part[0].citations[0]
        for u in part[1:]:
            longer = cite(t, text, chunks, piece.start, u.citations[-1].end)
            if longer is not None and longer.quote == text[piece.start:u.citations[-1].end]:
                piece = longer
            else:
                citations.append(piece)
                piece = u.citations[0]
        citations.append(piece)
    out = group[0]
    for u in group[1:]:
        out = _merged(out, u, citations)
    return [out]


def _subtitled(t: Transcript) -> bool:
    """True for a transcript read from subtitles (.srt, .vtt), whose turns join many cues."""
    return t.source_name.lower().endswith((".srt", ".vtt"))


def _span_size(a: int, b: int, text: str) -> float:
    cjk, words = _size(text[a:b])
    return cjk + words * 3


def _joinable(text: str, a: KnowledgeUnit, b: KnowledgeUnit) -> bool:
    """Two units said one after the other with nothing but spaces and punctuation (or a short trimmed
    opening) between: in one turn, or across the border of two turns of the same speaker that nobody
    interrupts (subtitle cues and speech recognition cut one answer into many turns)."""
    gap = text[a.citations[-1].end:b.citations[0].start]
    if a.turn_index == b.turn_index:
        return len(gap) <= 12 and "\n" not in gap
    return b.turn_index == a.turn_index + 1 and a.speaker == b.speaker and len(gap) <= 12 and gap.count("\n") == 1


def _merged(a: KnowledgeUnit, b: KnowledgeUnit, citations: list) -> KnowledgeUnit:
    rank = {k: n for n, k in enumerate(TEACHING_ORDER)}  # a joined point is named by its weightiest kind
    kind = a.kind if rank.get(a.kind, 9) <= rank.get(b.kind, 9) else b.kind
    glue = "" if all(is_cjk(c.quote[-1]) or not c.quote[-1].isalnum() for c in citations[:-1]) else " "
    return a.model_copy(update={
        "kind": kind, "text": glue.join(c.quote for c in citations), "citations": list(citations),
        "score": round(1 - (1 - a.score) * (1 - b.score), 4),  # the chance that the point holds know-how
        "terms": list(dict.fromkeys(a.terms + b.terms))[:6], "quantities": a.quantities + b.quantities,
    })


def one_quote_each(units: Sequence[KnowledgeUnit]) -> list[KnowledgeUnit]:
    """Units as the quiz should see them: a point cited in several quotes (across turns, a chunk border or
    subtitle cues) is asked about by its longest quote alone, so a question's sentence always lies inside
    the one quote it cites (and the quiz still sees one unit per point)."""
    out = []
    for u in units:
        if len(u.citations) < 2:
            out.append(u)
            continue
        c = max(u.citations, key=lambda c: len(c.quote))
        out.append(u.model_copy(update={"text": c.quote, "citations": [c],
                                        "quantities": [q for q in u.quantities if q in c.quote],
                                        "terms": [w for w in u.terms if w in c.quote] or u.terms}))
    return out


def more_points(plans: Sequence, limit: int = 200) -> list[Point]:
    """What selection left out of every transcript, as points for review (warnings first, then best)."""
    left = [u for plan in plans for u in plan.left_out]
    left.sort(key=lambda u: (u.kind != "warning", -u.score))
    return [Point(kind=u.kind, text=u.text, citations=list(u.citations)) for u in left[:limit]]
