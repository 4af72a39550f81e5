"""What a quiz can check: a sentence that says how the work is or is done — a rule, a number with a unit of
the trade, a cause, a definition or comparison, a step — and not a question, a recollection or the speaker's
own opinion of his life ("I really enjoyed Princeton", "I found it a rather interesting perspective")."""

from __future__ import annotations

import re

from extraction.units import PRESCRIPTIVE, has_reason, key_numbers, recollection

# A definition or a comparison: "X is a …", "… means …", "unlike …", "better than …", 就是说, 比…, 叫做
_DEFINES = re.compile(r"\b(?:is|are) (?:a|an|the|what|how|where|when|that)\b|\bmeans?\b|\bcalled\b|\bunlike\b"
                      r"|\b(?:more|less|better|worse|faster|slower|easier|harder|simpler)\b.{0,40}\bthan\b"
                      r"|\binstead of\b|\brather than\b|\bthe (?:way|point|trick|key|idea|problem|reason) (?:is|was)\b"
                      r"|叫做|叫作|意思是|比[^较如方]|不如|相当于|区别|而不是", re.I)
_STEP = re.compile(r"\b(?:first|then|next|after that|finally)\b|第[一二三四五六七八九十]步|首先|然后|接着|最后|先.{1,12}再",
                   re.I)
# The speaker about himself in the past, or his feelings: "I found", "we went", "I really enjoyed", "I never programmed"
_ABOUT_ME_EN = re.compile(r"\b(?:I|we)\b(?:'\w+)?\s+(?:(?:\w+ly|never|always|just|also|still|even|only|ever)\s+)?"
                          r"(?:\w+ed|was|were|had|did|went|came|got|found|thought|felt|knew|wrote|began|made|took|left|saw"
                          r"|enjoy|like|love|think|guess|suspect|believe|suppose|remember|recall)\b", re.I)
_ABOUT_ME_ZH = re.compile(r"我(?:记得|觉得|想|当时|那时|以前|是|刚|还|就是|家|老婆|儿子|女儿)|我们那时|那会儿")
# laughter and the transcriber's notes: "（笑）", "(laughs)", "[inaudible]"
_ASIDE = re.compile(r"[（(\[](?:笑|大笑|众笑|laughs?|laughter|inaudible|unclear)[)）\]]|哈哈", re.I)
_QUESTION = re.compile(r"[?？]\W*$")
# An English sentence that does not stand alone: cut in mid-sentence (opens in lower case, "- well") or a
# clause leaning on the one before ("Because, …", "Whereas …", "That an …")
_FRAGMENT_EN = re.compile(r"^\W*(?:[a-z]|(?i:because|whereas|that|since|although|which|where|and so that)\b)")


def checkable(sentence: str, language: str) -> bool:
    """True when a quiz can test the sentence: it says a rule, a number with its unit, a cause, a definition,
    a comparison or a step, stands alone (English: not cut in mid-sentence, not a clause leaning on the one
    before), and is neither a question nor the speaker's own past or opinion."""
    s = sentence.strip()
    if not s or _QUESTION.search(s) or recollection(s) or _ASIDE.search(s):
        return False
    if (_ABOUT_ME_ZH if language == "zh" else _ABOUT_ME_EN).search(s):
        return False
    if language != "zh" and _FRAGMENT_EN.match(s):
        return False
    return bool(PRESCRIPTIVE.search(s) or key_numbers(s) or has_reason(s) or _DEFINES.search(s) or _STEP.search(s))
