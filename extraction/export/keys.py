"""Answer keys of quiz items, read the same way by every export."""

from __future__ import annotations

from extraction.course import QuizItem

_TRUE_WORDS = {"true", "t", "yes", "正确", "对", "是"}


def is_true(item: QuizItem) -> bool:
    """Whether a true/false item's key is 'true' (answer ["true"] or a word meaning it)."""
    return bool(item.answer) and item.answer[0].strip().lower() in _TRUE_WORDS


def correct_indices(item: QuizItem) -> list[int]:
    """Positions of the options that are keys of a choice item."""
    keys = set(item.answer)
    return [i for i, option in enumerate(item.options) if option in keys]


def letter(index: int) -> str:
    """Option letter as printed on paper: A, B, C…"""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def weight_text(percent: float) -> str:
    """A grade percentage as Moodle writes it: 50, 33.33333, -100."""
    text = f"{percent:.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# Moodle imports a grade only from its own list, which has 1/n for n up to 10 and no smaller
# share than 1/20 (question_bank::fraction_options_full); other grades stop the whole import.
MOST_SHARES = 10


def choice_weights(item: QuizItem) -> list[float]:
    """Partial-credit percentages per option: keys share +100, wrong options share -100
    (beyond ten wrong options each costs 10, the smallest share Moodle keeps)."""
    right = set(correct_indices(item))
    n_right = max(len(right), 1)
    n_wrong = min(max(len(item.options) - len(right), 1), MOST_SHARES)
    return [100 / n_right if i in right else -100 / n_wrong for i in range(len(item.options))]


def key_problem(item: QuizItem) -> str | None:
    """Why an LMS could not import the item's answer key, or None when it can."""
    if item.type == "true_false":
        return None if item.answer else "no true/false answer"
    if item.type == "short_answer":
        return None if any(a.strip() for a in item.answer) else "no accepted answer"
    keys = correct_indices(item)
    if len(item.options) < 2:
        return "fewer than two options"
    if not keys:
        return "no option is the answer"
    if item.type == "single_choice" and len(keys) != 1:
        return f"{len(keys)} options marked right in a single-choice item"
    if len(keys) > MOST_SHARES:
        return f"{len(keys)} options marked right; an LMS shares the marks among {MOST_SHARES} at most"
    return None
