"""The LLM output schemas: one module, the unit kinds of the course, one bound per field."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from extraction.course import UnitKind
from extraction.llm_schemas import MAX_TEXT, LLMFollowUp, LLMLesson, LLMPoint, LLMQuizItem, LLMUnit


def test_a_unit_or_point_kind_is_one_of_the_course_kinds():
    assert get_args(LLMUnit.model_fields["kind"].annotation) == get_args(UnitKind)
    assert LLMPoint.model_fields["kind"].annotation == LLMUnit.model_fields["kind"].annotation
    with pytest.raises(ValidationError):
        LLMUnit(kind="advice", text="Test before you touch.")


def test_the_item_itself_is_never_empty_but_a_title_may_be():
    for make in (lambda: LLMUnit(kind="tip", text=""), lambda: LLMPoint(kind="tip", text=""),
                 lambda: LLMQuizItem(type="true_false", stem=""), lambda: LLMFollowUp(question="")):
        with pytest.raises(ValidationError):
            make()
    assert LLMLesson(title="").title == ""  # the module's title stands in


def test_every_text_has_the_same_bound():
    LLMQuizItem(type="short_answer", stem="x" * MAX_TEXT, answer=["y" * MAX_TEXT])
    with pytest.raises(ValidationError):
        LLMPoint(kind="tip", text="x" * (MAX_TEXT + 1))
