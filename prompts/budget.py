"""Token budgets: pack retrieved text into a prompt so that no request goes over the limit.

Counts use tiktoken's cl100k_base (offline copy). Whole pieces are kept in ranking
order; only the first piece may be cut short, so there is always some context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prompts.registry import RenderedPrompt
from shifu.errors import ShifuError
from shifu.tokens import count_tokens, messages_tokens


class PromptTooLong(ShifuError):
    """Even with no retrieved text, the prompt is over the token limit."""


@dataclass(frozen=True)
class Packed:
    """The prompt that fits, and which pieces (possibly the first one cut) went into it."""

    prompt: RenderedPrompt
    texts: list[str]
    tokens: int
    dropped: int  # pieces left out for lack of room
    cut: bool  # the first piece was shortened


def prompt_tokens(prompt: RenderedPrompt) -> int:
    """Tokens of a rendered prompt as it will be sent."""
    return messages_tokens(prompt.messages)


def truncate_to_tokens(text: str, limit: int) -> str:
    """The longest prefix of TEXT with at most LIMIT tokens (never splits a character)."""
    if limit <= 0:
        return ""
    if count_tokens(text) <= limit:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # binary search on characters: tokens grow with the prefix
        mid = (lo + hi + 1) // 2
        if count_tokens(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def pack(render: Callable[[list[str]], RenderedPrompt], texts: list[str], limit: int) -> Packed:
    """Render with as many of TEXTS (in order) as fit under LIMIT tokens; checked on the real render."""
    base = prompt_tokens(render([]))
    if base > limit:
        raise PromptTooLong(
            f"the prompt alone takes {base} tokens, over the limit of {limit}; "
            "shorten the question or raise SHIFU_LLM_CONTEXT_TOKENS"
        )
    wrapper = max(prompt_tokens(render([""])) - base, 0) + 2  # what the template adds around one piece
    chosen: list[str] = []
    used = base
    for text in texts:
        cost = count_tokens(text) + wrapper
        if used + cost > limit:
            break
        chosen.append(text)
        used += cost
    if not chosen and texts:
        return _cut_first(render, texts, limit, limit - base - wrapper)
    prompt = render(chosen)
    tokens = prompt_tokens(prompt)
    while tokens > limit and chosen:  # the estimate was short: drop from the end until it fits
        chosen = chosen[:-1]
        prompt = render(chosen)
        tokens = prompt_tokens(prompt)
    return Packed(prompt=prompt, texts=chosen, tokens=tokens, dropped=len(texts) - len(chosen), cut=False)


def _cut_first(render: Callable[[list[str]], RenderedPrompt], texts: list[str], limit: int, room: int) -> Packed:
    """Only part of the best piece fits: keep its beginning, as long as the real render allows."""
    while room > 0:
        first = truncate_to_tokens(texts[0], room)
        prompt = render([first])
        tokens = prompt_tokens(prompt)
        if tokens <= limit:
            return Packed(prompt=prompt, texts=[first], tokens=tokens, dropped=len(texts) - 1, cut=True)
        room -= tokens - limit
    prompt = render([])
    return Packed(prompt=prompt, texts=[], tokens=prompt_tokens(prompt), dropped=len(texts), cut=False)
