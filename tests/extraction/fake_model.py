"""A fake chat model for the drafting tests: a StructuredAsk that reads the prompt it is given
and answers from a script, handed to the engines in place of the configured server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from prompts.registry import RenderedPrompt
from shifu.errors import LLMError

M = TypeVar("M", bound=BaseModel)


def tagged(prompt: RenderedPrompt, tag: str) -> list[tuple[str, str]]:
    """(id, text) of every <TAG id="..."> element the prompt shows the model, in order."""
    user = "\n".join(m["content"] for m in prompt.messages if m["role"] == "user")
    return re.findall(rf'<{tag} id="([^"]*)"[^>]*>(.*?)</{tag}>', user, re.S)


class FakeModel:
    """Answers each prompt with SCRIPT(prompt, schema); the answer must be of that schema and pass
    the caller's check, as the structured-output runner would insist."""

    def __init__(self, script: Callable[[RenderedPrompt, type[BaseModel]], BaseModel]) -> None:
        self.script = script
        self.asked: list[RenderedPrompt] = []

    def __call__(self, prompt: RenderedPrompt, schema: type[M],
                 check: Callable[[M], list[str]] | None = None) -> M:
        self.asked.append(prompt)
        value = self.script(prompt, schema)
        assert isinstance(value, schema), f"the script answered {prompt.name} with {type(value).__name__}"
        problems = check(value) if check else []
        if problems:
            raise LLMError(f"the model's {prompt.name} output failed the checks: {'; '.join(problems)}")
        return value

    def versions(self) -> dict[str, str]:
        """The template versions of the prompts asked, by template name."""
        return {p.name: p.version for p in self.asked}


def refusing(prompt: RenderedPrompt, schema: type[BaseModel]) -> BaseModel:
    """A script for a model whose output never passes validation."""
    raise LLMError(f"the model's {prompt.name} output was still invalid after 3 attempts")
