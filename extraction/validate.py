"""Validators run on every draft, whatever engine wrote it.

Checks: citations resolve (transcript and chunk exist, span inside the chunk) and quotes are
verbatim; each quiz answer is supported by its cited quote; options distinct; exactly one key
for single choice; no duplicate items; no empty lesson. A broken citation is repaired when
the quoted text can be found again (bounded: one search per citation); whatever still fails
is flagged on the item, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from extraction.course import CourseDraft, QuizItem
from extraction.units import locate_chunk
from rag.lexical import bigram_tokens
from rag.screen import Span, instruction_spans, overlaps_instruction, reads_as_instruction
from shifu.models import Chunk, Citation, Transcript

BLANK = "____"
# Passages that read as instructions to a model are never published unless a trainer accepts them.
INSTRUCTION_FLAG = "reads as an instruction to a model, not know-how (像是写给 AI 的指令，不是师傅的经验)"
SUPPORT_OVERLAP = 0.6  # share of an answer's bigrams that must be in the cited quotes


@dataclass
class SourceText:
    """A transcript and its chunks: what citations must resolve against."""

    transcript: Transcript
    chunks: list[Chunk]
    text: str = ""
    by_id: dict[str, Chunk] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.text = self.transcript.text
        self.by_id = {c.id: c for c in self.chunks}
        self._instructions: list[Span] | None = None

    @property
    def instructions(self) -> list[Span]:
        """Where this transcript reads as instructions to a model (found once)."""
        if self._instructions is None:
            self._instructions = instruction_spans(self.text)
        return self._instructions


def injected(texts: Sequence[str], citations: Sequence[Citation], sources: dict[str, SourceText]) -> bool:
    """True when the text, or the passage a citation points at, reads as an instruction to a model."""
    if any(reads_as_instruction(t) for t in texts if t):
        return True
    for c in citations:
        src = sources.get(c.transcript_id)
        if src is not None and overlaps_instruction(src.instructions, c.start, c.end):
            return True
    return False


@dataclass
class ValidationReport:
    """What the validators found and repaired across a draft."""

    repaired: int = 0
    flagged_items: int = 0
    flagged_points: int = 0
    empty_lessons: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.flagged_items or self.flagged_points or self.empty_lessons)


def norm_text(text: str) -> str:
    """Text reduced for comparing: lower case, spaces and punctuation dropped."""
    return re.sub(r"[\s\W_]+", "", text.lower())


def check_citation(c: Citation, sources: dict[str, SourceText]) -> tuple[Citation, list[str], bool]:
    """(possibly repaired citation, problems, repaired?) for one citation."""
    src = sources.get(c.transcript_id)
    if src is None:
        return c, [f"citation to unknown transcript {c.transcript_id!r}"], False
    problems: list[str] = []
    chunk = src.by_id.get(c.chunk_id)
    verbatim = 0 <= c.start < c.end <= len(src.text) and src.text[c.start:c.end] == c.quote
    inside = chunk is not None and chunk.char_start <= c.start and c.end <= chunk.char_end
    if verbatim and inside:
        return c, [], False
    # repair: find the quoted words again (once) and point at the chunk holding them
    if c.quote.strip():
        at = src.text.find(c.quote)
        if at < 0 and not verbatim:
            problems.append("quote is not verbatim in the transcript")
        else:
            start, end = (c.start, c.end) if verbatim else (at, at + len(c.quote))
            holder = locate_chunk(src.chunks, start, end)
            if holder is not None and holder.char_start <= start and end <= holder.char_end:
                fixed = c.model_copy(update={"start": start, "end": end, "chunk_id": holder.id,
                                             "quote": src.text[start:end]})
                return fixed, [], True
            problems.append("quoted span is not inside any chunk")
    else:
        problems.append("citation has an empty quote")
    if chunk is None:
        problems.append(f"citation to unknown chunk {c.chunk_id!r}")
    return c, problems, False


def _fix_citations(citations: list[Citation], sources: dict[str, SourceText],
                   report: ValidationReport) -> tuple[list[Citation], list[str]]:
    out, flags = [], []
    for c in citations:
        fixed, problems, repaired = check_citation(c, sources)
        report.repaired += int(repaired)
        out.append(fixed)
        flags.extend(problems)
    if not citations:
        flags.append("no citation")
    return out, list(dict.fromkeys(flags))


def supported(item: QuizItem) -> bool:
    """True when the cited quotes back the item's key."""
    quotes = [c.quote for c in item.citations]
    joined = "\n".join(quotes)
    if not quotes or not item.answer:
        return False
    if item.type == "true_false":
        statement = _statement(item.stem)
        if item.answer == ["true"]:
            return any(norm_text(statement) in norm_text(q) for q in quotes) or _overlap(statement, joined) >= 0.9
        # false: the statement must echo a cited quote (same topic) but not be in it
        return not any(norm_text(statement) in norm_text(q) for q in quotes) and _overlap(statement, joined) >= 0.5
    if item.type in ("single_choice", "multiple_choice"):
        wrong = [o for o in item.options if o not in item.answer]
        if BLANK in item.stem:
            filled = [_statement(item.stem).replace(BLANK, a) for a in item.answer]
            if not all(any(norm_text(f) in norm_text(q) for q in quotes) for f in filled):
                return False
            return not any(any(norm_text(_statement(item.stem).replace(BLANK, w)) in norm_text(q) for q in quotes)
                           for w in wrong)
        if not all(_contained(a, quotes) for a in item.answer):
            return False
        return not any(norm_text(w) and any(norm_text(w) in norm_text(q) for q in quotes) for w in wrong)
    # short answer: the reference answer comes from the quote
    return all(_contained(a, quotes) for a in item.answer)


def _statement(stem: str) -> str:
    """The quoted statement inside a stem ('…“X”' -> X), or the stem itself."""
    m = re.search(r"[“\"](.+)[”\"]", stem, re.S)
    return m.group(1) if m else stem


def _contained(answer: str, quotes: Sequence[str]) -> bool:
    if any(norm_text(answer) and norm_text(answer) in norm_text(q) for q in quotes):
        return True
    return _overlap(answer, "\n".join(quotes)) >= SUPPORT_OVERLAP


def _overlap(text: str, quote: str) -> float:
    a = set(bigram_tokens(text))
    if not a:
        return 0.0
    return len(a & set(bigram_tokens(quote))) / len(a)


def item_problems(item: QuizItem) -> list[str]:
    """Shape problems of one quiz item (options, keys)."""
    problems = []
    if not item.stem.strip():
        problems.append("empty stem")
    if item.type in ("single_choice", "multiple_choice", "true_false"):
        if len(item.options) < 2:
            problems.append("fewer than two options")
        if len({norm_text(o) for o in item.options}) < len(item.options):
            problems.append("options are not distinct")
        if any(a not in item.options for a in item.answer):
            problems.append("an answer is not one of the options")
    if item.type == "single_choice" and len(item.answer) != 1:
        problems.append("single choice needs exactly one key")
    if item.type == "multiple_choice" and not item.answer:
        problems.append("multiple choice has no key")
    if item.type == "true_false" and item.answer not in (["true"], ["false"]):
        problems.append("true/false answer must be ['true'] or ['false']")
    if item.type == "short_answer" and not any(a.strip() for a in item.answer):
        problems.append("short answer has no reference answer")
    return problems


# Severity: a hard flag makes an item wrong for any learner, so a reviewer can only fix or remove
# the item; a soft flag is a doubt a reviewer may accept with a reason. Flags are matched by prefix.
HARD_FLAGS = (
    "empty stem", "fewer than two options", "options are not distinct", "an answer is not one of the options",
    "single choice needs exactly one key", "multiple choice has no key", "true/false answer must be",
    "short answer has no reference answer", "citation to unknown transcript", "citation to unknown chunk",
    "quote is not verbatim", "quoted span is not inside any chunk", "citation has an empty quote", "duplicate of",
)


def is_hard(flag: str) -> bool:
    """True when the flag cannot be accepted away (the item must be fixed or removed)."""
    return flag.startswith(HARD_FLAGS)


def hard_flags(flags: Sequence[str]) -> list[str]:
    return [f for f in flags if is_hard(f)]


# Flags set when a draft is assembled (not re-derivable from the draft itself): kept on re-validation.
_ASSEMBLY_FLAGS = ("cites unknown knowledge unit",)


def _kept(flags: Sequence[str]) -> list[str]:
    return [f for f in flags if f.startswith(_ASSEMBLY_FLAGS)]


def validate_draft(draft: CourseDraft, sources: dict[str, SourceText]) -> ValidationReport:
    """Check and repair the draft in place; flags go on the items, points and lessons."""
    report = ValidationReport()
    for module in draft.modules:
        for lesson in module.lessons:
            lesson.flags = _kept(lesson.flags)
            if not lesson.points:
                lesson.flags.append("empty lesson")
                report.empty_lessons += 1
                report.problems.append(f"lesson {lesson.title!r} is empty")
            for point in lesson.points:
                point.citations, flags = _fix_citations(point.citations, sources, report)
                if not flags and not _contained(point.text, [c.quote for c in point.citations]):
                    flags.append("point not supported by its quote")
                if injected([point.text], point.citations, sources):
                    flags.append(INSTRUCTION_FLAG)
                point.flags = list(dict.fromkeys(_kept(point.flags) + flags))
                if point.flags:
                    report.flagged_points += 1
                    report.problems.append(f"point {point.text[:30]!r}: {', '.join(point.flags)}")
    seen: dict[str, str] = {}
    for item in draft.quiz:
        item.citations, flags = _fix_citations(item.citations, sources, report)
        flags = _kept(item.flags) + flags + item_problems(item)
        if not flags and not supported(item):
            flags.append("answer not supported by the cited quote")
        if injected([item.stem, item.explanation or "", *item.options, *item.answer], item.citations, sources):
            flags.append(INSTRUCTION_FLAG)
        key = norm_text(item.stem)
        if key in seen:
            flags.append(f"duplicate of {seen[key]}")
        else:
            seen[key] = item.id
        item.flags = list(dict.fromkeys(flags))
        if item.flags:
            report.flagged_items += 1
            report.problems.append(f"quiz {item.id}: {', '.join(item.flags)}")
    for q in draft.follow_up_questions:
        q.citations = [check_citation(c, sources)[0] for c in q.citations]
    return report
