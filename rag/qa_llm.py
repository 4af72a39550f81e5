"""LLM answers: retrieved chunks in, an answer with [n] citations out — checked in code.

The chunks go into the `qa` template as numbered, fenced data, apart from the
instructions; their angle brackets are neutralised so no chunk can close its fence.
The answer streams through `on_token` a clause at a time (so an echo of the instructions
is cut out before it is shown); afterwards every [n] must name a chunk that was actually
sent, and at least one must be present. An answer that fails is returned with
``valid=False`` and its problems listed. The LCEL chain itself is `prompts.structured.run_text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from prompts.budget import pack
from prompts.registry import PromptTemplate, RenderedPrompt, get_template, render_template
from prompts.structured import run_text
from rag.screen import reads_as_instruction
from rag.sentences import ends_sentence, sentence_spans, terms
from shifu.context import Context
from shifu.models import Answer, AnswerCitation, SearchHit
from shifu.settings import Settings

TEMPLATE = "qa"
QUOTE_LIMIT = 200  # characters of a citation's quote
_CITE = re.compile(r"[\[【]\^?\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】]")
_CLAUSE_END = re.compile(r"[。！？；;：:!?\n]|\.\s|，|,\s")
_NOT_COVERED_MARKERS = ("资料中没有涉及", "does not cover")
REMOVED = "[…]"
# The prompt's own markup (the <source> data blocks, chat role tokens) never belongs in an answer.
_SCAFFOLD = re.compile(r"</?\s*(source|sources|question|excerpts?)\b|<\|[a-z_]+\|>|\[/?INST\]|<</?SYS>>", re.I)
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?\n]|$)")


def fence(text: str) -> str:
    """Untrusted text made safe to sit between tags: it can open or close none."""
    return text.replace("<", "＜").replace(">", "＞")


def _attr(text: str) -> str:
    return fence(text).replace('"', "'").replace("\n", " ")


def _speaker(hit: SearchHit) -> str:
    speakers = hit.chunk.speakers
    if len(speakers) == 1:
        return speakers[0]
    return hit.expert or "、".join(speakers)


def _sources(hits: Sequence[SearchHit], texts: list[str]) -> list[dict[str, Any]]:
    return [
        {"n": n, "title": _attr(hit.transcript_title), "speaker": _attr(_speaker(hit)), "text": text}
        for n, (hit, text) in enumerate(zip(hits, texts, strict=False), start=1)
    ]


def build_prompt(settings: Settings, question: str, hits: Sequence[SearchHit]) -> tuple[RenderedPrompt, int, PromptTemplate]:
    """The `qa` prompt with as many chunks as fit under SHIFU_LLM_CONTEXT_TOKENS; returns it and how many."""
    template = get_template(settings, TEMPLATE)

    def render(texts: list[str]) -> RenderedPrompt:
        return render_template(template, {"question": fence(question), "sources": _sources(hits, texts)})

    packed = pack(render, [fence(h.chunk.text) for h in hits], settings.llm_context_tokens)
    return packed.prompt, len(packed.texts), template


def citations_in(text: str) -> list[int]:
    """The numbers cited as [n], [n, m], 【n】 or [^n], in order of first appearance."""
    seen: list[int] = []
    for match in _CITE.finditer(text):
        for part in re.split(r"[,，、]", match.group(1)):
            n = int(part)
            if n not in seen:
                seen.append(n)
    return seen


def strip_instruction_echo(text: str, prompt: RenderedPrompt) -> tuple[str, bool]:
    """Cut any clause of the instructions (the system message) the model repeated."""
    system = next((m["content"] for m in prompt.messages if m["role"] == "system"), "")
    clauses = {c.strip() for c in _CLAUSE_END.split(system)}
    found = False
    for clause in sorted((c for c in clauses if len(c) >= 12), key=len, reverse=True):
        if clause in text:
            text, found = text.replace(clause, REMOVED), True
    return text, found


def cut_instructions(text: str) -> tuple[str, bool]:
    """Cut every sentence that reads as an instruction to a model or carries the prompt's markup."""
    out, found = [], False
    for sentence in _SENTENCE.findall(text):
        if sentence.strip() and (reads_as_instruction(sentence) or _SCAFFOLD.search(sentence)):
            out.append(REMOVED + ("\n" if sentence.endswith("\n") else ""))
            found = True
        else:
            out.append(sentence)
    return "".join(out), found


def _screened(text: str, prompt: RenderedPrompt) -> str:
    return cut_instructions(strip_instruction_echo(text, prompt)[0])[0]


class EchoGuard:
    """Passes streamed text on a clause at a time, any clause of the instructions already cut out."""

    def __init__(self, prompt: RenderedPrompt, on_token: Callable[[str], None]) -> None:
        self.prompt, self.on_token, self.pending = prompt, on_token, ""

    def feed(self, piece: str) -> None:
        self.pending += piece
        ends = list(_CLAUSE_END.finditer(self.pending))
        if ends:  # instruction clauses never span a clause end, so whole clauses can be checked
            cut = ends[-1].end()
            ready, self.pending = self.pending[:cut], self.pending[cut:]
            self.on_token(_screened(ready, self.prompt))

    def close(self) -> None:
        if self.pending:
            self.on_token(_screened(self.pending, self.prompt))
            self.pending = ""


def _quote_span(chunk_text: str, context: str) -> tuple[int, int]:
    """The sentence of the chunk that shares most words/bigrams with the answer text citing it."""
    wanted = set(terms(context))
    spans = sentence_spans(chunk_text) or [(0, len(chunk_text))]
    start, end = max(spans, key=lambda sp: len(wanted & set(terms(chunk_text[sp[0]:sp[1]]))))
    return start, min(end, start + QUOTE_LIMIT)


def _context_of(text: str, n: int) -> str:
    """The sentences of the answer that cite [n]."""
    pieces = re.split(r"(?<=[。！？.!?\n])", text)
    return " ".join(p for p in pieces if n in citations_in(p)) or text


def _citation(n: int, hit: SearchHit, answer_text: str) -> AnswerCitation:
    chunk = hit.chunk
    start, end = _quote_span(chunk.text, _context_of(answer_text, n))
    return AnswerCitation(
        n=n, transcript_id=chunk.transcript_id, chunk_id=chunk.id, quote=chunk.text[start:end],
        start=chunk.char_start + start, end=chunk.char_start + end, t_start=chunk.t_start, t_end=chunk.t_end,
        transcript_title=hit.transcript_title, speaker=_speaker(hit), score=round(float(hit.score), 6),
    )


def check_answer(text: str, hits: Sequence[SearchHit], prompt: RenderedPrompt) -> tuple[str, list[AnswerCitation], list[str], bool]:
    """Check an LLM answer against the chunks it was given: (text, citations, problems, covered)."""
    problems: list[str] = []
    text, echoed = strip_instruction_echo(text.strip(), prompt)
    if echoed:
        problems.append("the answer repeated the instructions; that part was removed")
    text, injected = cut_instructions(text)
    if injected:
        problems.append("the answer repeated an instruction found in a transcript, or the prompt's markup; "
                        "that part was removed")
    covered = not any(marker in text for marker in _NOT_COVERED_MARKERS)
    cited = citations_in(text)
    bad = [n for n in cited if not 1 <= n <= len(hits)]
    if not text.replace(REMOVED, "").strip():
        problems.append("the model wrote no answer")
    if bad:
        given = f"[1]–[{len(hits)}]" if len(hits) > 1 else "[1]"
        problems.append(f"the answer cites {', '.join(f'[{n}]' for n in bad)}, but only excerpts {given} were given")
    if covered and not cited:
        problems.append("the answer cites no excerpt, so nothing in it can be checked")
    if covered and text.strip() and not ends_sentence(_CITE.sub("", text).rstrip()):
        problems.append("the answer stops mid-sentence (the model may have run out of tokens); ask again "
                        "or raise SHIFU_LLM_MAX_TOKENS")
    citations = [_citation(n, hits[n - 1], text) for n in cited if 1 <= n <= len(hits)]
    return text, citations, problems, covered


def answer_with_llm(ctx: Context, question: str, hits: Sequence[SearchHit], *,
                    on_token: Callable[[str], None] | None = None) -> Answer:
    """Answer QUESTION from HITS with the `qa` template; citations are checked, failures flagged invalid."""
    if not hits:
        return Answer(question=question, answer="", covered=False, mode="llm", valid=False,
                      problems=["no excerpts were retrieved, so the model was not asked"])
    prompt, n_sent, _ = build_prompt(ctx.settings, question, hits)
    sent = list(hits[:n_sent])
    guard = EchoGuard(prompt, on_token) if on_token is not None else None
    raw = run_text(ctx.settings, prompt, on_token=guard.feed if guard else None, models=ctx.chat_model)
    if guard:
        guard.close()
    text, citations, problems, covered = check_answer(raw, sent, prompt)
    return Answer(question=question, answer=text, citations=citations, covered=covered, mode="llm",
                  valid=not problems, problems=problems)
