"""The seam where drafting and regeneration ask the model: a rendered prompt and an output
schema in, a validated object out (tests hand the engines a fake one instead of patching)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from prompts.registry import RenderedPrompt
    from shifu.settings import Settings

M = TypeVar("M", bound=BaseModel)


class StructuredAsk(Protocol):
    """Asks the model; returns a SCHEMA object that passed validation (and CHECK), or raises
    LLMError when the output stays invalid."""

    def __call__(self, prompt: RenderedPrompt, schema: type[M],
                 check: Callable[[M], list[str]] | None = None) -> M: ...


@dataclass(frozen=True)
class ConfiguredModel:
    """The configured chat server, asked through the structured-output runner (re-asks included)."""

    settings: Settings
    max_tokens: int
    max_reasks: int

    def __call__(self, prompt: RenderedPrompt, schema: type[M],
                 check: Callable[[M], list[str]] | None = None) -> M:
        # imported here: the chat client loads only when a model is asked
        from prompts.structured import run_structured

        return run_structured(self.settings, prompt, schema, check=check, max_tokens=self.max_tokens,
                              max_reasks=self.max_reasks).value
