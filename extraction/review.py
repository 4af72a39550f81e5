"""Reviewing a drafted course: the courses and versions to pick from, one item by its key,
edits saved as new versions, the validator flags of an edited quiz item, the source span of a
citation, diffs and the workflow. The web app's review screen and the CLI share it.

Every function is one user action and runs in one unit of work of the context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from extraction.course import Citation, CourseDraft, QuizItem
from extraction.publishing import diff_versions, get_course, save_version, set_status
from extraction.validate import item_problems, supported
from rag.catalog import get_transcript
from shifu.context import Context
from shifu.tables import CourseRow, CourseVersionRow


@dataclass(frozen=True)
class CourseEntry:
    """A course as the review screen's picker lists it."""

    id: str
    title: str
    status: str
    published_version: int | None


@dataclass(frozen=True)
class VersionEntry:
    """One saved version of a course, as the version picker lists it."""

    number: int
    engine: str
    created_by: str | None
    note: str | None


@dataclass(frozen=True)
class SourceSpan:
    """The transcript around a citation: text before, the cited words, text after, and who spoke."""

    title: str
    speaker: str | None
    time_s: float | None
    start: int
    end: int
    before: str
    cited: str
    after: str
    cut_before: bool
    cut_after: bool


@dataclass(frozen=True)
class ItemEdit:
    """What a reviewer typed for one item (the fields that item has are used)."""

    text: str = ""
    kind: str = ""
    options: str = ""
    answer: str = ""
    explanation: str = ""


def courses(ctx: Context) -> list[CourseEntry]:
    """Every course, newest first."""
    with ctx.unit_of_work() as s:
        rows = s.scalars(select(CourseRow).order_by(CourseRow.created_at.desc())).all()
        return [CourseEntry(r.id, r.title, r.status, r.published_version) for r in rows]


def versions(ctx: Context, course_id: str) -> list[VersionEntry]:
    """The versions of one course, oldest first."""
    with ctx.unit_of_work() as s:
        rows = s.scalars(select(CourseVersionRow).where(CourseVersionRow.course_id == course_id)
                         .order_by(CourseVersionRow.number)).all()
        return [VersionEntry(r.number, r.engine, r.created_by, r.note) for r in rows]


def course_status(ctx: Context, course_id: str) -> CourseEntry | None:
    """The course's workflow status and published version, or None when there is no such course."""
    with ctx.unit_of_work() as s:
        row = s.get(CourseRow, course_id)
        return CourseEntry(row.id, row.title, row.status, row.published_version) if row else None


def load(ctx: Context, course_id: str, version: int | None) -> tuple[int, CourseDraft]:
    """One version of a course (the latest when `version` is empty): (its number, the draft)."""
    info, draft = get_course(ctx, course_id, int(version) if version else None)
    return int(info.version), draft


@dataclass
class ItemRef:
    """Where an item lives in the draft: 'p:i.j.k' point, 'l:i.j' lesson, 'q:ID' quiz item, 'f:n' follow-up."""

    key: str

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def body(self) -> str:
        return self.key.split(":", 1)[1]

    def _place(self, draft: CourseDraft) -> tuple[list[Any], int]:
        """The list a point, lesson or follow-up sits in, and its index there."""
        if self.kind == "p":
            i, j, k = (int(x) for x in self.body.split("."))
            return draft.modules[i].lessons[j].points, k
        if self.kind == "l":
            i, j = (int(x) for x in self.body.split("."))
            return draft.modules[i].lessons, j
        return draft.follow_up_questions, int(self.body)

    def get(self, draft: CourseDraft) -> Any:
        if self.kind == "q":
            return next(q for q in draft.quiz if q.id == self.body)
        items, n = self._place(draft)
        return items[n]

    def remove(self, draft: CourseDraft) -> None:
        if self.kind == "q":
            draft.quiz = [q for q in draft.quiz if q.id != self.body]
            return
        items, n = self._place(draft)
        del items[n]


def flags_of(item: Any) -> list[str]:
    """The validator flags an item carries (lessons, points and quiz items have them)."""
    return list(getattr(item, "flags", None) or [])


def citations_of(item: Any) -> list[Citation]:
    return list(getattr(item, "citations", None) or [])


def open_item(ctx: Context, course_id: str, version: int | None, key: str) -> Any:
    """The item with this key in one version of the course."""
    _number, draft = load(ctx, course_id, version)
    return ItemRef(key).get(draft)


def edit_item(ctx: Context, course_id: str, version: int | None, key: str, action: str, edit: ItemEdit,
              by: str | None) -> tuple[int, str]:
    """Accept, save an edit of, or reject one item; saved as the next version. Returns (number, note)."""
    with ctx.unit_of_work():
        _number, draft = load(ctx, course_id, version)
        ref = ItemRef(key)
        item = ref.get(draft)
        if action == "reject":
            ref.remove(draft)
            note = f"rejected {ref.body}"
        elif action == "accept":
            flags = flags_of(item)
            note = f"accepted {ref.body}" + (f" (flags: {'; '.join(flags)})" if flags else "")
            if hasattr(item, "flags"):
                item.flags = []
        else:
            note = f"edited {ref.body}"
            _apply(ref, item, edit)
        return save_version(ctx, course_id, draft, created_by=by, note=note), note


def _apply(ref: ItemRef, item: Any, edit: ItemEdit) -> None:
    """Write the reviewer's fields into the item; an edited quiz item is checked again."""
    if isinstance(item, QuizItem):
        item.stem, item.options = edit.text.strip(), _lines(edit.options)
        item.answer, item.explanation = _lines(edit.answer), (edit.explanation or "").strip()
        item.flags = quiz_flags(item)
    elif ref.kind == "p":
        item.text, item.kind = edit.text.strip(), (edit.kind or item.kind).strip()
    elif ref.kind == "l":
        item.title = edit.text.strip() or item.title
    else:
        item.question, item.reason = edit.text.strip(), (edit.explanation or item.reason).strip()


def _lines(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip()]


def quiz_flags(item: QuizItem) -> list[str]:
    """Re-check an edited quiz item with the drafting validators."""
    flags = item_problems(item)
    if not flags and not supported(item):
        flags.append("answer not supported by the cited quote")
    return flags


def regenerate(ctx: Context, course_id: str, version: int | None, key: str, by: str | None) -> tuple[int, str]:
    """A new version of one item (by the LLM when one is configured, else rebuilt offline), saved."""
    from extraction.regenerate import regenerate_item

    _number, draft = load(ctx, course_id, version)
    draft = regenerate_item(ctx, draft, key)  # the LLM call runs outside any transaction
    note = f"regenerated {ItemRef(key).body}"
    return save_version(ctx, course_id, draft, created_by=by, note=note), note


def source_span(ctx: Context, citation: Citation, context: int = 240) -> SourceSpan:
    """The transcript around a citation (NotFoundError when the transcript is gone)."""
    tr = get_transcript(ctx, citation.transcript_id)
    text = tr.text
    start, end = max(0, int(citation.start)), min(len(text), int(citation.end))
    lo, hi = max(0, start - context), min(len(text), end + context)
    turn = next((x for x in tr.turns if x.char_start <= start < x.char_end + 1), None)
    return SourceSpan(title=tr.title, speaker=turn.speaker if turn else None, time_s=turn.start if turn else None,
                      start=start, end=end, before=text[lo:start], cited=text[start:end], after=text[end:hi],
                      cut_before=lo > 0, cut_after=hi < len(text))


def diff(ctx: Context, course_id: str, a: int, b: int) -> str:
    """What changed between two versions of a course."""
    out = diff_versions(ctx, course_id, int(a), int(b))
    return out if isinstance(out, str) else "\n".join(map(str, out))


def move(ctx: Context, course_id: str, status: str, by: str | None) -> None:
    """Move the course along draft -> in review -> published; 'unpublish' takes it back to draft."""
    set_status(ctx, course_id, "draft" if status == "unpublish" else status, by=by)
