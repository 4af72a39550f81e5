"""Regenerate one item of a draft — a lesson point, a quiz item or a follow-up question — from
the same grounded source, leaving every other item as it was.

With an LLM configured (or a StructuredAsk handed in), the model rewrites the item from the
quotes it cites (template `regenerate_item`, structured output) and must cite those quotes by
id. Offline, a different item is made deterministically from the same quotes (another question
type, another cloze word; a point's text is re-derived from its quote). Either way the new item
passes the draft validators: what is ungrounded is flagged on the item, never passed as valid.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from extraction.course import (
    CourseDraft,
    FollowUpQuestion,
    KnowledgeUnit,
    Lesson,
    Module,
    Point,
    QuizItem,
)
from extraction.llm_schemas import LLMFollowUp, LLMPoint, LLMQuizItem
from extraction.quiz import QuizWriter
from extraction.structured_ask import ConfiguredModel, StructuredAsk
from extraction.units import classify, extract_units, quantities
from extraction.validate import SourceText, check_citation, norm_text, validate_draft
from shifu.context import Context
from shifu.errors import LLMError, ShifuError
from shifu.models import Citation
from shifu.settings import Settings

MAX_TOKENS = 500  # one item's JSON; bounded so a small model cannot ramble
MAX_REASKS = 1  # the trainer is waiting at the review screen
KEY_HELP = "keys are p:MODULE.LESSON.POINT, q:QUIZ_ID or f:N"
NOTE = ("写一个不同的新版本，只用给出的知识单元里师傅的原话，并用 unit_ids 引用它们。"
        "Write a new, different version using only the master's words in the given units, citing them in unit_ids.")
_KINDS = {"p": "lesson point", "q": "quiz item", "f": "follow-up question"}


class RegenerateError(ShifuError):
    """An item cannot be regenerated; the item is kept as it was and the message says what to do."""


# --- where the item lives -----------------------------------------------------------------


@dataclass
class Slot:
    """One item of a draft, found by its review key ('p:i.j.k', 'q:ID', 'f:n')."""

    key: str
    kind: str  # "p" | "q" | "f"
    item: Point | QuizItem | FollowUpQuestion

    def put(self, draft: CourseDraft, new: Point | QuizItem | FollowUpQuestion) -> None:
        """Replace the item in DRAFT (a copy of the draft it was found in) by NEW."""
        body = self.key.split(":", 1)[1]
        if self.kind == "p":
            i, j, k = (int(x) for x in body.split("."))
            draft.modules[i].lessons[j].points[k] = new  # type: ignore[assignment]
        elif self.kind == "q":
            draft.quiz = [new if q.id == body else q for q in draft.quiz]  # type: ignore[misc]
        else:
            draft.follow_up_questions[int(body)] = new  # type: ignore[assignment]


def find_item(draft: CourseDraft, key: str) -> Slot:
    """The item a review key names, or a RegenerateError naming the key."""
    kind, _, body = (key or "").partition(":")
    try:
        if kind == "p":
            i, j, k = (int(x) for x in body.split("."))
            if min(i, j, k) >= 0:
                return Slot(key, kind, draft.modules[i].lessons[j].points[k])
        elif kind == "q":
            found = next((q for q in draft.quiz if q.id == body), None)
            if found is not None:
                return Slot(key, kind, found)
        elif kind == "f" and int(body) >= 0:
            return Slot(key, kind, draft.follow_up_questions[int(body)])
    except (ValueError, IndexError):
        pass
    raise RegenerateError(f"item {key!r} is not in this draft ({KEY_HELP}); pick the item again from the list")


def cited_sources(ctx: Context, citations: Sequence[Citation]) -> dict[str, SourceText]:
    """The stored transcripts (and chunks) the citations point into."""
    from rag.catalog import get_chunks, get_transcript

    out = {}
    for tid in dict.fromkeys(c.transcript_id for c in citations):
        out[tid] = SourceText(get_transcript(ctx, tid), get_chunks(ctx, tid))
    return out


# --- validation of the one item -----------------------------------------------------------


def validated(draft: CourseDraft, slot: Slot, new: Point | QuizItem | FollowUpQuestion,
              sources: dict[str, SourceText]) -> Point | QuizItem | FollowUpQuestion:
    """NEW after the draft validators ran on it alone (flags set, citations repaired), plus a
    duplicate check against the rest of the draft; the other items' flags are left alone
    (re-validating them would undo what the trainer accepted)."""
    probe = CourseDraft(title=draft.title, language=draft.language)
    if isinstance(new, Point):
        probe.modules = [Module(title="", lessons=[Lesson(title="", points=[new])])]
        validate_draft(probe, sources)
        return probe.modules[0].lessons[0].points[0]
    if isinstance(new, QuizItem):
        probe.quiz = [new]
        validate_draft(probe, sources)
        item = probe.quiz[0]
        twin = next((q.id for q in draft.quiz if q.id != item.id and norm_text(q.stem) == norm_text(item.stem)), None)
        if twin is not None:
            item.flags.append(f"duplicate of {twin}")
        return item
    probe.follow_up_questions = [new]
    validate_draft(probe, sources)
    return probe.follow_up_questions[0]


# --- the entry point ----------------------------------------------------------------------


def regenerate_item(ctx: Context, draft: CourseDraft, item_key: str, note: str | None = None, *,
                    ask: StructuredAsk | None = None) -> CourseDraft:
    """A new draft in which only ITEM_KEY's item is regenerated from its cited quotes (validated,
    flagged where it fails); DRAFT itself is left untouched. Saving it is the caller's job.

    The model is asked when ASK is given or a chat server is configured (then ASK defaults to it);
    otherwise the item is remade offline."""
    new_draft = draft.model_copy(deep=True)
    slot = find_item(new_draft, item_key)
    if not slot.item.citations:
        raise RegenerateError(
            f"item {item_key} cites no words of the master, so there is nothing to regenerate it from; "
            "the item was kept as it was — edit it by hand")
    sources = cited_sources(ctx, slot.item.citations)
    if ask is None and ctx.llm_configured:
        ask = ConfiguredModel(ctx.settings, max_tokens=MAX_TOKENS, max_reasks=MAX_REASKS)
    if ask is not None:
        new = by_llm(ctx.settings, ask, new_draft, slot, sources, note)
    else:
        new = offline(new_draft, slot, sources)
    kept = getattr(slot.item, "skills", None)
    if isinstance(new, (Point, QuizItem)) and kept:  # the same thing is taught: its skills stay
        new.skills = list(kept)
    slot.put(new_draft, new)
    return new_draft


# --- offline: another item from the same quotes -------------------------------------------


def _no_offline(key: str) -> RegenerateError:
    return RegenerateError(
        f"no other version of item {key} can be made offline; configure an LLM (SHIFU_LLM_BASE_URL) "
        "or edit it by hand")


def offline(draft: CourseDraft, slot: Slot, sources: dict[str, SourceText]) -> Point | QuizItem:
    """A deterministic alternative from the same quotes, or RegenerateError when there is none."""
    if isinstance(slot.item, QuizItem):
        return offline_quiz_item(draft, slot, sources)
    if isinstance(slot.item, Point):
        return offline_point(draft, slot, sources)
    raise _no_offline(slot.key)


def offline_point(draft: CourseDraft, slot: Slot, sources: dict[str, SourceText]) -> Point:
    """The point's text re-derived from its cited quotes (the master's own words), kind from their cues."""
    point = slot.item
    assert isinstance(point, Point)
    fixed = [check_citation(c, sources)[0] for c in point.citations]
    quotes = list(dict.fromkeys(c.quote for c in fixed if c.quote.strip()))
    joiner = "" if draft.language == "zh" else " "
    text = joiner.join(quotes)
    kind = point.kind if point.kind == "disagreement" else classify(text)
    if not text or (text == point.text and kind == point.kind):
        raise _no_offline(slot.key)
    new = validated(draft, slot, Point(kind=kind, text=text, citations=fixed), sources)
    assert isinstance(new, Point)
    if new.flags:
        raise _no_offline(slot.key)
    return new


def _cited_units(item: QuizItem, sources: dict[str, SourceText]) -> tuple[list[KnowledgeUnit], list[KnowledgeUnit]]:
    """(the transcript's units, the units the item cites) for the transcript of its first citation."""
    tid = item.citations[0].transcript_id
    src = sources[tid]
    pool = extract_units(src.transcript, src.chunks)
    terms = list(dict.fromkeys(term for u in pool for term in u.terms))
    cited: list[KnowledgeUnit] = []
    for n, c in enumerate(item.citations):
        if c.transcript_id != tid:
            continue
        c = check_citation(c, sources)[0]
        same = next((u for u in pool if u.citations and (u.citations[0].start, u.citations[0].end) == (c.start, c.end)),
                    None)
        if same is None:  # a quote no unit matches exactly (an LLM item's, or an edited one): make it a unit
            same = KnowledgeUnit(id=f"regen-{n}", kind=classify(c.quote), text=c.quote,
                                 terms=[t for t in terms if t in c.quote][:6],
                                 quantities=[c.quote[x:y] for x, y, _ in quantities(c.quote)], citations=[c])
        if same not in cited:
            cited.append(same)
    return pool, cited


def _rotations(unit: KnowledgeUnit) -> list[KnowledgeUnit]:
    """Copies of UNIT with its key terms rotated, so each term gets its turn as the cloze word."""
    return [unit.model_copy(update={"terms": unit.terms[i:] + unit.terms[:i]}) for i in range(len(unit.terms))]


def alternatives(writer: QuizWriter, cited: Sequence[KnowledgeUnit], title: str) -> list[QuizItem]:
    """Every item the offline quiz writer can make from these units, in a fixed order, stems distinct."""
    out: list[QuizItem | None] = []
    for u in cited:
        out.append(writer.cloze_number(u))
        out += [writer.cloze_term(r) for r in _rotations(u)]
        out += [writer.true_false(u, True), writer.true_false(u, False)]
        if u.kind not in ("fact", "story"):
            out.append(writer.short_answer(u))
    if len(cited) >= 3:
        out.append(writer.multiple_choice(cited, title))
    seen: set[str] = set()
    items = []
    for item in out:
        if item is not None and norm_text(item.stem) not in seen:
            seen.add(norm_text(item.stem))
            items.append(item)
    return items


def _lesson_title(draft: CourseDraft, cited: Sequence[KnowledgeUnit]) -> str:
    spans = {(c.transcript_id, c.start) for u in cited for c in u.citations}
    for m in draft.modules:
        for lesson in m.lessons:
            if any((c.transcript_id, c.start) in spans for p in lesson.points for c in p.citations):
                return lesson.title
    return draft.title


def offline_quiz_item(draft: CourseDraft, slot: Slot, sources: dict[str, SourceText]) -> QuizItem:
    """The next valid item the quiz writer can make from the same quotes (after the current one, so
    regenerating again walks through them), with the same id; none -> RegenerateError."""
    item = slot.item
    assert isinstance(item, QuizItem)
    pool, cited = _cited_units(item, sources)
    writer = QuizWriter(pool, draft.language, id_prefix="")
    candidates = alternatives(writer, cited, _lesson_title(draft, cited))
    stems = [norm_text(c.stem) for c in candidates]
    here = stems.index(norm_text(item.stem)) if norm_text(item.stem) in stems else -1
    taken = {norm_text(q.stem) for q in draft.quiz}
    for step in range(1, len(candidates) + 1):
        candidate = candidates[(here + step) % len(candidates)]
        if norm_text(candidate.stem) in taken:
            continue
        candidate.id = item.id
        new = validated(draft, slot, candidate, sources)
        assert isinstance(new, QuizItem)
        if not new.flags:
            return new
    raise _no_offline(slot.key)


# --- LLM: the model rewrites the item from its quotes -------------------------------------


_SCHEMAS: dict[str, type[BaseModel]] = {"p": LLMPoint, "q": LLMQuizItem, "f": LLMFollowUp}


def source_units(citations: Sequence[Citation]) -> dict[str, Citation]:
    """The item's quotes under short ids (u1, u2, ...) for the prompt, one per distinct quote."""
    out: dict[str, Citation] = {}
    for c in citations:
        if c.quote not in {x.quote for x in out.values()}:
            out[f"u{len(out) + 1}"] = c
    return out


def item_json(item: Point | QuizItem | FollowUpQuestion, unit_ids: list[str]) -> str:
    """The item as the model sees it: its fields, its quotes named by unit id instead of citations."""
    data = item.model_dump(exclude={"citations", "flags", "id"})
    return json.dumps({**data, "unit_ids": unit_ids}, ensure_ascii=False)


def _known_ids(units: dict[str, Citation]) -> Callable[[BaseModel], list[str]]:
    def check(reply: BaseModel) -> list[str]:
        ids = getattr(reply, "unit_ids", [])
        return [f"unit_ids: {uid!r} is not one of {', '.join(units)}" for uid in ids if uid not in units]
    return check


def by_llm(settings: Settings, ask: StructuredAsk, draft: CourseDraft, slot: Slot,
           sources: dict[str, SourceText], note: str | None = None) -> Point | QuizItem | FollowUpQuestion:
    """The model's new version of the item, citing the item's own quotes, validated and flagged."""
    from prompts.registry import render

    units = source_units([check_citation(c, sources)[0] for c in slot.item.citations])
    prompt = render(settings, "regenerate_item", {
        "kind": _KINDS[slot.kind],
        "item": item_json(slot.item, list(units)),
        "units": [{"id": uid, "kind": classify(c.quote), "text": c.quote} for uid, c in units.items()],
        "note": note or NOTE,
    })
    try:
        reply = ask(prompt, _SCHEMAS[slot.kind], _known_ids(units))
    except LLMError as exc:
        reason = " ".join(str(exc).split())
        raise RegenerateError(f"the model could not regenerate item {slot.key}, so it was kept as it was "
                              f"({reason[:300]}); try again or edit it by hand") from exc
    # the quotes it names; naming none means it wrote from all of them, and must be backed by them
    cited = [units[u] for u in dict.fromkeys(getattr(reply, "unit_ids", []))] or list(units.values())
    citations = [c.model_copy() for c in cited]
    new = _from_reply(slot, reply, citations)
    checked = validated(draft, slot, new, sources)
    if isinstance(checked, FollowUpQuestion):
        _check_follow_up(draft, slot, checked, sources)
    return checked


def _from_reply(slot: Slot, reply: BaseModel, citations: list[Citation]) -> Point | QuizItem | FollowUpQuestion:
    if isinstance(reply, LLMPoint):
        return Point(kind=reply.kind, text=reply.text.strip(), citations=citations)
    if isinstance(reply, LLMQuizItem):
        options, answer = list(reply.options), list(reply.answer)
        if reply.type == "true_false":  # "True" / "正确" is the model's spelling of the same key
            options = ["true", "false"]
            answer = [_truth(a) for a in answer]
        old = slot.item
        assert isinstance(old, QuizItem)
        return QuizItem(id=old.id, type=reply.type, stem=reply.stem.strip(), options=options, answer=answer,
                        explanation=reply.explanation, difficulty=reply.difficulty, bloom=reply.bloom,
                        skills=reply.skills, citations=citations)
    assert isinstance(reply, LLMFollowUp)
    return FollowUpQuestion(question=reply.question.strip(), reason=reply.reason.strip(), citations=citations)


def _truth(answer: str) -> str:
    low = answer.strip().lower()
    if low in ("true", "t", "yes", "对", "正确", "是"):
        return "true"
    if low in ("false", "f", "no", "错", "错误", "否"):
        return "false"
    return answer


def _check_follow_up(draft: CourseDraft, slot: Slot, new: FollowUpQuestion, sources: dict[str, SourceText]) -> None:
    """A follow-up question has no flags to carry a problem, so a bad one is refused instead."""
    problems = [p for c in new.citations for p in check_citation(c, sources)[1]]
    index = int(slot.key.split(":", 1)[1])
    if any(n != index and norm_text(f.question) == norm_text(new.question) for n, f in enumerate(draft.follow_up_questions)):
        problems.append("it repeats another follow-up question")
    if not norm_text(new.question):
        problems.append("the question is empty")
    if problems:
        raise RegenerateError(f"the model's new follow-up question {slot.key} failed the checks "
                              f"({'; '.join(dict.fromkeys(problems))}), so it was kept as it was; "
                              "try again or edit it by hand")
