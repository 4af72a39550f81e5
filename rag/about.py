"""Which of the top retrieved chunks come from an interview about what a worker asks.

A master deep in his forklift interview says "不能跳" without saying 叉车 again: what an interview is about
is read from its top chunks together. The master's rule (rag.judge), the choice he makes (rag.choice) and
his instruction on an act (rag.how_to) answer only from such chunks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rag.answerability import held_share, subject_terms
from rag.language import detect_language
from rag.sentences import is_question, sentence_spans
from shifu.models import SearchHit

__all__ = ["ABOUT", "TOP_CHUNKS", "chunks_about", "statements_about"]

TOP_CHUNKS = 3  # the top chunks whose sentences are read
ABOUT = 0.5  # share of the question's subject words an interview's top chunks must hold


def chunks_about(question: str, hits: Sequence[SearchHit]) -> list[int]:
    """The top chunks (their indexes) whose interview is about what the question asks: its top chunks
    together hold at least half of the question's subject words."""
    lang = detect_language(question)
    subject = subject_terms(question, lang)
    said: dict[str, str] = {}
    for hit in hits[:TOP_CHUNKS]:
        said[hit.chunk.transcript_id] = f"{said.get(hit.chunk.transcript_id, '')} {hit.chunk.text.lower()}"
    return [i for i, hit in enumerate(hits[:TOP_CHUNKS])
            if not subject or sum(held_share(t, said[hit.chunk.transcript_id], lang) >= 0.5 for t in subject)
            >= ABOUT * len(subject)]


def statements_about(question: str, hits: Sequence[SearchHit]) -> Iterator[tuple[int, int, int, str]]:
    """Each statement (not a question) of the chunks about the question, in order: (chunk index, start,
    end, text), the start past leading blanks. Where the master's rule, choice and instruction are read."""
    for i in chunks_about(question, hits):
        text = hits[i].chunk.text
        for a, b in sentence_spans(text):
            sentence = text[a:b]
            if sentence.strip() and not is_question(sentence):
                start = a + len(sentence) - len(sentence.lstrip())
                yield i, start, b, text[start:b]
