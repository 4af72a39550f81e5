"""What a quiz can check: a sentence that says how the work is or is done — a rule, a number with a unit of
the trade, a cause, a definition or comparison, a step — and not a question, a recollection or the speaker's
own opinion of his life ("I really enjoyed Princeton", "I found it a rather interesting perspective")."""

from __future__ import annotations

import re

from extraction.display import trim_fillers
from extraction.units import PRESCRIPTIVE, has_reason, key_numbers, recollection

# A definition or a comparison: "X is a …", "… means …", "unlike …", "better than …", 就是说, 比…, 叫做
_DEFINES = re.compile(r"\b(?:is|are) (?:a|an|the|what|how|where|when|that)\b|\bmeans?\b|\bcalled\b|\bunlike\b"
                      r"|\b(?:more|less|better|worse|faster|slower|easier|harder|simpler)\b.{0,40}\bthan\b"
                      r"|\binstead of\b|\brather than\b|\bthe (?:way|point|trick|key|idea|problem|reason) (?:is|was)\b"
                      r"|叫做|叫作|意思是|比[^较如方]|不如|相当于|区别|而不是", re.I)
_STEP = re.compile(r"\b(?:first|then|next|after that|finally)\b|第[一二三四五六七八九十]步|首先|然后|接着|最后|先.{1,12}再",
                   re.I)
# The speaker about himself in the past, or his feelings: "I found", "we went", "I really enjoyed", "I never programmed"
_ABOUT_ME_EN = re.compile(r"\b(?:I|we)\b(?:['’]\w+)?\s+(?:(?:\w+ly|never|always|just|also|still|even|only|ever)\s+)?"
                          r"(?:\w+ed|was|were|had|did|went|came|got|found|thought|felt|knew|wrote|began|made|took|left|saw"
                          r"|enjoy|like|love|think|guess|suspect|believe|suppose|remember|recall)\b", re.I)
_ABOUT_ME_ZH = re.compile(r"我(?:记得|觉得|想|当时|那时|以前|是|刚|还|就是|家|老婆|儿子|女儿)|我们那时|那会儿")
# laughter and the transcriber's notes: "（笑）", "(laughs)", "[inaudible]"
_ASIDE = re.compile(r"[（(\[](?:笑|大笑|众笑|laughs?|laughter|inaudible|unclear)[)）\]]|哈哈", re.I)
_QUESTION = re.compile(r"[?？]\W*$")
# An English sentence that does not stand alone as a claim a learner can read:
# - cut in mid-sentence (opens in lower case, "- well") or a clause leaning on the one before, also after an
#   "and" / "but" ("Because, …", "Whereas …", "But since they are …", "Especially if you're building …");
_FRAGMENT_EN = re.compile(r"^\W*(?:[a-z]|(?i:(?:(?:and|but|or|so|yet)\W+)?(?:because|whereas|that|since|although"
                          r"|though|which|where|especially|unless|and so that))\b)")
# - trailing off ("the bit blit on this thing is..", "um...", "- ") or broken off with no stop at all ("and
#   added the various");
_TRAILS_OFF = re.compile(r"(?:\.\.|…|\b(?:um+|uh+|er)\W*|\s[-–—]\W*|[^.!?;:\"'”’)\]\s])\s*$", re.I)
# - the speaker mending what he said ("I'm sorry, I should say…", "or rather"), saying the same words twice
#   ("in the in the"), or breaking a phrase off after "a" / "the" ("work in a for them to", "on the of clusters");
_REPAIR = re.compile(r"\b(?:I['’]?m sorry|or rather|let me (?:rephrase|put it))\b", re.I)
_RESTART = re.compile(r"\b(\w+\W+\w+)\W+\1\b", re.I)
_CUT_PHRASE = re.compile(r"\b(?:a|an|the) (?:of|for|to|in|on|at|with|by|from|and|or|but|is|are|was|were|you|he|she"
                         r"|we|they|it|the|a|an)\b")
# - no subject: it opens on a verb in the past ("Then tried to convert that into a compiler.", "Just liked it…")
_NO_SUBJECT = re.compile(r"^\W*(?:(?:and|but|so|then|also|just|only|really|actually)\W+)*(?:\w+ed|went|came|got|took|made|wrote"
                         r"|began|built|found|thought|said|saw)\b", re.I)
# A step told as what happened, not how it is done: a past tense beside "then" ("You typed for awhile, and then
# you waited for the computer to respond.")
_NARRATED = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bbe )(?<!\bbeen )(?<!\bwas )(?<!\bwere )(?<!\bget )"
                       r"(?<!\bgets )(?<!\bhas )(?<!\bhave )(?<!\bhad )(?<!'s )(?<!'re )(?<!'ve )"
                       r"\b(?:\w{3,}ed|went|came|got|took|made|wrote|began|built|found|thought|said|saw|threw|gave"
                       r"|ran|sat|told|happened)\b", re.I)


def _unclosed(s: str) -> bool:
    """A quotation or a bracket opened and not closed: the sentence was cut inside it."""
    return s.count('"') % 2 == 1 or s.count("“") != s.count("”") or s.count("(") != s.count(")")


def stands_alone(sentence: str, language: str) -> bool:
    """True when a sentence reads as a whole claim without the ones around it. English: it is not cut in
    mid-sentence, does not open on a clause leaning on the one before ("But since…", "Especially if…") nor on
    a verb with no subject ("Then tried…"), does not trail off ("is..", "um...") and the speaker does not mend
    it as he goes ("I'm sorry, I should say…"). Chinese is read whole as it is."""
    if language == "zh":
        return True
    s = trim_fillers(sentence).strip()  # as the learner reads it: "in a um for them to" restarts
    return not (_FRAGMENT_EN.match(s) or _TRAILS_OFF.search(s) or _REPAIR.search(s) or _RESTART.search(s)
                or _CUT_PHRASE.search(s)
                or _NO_SUBJECT.match(s) or _unclosed(s))


def narrated_step(sentence: str, language: str) -> bool:
    """True when "then" tells what happened in a story rather than a step of how the work is done."""
    return language != "zh" and bool(_STEP.search(sentence)) and bool(_NARRATED.search(sentence))


def checkable(sentence: str, language: str) -> bool:
    """True when a quiz can test the sentence: it says a rule, a number with its unit, a cause, a definition,
    a comparison or a step, stands alone (English: not cut in mid-sentence, not a clause leaning on the one
    before), and is neither a question nor the speaker's own past or opinion."""
    s = sentence.strip()
    if not s or _QUESTION.search(s) or recollection(s) or _ASIDE.search(s):
        return False
    if (_ABOUT_ME_ZH if language == "zh" else _ABOUT_ME_EN).search(s):
        return False
    if not stands_alone(s, language):
        return False
    if PRESCRIPTIVE.search(s) or key_numbers(s) or has_reason(s) or _DEFINES.search(s):
        return True
    return bool(_STEP.search(s)) and not narrated_step(s, language)
