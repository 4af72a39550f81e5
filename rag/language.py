"""Tell Chinese from English transcripts by the share of Chinese characters."""

from __future__ import annotations

import re

from shifu.models import Language

__all__ = ["count_cjk", "detect_language", "is_cjk"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")



def is_cjk(ch: str) -> bool:
    """True for a Chinese character (hanzi)."""
    return bool(_CJK.match(ch))


def count_cjk(text: str) -> int:
    """How many Chinese characters a text holds."""
    return len(_CJK.findall(text))


def detect_language(text: str) -> Language:
    """'zh' when Chinese characters make up a fair share of the letters, else 'en'."""
    cjk = len(_CJK.findall(text))
    # An English word counts as one unit, like one hanzi: Chinese shop talk is full of
    # English terms (TIG, MIG, CNC) that must not tip it over to English.
    words = len(re.findall(r"[A-Za-z]+", text))
    if cjk == 0 and words == 0:
        return "zh"
    return "zh" if cjk >= 0.5 * words else "en"
