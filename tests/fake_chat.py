"""A scripted chat model to hand a Context (`Context(settings, chat_model=FakeChat([...]))`).

Each call of the factory builds a LangChain chat model that streams the next scripted reply
(split at whitespace, as a server's tokens would arrive) and records the messages it was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import PrivateAttr


class _Recording(GenericFakeChatModel):
    _sent: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    def _stream(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self._sent.append(list(messages))
        yield from super()._stream(messages, *args, **kwargs)


class FakeChat:
    """A chat model factory with scripted replies; `calls` holds the messages of each request."""

    def __init__(self, replies: list[str]) -> None:
        self._replies = iter(replies)
        self.calls: list[list[BaseMessage]] = []
        self.options: list[dict[str, Any]] = []

    def __call__(self, **options: Any) -> GenericFakeChatModel:
        self.options.append(options)
        model = _Recording(messages=iter([AIMessage(content=next(self._replies))]))
        model._sent = self.calls  # the same list: what every model of this factory was sent
        return model
