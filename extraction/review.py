"""Reviewing a drafted course: the courses and versions to pick from, one item by its key,
edits saved as new versions, the validator flags of an edited quiz item, the source span of a
citation, diffs and the workflow. The web app's review screen and the CLI share it.

Every function is one user action and runs in one unit of work of the context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from extraction.course import (
    Citation,
    CourseDraft,
    Lesson,
    Module,
    Point,
    QuizItem,
    kind_label,
)
from extraction.publishing import (
    get_course,
    refusal,
    save_version,
    set_status,
    unpublish,
)
from extraction.validate import hard_flags, item_problems, supported
from prompts.textdiff import Change, as_text, pair_up
from rag.catalog import get_transcript
from shifu.context import Context
from shifu.errors import NotFoundError, PermissionDenied, ShifuError
from shifu.tables import CourseRow, CourseVersionRow, TranscriptRow, TurnRow
from shifu.timecode import clock


class ReviewRefusal(ShifuError):
    """A review action that cannot be done as asked (the message says what to do instead)."""


@dataclass(frozen=True)
class CourseEntry:
    """A course as the review screen's picker lists it."""

    id: str
    title: str
    status: str
    published_version: int | None
    latest_version: int = 0
    latest_status: str = "draft"
    created_by: str | None = None


@dataclass(frozen=True)
class VersionEntry:
    """One saved version of a course, as the version picker lists it."""

    number: int
    engine: str
    created_by: str | None
    note: str | None
    status: str = "draft"


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
    reason: str = ""  # why a reviewer accepts a soft flag (recorded in the version's note)


def _entry(s, row: CourseRow) -> CourseEntry:
    latest = s.scalars(select(CourseVersionRow).where(CourseVersionRow.course_id == row.id)
                       .order_by(CourseVersionRow.number.desc()).limit(1)).first()
    return CourseEntry(row.id, row.title, row.status, row.published_version, latest.number if latest else 0,
                       latest.status if latest else "draft", row.created_by)


def courses(ctx: Context) -> list[CourseEntry]:
    """Every course, newest first."""
    with ctx.unit_of_work() as s:
        rows = s.scalars(select(CourseRow).order_by(CourseRow.created_at.desc())).all()
        return [_entry(s, r) for r in rows]


def versions(ctx: Context, course_id: str) -> list[VersionEntry]:
    """The versions of one course, oldest first."""
    with ctx.unit_of_work() as s:
        rows = s.scalars(select(CourseVersionRow).where(CourseVersionRow.course_id == course_id)
                         .order_by(CourseVersionRow.number)).all()
        return [VersionEntry(r.number, r.engine, r.created_by, r.note, r.status) for r in rows]


def course_status(ctx: Context, course_id: str) -> CourseEntry | None:
    """The course's workflow status and published version, or None when there is no such course."""
    with ctx.unit_of_work() as s:
        row = s.get(CourseRow, course_id)
        return _entry(s, row) if row else None


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
            note = _accept(ref, item, edit.reason)
        else:
            note = f"edited {ref.body}"
            _apply(ref, item, edit)
        if ref.kind == "p" and action != "accept":
            refresh_lesson_texts(ctx, draft)  # an edited or removed point shows in the lesson text
        return save_version(ctx, course_id, draft, created_by=by, note=note), note


def set_item_skills(ctx: Context, course_id: str, version: int | None, key: str, names: list[str],
                    by: str | None) -> tuple[int, str]:
    """The skills of one point or quiz item as the reviewer left them (added, removed, picked from the trade's
    list or newly named), saved as the next version. Returns (number, note)."""
    from extraction.growth.skills import clean_names

    ref = ItemRef(key)
    if ref.kind not in ("p", "q"):
        raise refusal(ReviewRefusal, "only lesson points and quiz items carry skills; pick one in the outline",
                      "只有要点和测验题带技能；请在大纲中选择一个要点或测验题")
    try:
        cleaned = clean_names(names)
    except ShifuError as exc:
        raise refusal(ReviewRefusal, str(exc), "一个条目最多 4 个技能，每个技能名不超过 40 个字；请删减后再保存") from exc
    with ctx.unit_of_work():
        _number, draft = load(ctx, course_id, version)
        item = ref.get(draft)
        if list(item.skills) == cleaned:
            raise refusal(ReviewRefusal, "these are already the item's skills; add, remove or rename one first",
                          "技能没有变化；请先添加、删除或改名")
        item.skills = cleaned
        note = f"skills {ref.body}: {', '.join(cleaned) or '-'}"
        return save_version(ctx, course_id, draft, created_by=by, note=note), note


def skill_choices(ctx: Context, course_id: str, version: int | None) -> list[str]:
    """The skills a reviewer may pick for this course: its trade's curated list and those its draft already uses."""
    from extraction.growth.skills import course_trade, trade_skill_names

    _number, draft = load(ctx, course_id, version)
    with ctx.unit_of_work() as s:
        curated = trade_skill_names(s, course_trade(s, course_id))
    used = [n for m in draft.modules for lesson in m.lessons for p in lesson.points for n in p.skills]
    used += [n for q in draft.quiz for n in q.skills]
    return list(dict.fromkeys([*curated, *sorted(set(used))]))


def _accept(ref: ItemRef, item: Any, reason: str) -> str:
    """Clear an item's soft flags with the reviewer's reason; hard flags are refused (fix or remove the item)."""
    flags = flags_of(item)
    hard = hard_flags(flags)
    if hard:
        raise refusal(ReviewRefusal,
                      f"this item cannot be accepted: {'; '.join(hard)} is an error, not a doubt; "
                      "fix the item and save it, or remove it",
                      f"此条不能直接接受：{'；'.join(flag_text(f, 'zh') for f in hard)}是错误，不是存疑；"
                      "请修改后保存，或删除此条")
    if flags and not (reason or "").strip():
        raise refusal(ReviewRefusal, "write why you accept this flag in the reason box, then accept",
                      "请先在“接受理由”中写明为什么接受这条提示，再点接受")
    if hasattr(item, "flags"):
        item.flags = []
    why = f": {reason.strip()}" if flags else ""
    return f"accepted {ref.body}" + (f" (flags: {'; '.join(flags)}){why}" if flags else "")


_FLAG_ZH = {
    "empty stem": "题干为空", "fewer than two options": "选项少于两个", "options are not distinct": "选项重复",
    "an answer is not one of the options": "答案不在选项中", "single choice needs exactly one key": "单选题须有且只有一个答案",
    "multiple choice has no key": "多选题没有答案", "true/false answer must be": "判断题答案须为 true 或 false",
    "short answer has no reference answer": "简答题没有参考答案", "citation to unknown transcript": "出处指向不存在的转写稿",
    "citation to unknown chunk": "出处指向不存在的片段", "quote is not verbatim": "引文与原文不一致",
    "quoted span is not inside any chunk": "引文不在任何片段内", "citation has an empty quote": "出处引文为空",
    "duplicate of": "与另一题重复", "no citation": "没有出处", "empty lesson": "空课时",
    "answer not supported by the cited quote": "答案得不到引文支持", "point not supported by its quote": "要点得不到引文支持",
    "cites unknown knowledge unit": "引用了不存在的知识单元",
}


def flag_text(flag: str, lang: str) -> str:
    """A validator flag in the reviewer's language."""
    if lang == "en":
        return flag
    return next((zh + flag[len(en):] for en, zh in _FLAG_ZH.items() if flag.startswith(en)), flag)


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
    span = source_spans(ctx, [citation], context)[0]
    if span is None:
        raise NotFoundError(f"no transcript {citation.transcript_id!r}; run `shifu transcripts ls` to see the ids")
    return span


def source_spans(ctx: Context, citations: Sequence[Citation], context: int = 240) -> list[SourceSpan | None]:
    """The transcript around each citation, read together in two queries (None where it is gone).

    The chat shows every citation of an answer with its surroundings: one read for all of them, and
    no domain objects built for whole transcripts, costs an answer a fraction of one read each."""
    ids = sorted({c.transcript_id for c in citations})
    with ctx.unit_of_work() as s:
        titles = dict(s.execute(select(TranscriptRow.id, TranscriptRow.title).where(TranscriptRow.id.in_(ids))).all())
        turns: dict[str, list[tuple[str, int, int, str, float | None]]] = {tid: [] for tid in titles}
        for tid, text, a, b, speaker, t0 in s.execute(
                select(TurnRow.transcript_id, TurnRow.text, TurnRow.char_start, TurnRow.char_end, TurnRow.speaker,
                       TurnRow.start).where(TurnRow.transcript_id.in_(ids)).order_by(TurnRow.transcript_id, TurnRow.idx)):
            turns[tid].append((text, a, b, speaker, t0))
    texts = {tid: "\n".join(t[0] for t in found) for tid, found in turns.items()}  # as Transcript.text joins them
    out: list[SourceSpan | None] = []
    for c in citations:
        if c.transcript_id not in titles:
            out.append(None)
            continue
        text = texts[c.transcript_id]
        start, end = max(0, int(c.start)), min(len(text), int(c.end))
        lo, hi = max(0, start - context), min(len(text), end + context)
        turn = next((x for x in turns[c.transcript_id] if x[1] <= start < x[2] + 1), None)
        out.append(SourceSpan(title=titles[c.transcript_id], speaker=turn[3] if turn else None,
                              time_s=turn[4] if turn else None, start=start, end=end, before=text[lo:start],
                              cited=text[start:end], after=text[end:hi], cut_before=lo > 0, cut_after=hi < len(text)))
    return out


def draft_entries(draft: CourseDraft) -> list[tuple[str, str, str]]:
    """The draft as (section, where, text) entries, the units a trainer compares item by item."""
    out = [("course", "", draft.title)]
    for i, m in enumerate(draft.modules, 1):
        out.append(("module", f"{i}", m.title))
        for j, lesson in enumerate(m.lessons, 1):
            out.append(("lesson", f"{i}.{j}", lesson.title))
            out += [("point", f"{i}.{j}.{k}", f"〔{kind_label(p.kind, draft.language)}〕{p.text}{_skills_said(p.skills, draft.language)}")
                    for k, p in enumerate(lesson.points, 1)]
    for n, q in enumerate(draft.quiz, 1):
        keys = "; ".join(q.answer)
        out.append(("quiz", f"Q{n}", f"{q.stem} | {' / '.join(q.options)} | {keys} | {q.explanation}".strip(" |")
                    + _skills_said(q.skills, draft.language)))
    out += [("follow_up", f"F{n}", f.question) for n, f in enumerate(draft.follow_up_questions, 1)]
    return out


def _skills_said(names: list[str], language: str) -> str:
    """An item's skills as its diff line ends, in the course's language."""
    if not names:
        return ""
    return f" ［技能：{'、'.join(names)}］" if language == "zh" else f" [skills: {', '.join(names)}]"


def compare(old: CourseDraft, new: CourseDraft) -> list[tuple[str, Change]]:
    """(section, change) for every item added, removed or changed between two drafts."""
    a, b = draft_entries(old), draft_entries(new)
    out: list[tuple[str, Change]] = []
    for section in ("course", "module", "lesson", "point", "quiz", "follow_up"):
        old_items = [(w, t) for sec, w, t in a if sec == section]
        new_items = [(w, t) for sec, w, t in b if sec == section]
        out += [(section, c) for c in pair_up(old_items, new_items)]
    return out


def diff_items(ctx: Context, course_id: str, a: int, b: int) -> list[tuple[str, Change]]:
    """What changed from version a to version b of a course, item by item."""
    _, old = get_course(ctx, course_id, int(a))
    _, new = get_course(ctx, course_id, int(b))
    return compare(old, new)


def diff(ctx: Context, course_id: str, a: int, b: int) -> str:
    """What changed between two versions of a course, as text ('' when nothing did)."""
    rows = diff_items(ctx, course_id, a, b)
    return "\n".join(f"{section} {line}" for section, c in rows for line in as_text([c]).splitlines())


def move(ctx: Context, course_id: str, status: str, by: str | None, role: str = "trainer") -> CourseEntry:
    """Move the latest version along draft -> in review -> published; 'unpublish' takes the live one away.

    Only the course's own trainer or an admin may unpublish.
    """
    if status == "unpublish":
        entry = course_status(ctx, course_id)
        if entry is not None and role != "admin" and entry.created_by not in (None, by):
            raise refusal(PermissionDenied, "only the trainer who made this course or an admin may unpublish it",
                          "只有这门课程的内训师或管理员可以撤下发布")
        unpublish(ctx, course_id, by)
    elif status == "draft" and (entry := course_status(ctx, course_id)) and entry.latest_status != "in_review":
        raise refusal(ReviewRefusal, "only a version in review can be sent back to draft; to take the course "
                      "away from workers, unpublish it", "只有审核中的版本才能退回草稿；要让学员看不到这门课程，请点“撤下发布”")
    else:
        set_status(ctx, course_id, status, by=by)
    entry = course_status(ctx, course_id)
    assert entry is not None
    return entry


# --- the outline editor ----------------------------------------------------------------------

OUTLINE_ACTIONS = ("rename", "up", "down", "add", "delete", "merge", "split")


def outline_keys(draft: CourseDraft) -> list[str]:
    """Every item the outline editor can select, in reading order."""
    keys = ["c:"]
    for i, m in enumerate(draft.modules):
        keys.append(f"m:{i}")
        for j, lesson in enumerate(m.lessons):
            keys.append(f"l:{i}.{j}")
            keys += [f"p:{i}.{j}.{k}" for k in range(len(lesson.points))]
    keys += [f"q:{q.id}" for q in draft.quiz]
    keys += [f"f:{n}" for n in range(len(draft.follow_up_questions))]
    return keys


def change_outline(ctx: Context, course_id: str, version: int | None, key: str, action: str, text: str,
                   by: str | None) -> tuple[int, str, str]:
    """One outline edit saved as the next version: (number, note, the key of the item selected afterwards).

    rename: course, module or lesson title (or the text of a point, quiz stem, follow-up);
    up/down: move an item within its list (a lesson or point crosses into the neighbouring module or lesson);
    add: a new lesson, point or quiz item after the selected one; delete; merge: a lesson with the next one;
    split: a lesson before the selected point. Lesson texts are rebuilt from their points.
    """
    if action not in OUTLINE_ACTIONS:
        raise refusal(ReviewRefusal, f"{action!r} is not an outline action", f"没有“{action}”这种大纲操作")
    with ctx.unit_of_work():
        _number, draft = load(ctx, course_id, version)
        if key not in outline_keys(draft):
            raise refusal(ReviewRefusal, "pick an item in the outline first", "请先在大纲中选择一个条目")
        new_key = _OUTLINE[action](draft, key, (text or "").strip())
        refresh_lesson_texts(ctx, draft)
        shown = text.strip()[:40] if action in ("rename", "add", "split") and text.strip() else ""
        note = f"{action} {key.split(':', 1)[1] or 'course'}" + (f": {shown}" if shown else "")
        return save_version(ctx, course_id, draft, created_by=by, note=note), note, new_key


def _nums(key: str) -> list[int]:
    body = key.split(":", 1)[1]
    return [int(x) for x in body.split(".")] if body and key[0] in "mlpf" else []


def _need(cond: bool, en: str, zh: str) -> None:
    if not cond:
        raise refusal(ReviewRefusal, en, zh)


def _rename(draft: CourseDraft, key: str, text: str) -> str:
    _need(bool(text), "type the new name first", "请先输入新名称")
    kind, n = key[0], _nums(key)
    if kind == "c":
        draft.title = text
    elif kind == "m":
        draft.modules[n[0]].title = text
    elif kind == "l":
        draft.modules[n[0]].lessons[n[1]].title = text
    elif kind == "p":
        draft.modules[n[0]].lessons[n[1]].points[n[2]].text = text
    elif kind == "q":
        item = ItemRef(key).get(draft)
        item.stem = text
        item.flags = quiz_flags(item)
    else:
        draft.follow_up_questions[n[0]].question = text
    return key


def _move(draft: CourseDraft, key: str, step: int) -> str:
    kind, n = key[0], _nums(key)
    if kind == "m":
        return f"m:{_shift(draft.modules, n[0], step)}"
    if kind == "q":
        _shift(draft.quiz, next(i for i, q in enumerate(draft.quiz) if q.id == key[2:]), step)
        return key
    if kind == "f":
        return f"f:{_shift(draft.follow_up_questions, n[0], step)}"
    if kind == "l":
        i, j = n
        lessons = draft.modules[i].lessons
        if 0 <= j + step < len(lessons) or not 0 <= i + step < len(draft.modules):
            return f"l:{i}.{_shift(lessons, j, step)}"
        lesson = lessons.pop(j)  # past the end of its module: into the neighbouring one
        target = draft.modules[i + step].lessons
        target.insert(len(target) if step < 0 else 0, lesson)
        return f"l:{i + step}.{target.index(lesson)}"
    _need(kind == "p", "the course title cannot be moved", "课程名称不能移动")
    i, j, k = n
    points = draft.modules[i].lessons[j].points
    if 0 <= k + step < len(points) or not 0 <= j + step < len(draft.modules[i].lessons):
        return f"p:{i}.{j}.{_shift(points, k, step)}"
    point = points.pop(k)  # past the end of its lesson: into the neighbouring lesson
    into = draft.modules[i].lessons[j + step].points
    into.insert(len(into) if step < 0 else 0, point)
    return f"p:{i}.{j + step}.{into.index(point)}"


def _shift(items: list[Any], at: int, step: int) -> int:
    to = min(max(at + step, 0), len(items) - 1)
    items.insert(to, items.pop(at))
    return to


def _add(draft: CourseDraft, key: str, text: str) -> str:
    kind, n = key[0], _nums(key)
    zh = draft.language == "zh"
    if kind in "cm":
        i = n[0] if n else 0
        if not draft.modules:
            draft.modules.append(Module(title=text or ("新单元" if zh else "New module")))
        draft.modules[i].lessons.append(Lesson(title=text or ("新课时" if zh else "New lesson")))
        return f"l:{i}.{len(draft.modules[i].lessons) - 1}"
    if kind == "l":
        i, j = n
        draft.modules[i].lessons.insert(j + 1, Lesson(title=text or ("新课时" if zh else "New lesson")))
        return f"l:{i}.{j + 1}"
    if kind == "p":
        i, j, k = n
        _need(bool(text), "type the new point's text first", "请先输入新要点的内容")
        draft.modules[i].lessons[j].points.insert(k + 1, Point(kind="fact", text=text))
        return f"p:{i}.{j}.{k + 1}"
    if kind == "q":
        at = next(i for i, q in enumerate(draft.quiz) if q.id == key[2:]) + 1
    else:
        at = len(draft.quiz)
    ids = {q.id for q in draft.quiz}
    new_id = next(f"q{n}" for n in range(len(ids) + 1, len(ids) + 1000) if f"q{n}" not in ids)
    item = QuizItem(id=new_id, type="single_choice", stem=text)
    item.flags = quiz_flags(item)  # an empty new item is an error until the trainer writes it
    draft.quiz.insert(at, item)
    return f"q:{new_id}"


def _delete(draft: CourseDraft, key: str, _text: str) -> str:
    kind, n = key[0], _nums(key)
    _need(kind != "c", "the course itself cannot be deleted here", "不能在这里删除整门课程")
    if kind == "m":
        del draft.modules[n[0]]
        return f"m:{n[0] - 1}" if n[0] else "c:"
    keys = outline_keys(draft)
    before = keys[keys.index(key) - 1]
    ItemRef(key).remove(draft)
    return before if before in outline_keys(draft) else "c:"


def _merge(draft: CourseDraft, key: str, _text: str) -> str:
    _need(key[0] == "l", "pick a lesson to merge with the next one", "请选择一个课时，与下一个课时合并")
    i, j = _nums(key)
    lessons = draft.modules[i].lessons
    _need(j + 1 < len(lessons), "this is the last lesson of its module; pick the one before it",
          "这是本单元最后一个课时，请选择它前面的课时来合并")
    nxt = lessons.pop(j + 1)
    lessons[j].points += nxt.points
    lessons[j].objectives += [o for o in nxt.objectives if o not in lessons[j].objectives]
    lessons[j].flags = [f for f in lessons[j].flags if f != "empty lesson"] if lessons[j].points else lessons[j].flags
    return key


def _split(draft: CourseDraft, key: str, text: str) -> str:
    _need(key[0] == "p", "pick the point where the new lesson should begin", "请选择新课时开始的那个要点")
    i, j, k = _nums(key)
    lesson = draft.modules[i].lessons[j]
    _need(k > 0, "the first point already begins the lesson; pick a later point", "第一个要点已是课时开头，请选择后面的要点")
    zh = draft.language == "zh"
    rest = Lesson(title=text or (f"{lesson.title}（续）" if zh else f"{lesson.title} (continued)"), points=lesson.points[k:])
    lesson.points = lesson.points[:k]
    draft.modules[i].lessons.insert(j + 1, rest)
    return f"l:{i}.{j + 1}"


_OUTLINE = {
    "rename": _rename, "add": _add, "delete": _delete, "merge": _merge, "split": _split,
    "up": lambda d, k, _t: _move(d, k, -1), "down": lambda d, k, _t: _move(d, k, 1),
}


def refresh_lesson_texts(ctx: Context, draft: CourseDraft) -> None:
    """Rebuild every lesson's text from its points, so an edited outline reads the same as its lessons."""
    speakers = _speakers(ctx, draft)
    for m in draft.modules:
        for lesson in m.lessons:
            lesson.content_md = lesson_text(lesson, speakers, draft.language)


def _speakers(ctx: Context, draft: CourseDraft, points: list[Point] | None = None) -> dict[tuple[str, int], str]:
    """Who said each cited span (of the course's points, or of the points given): (transcript id, start) ->
    speaker, read once per transcript."""
    out: dict[tuple[str, int], str] = {}
    if points is None:
        points = [p for m in draft.modules for lesson in m.lessons for p in lesson.points]
    cites = [c for p in points for c in p.citations]
    from shifu.errors import NotFoundError

    for tid in {c.transcript_id for c in cites}:
        try:
            turns = get_transcript(ctx, tid).turns
        except NotFoundError:
            continue
        for c in (c for c in cites if c.transcript_id == tid):
            turn = next((x for x in turns if x.char_start <= c.start < x.char_end + 1), None)
            if turn is not None and turn.speaker:
                out[(tid, int(c.start))] = turn.speaker
    return out


def lesson_text(lesson: Lesson, speakers: dict[tuple[str, int], str], language: str) -> str:
    """The lesson's Markdown from its points, in their order: each point, then where the master said it."""
    zh = language == "zh"
    lines: list[str] = []
    for p in lesson.points:
        lines += [f"**{kind_label(p.kind, language)}**{'：' if zh else ': '}{p.text}", ""]
        for c in p.citations:
            quote = " ".join(c.quote.split())
            credit = [x for x in (speakers.get((c.transcript_id, int(c.start)), ""), clock(c.t_start)) if x]
            said = (f"—— {'，'.join(credit)}" if zh else f"— {', '.join(credit)}") if credit else ""
            # the point is often the master's sentence itself: then only say who said it
            shown = said if quote == p.text.strip() else f"{quote} {said}".strip()
            if shown:
                lines += [f"> {shown}", ""]
    return "\n".join(lines).strip() + "\n" if lines else ""


# --- more from this interview ------------------------------------------------------------


@dataclass(frozen=True)
class LeftOutPassage:
    """A passage selection left out of the course, as the review screen lists it (best first)."""

    index: int
    kind: str
    text: str
    speaker: str
    time_s: float | None


def more_from_interview(ctx: Context, course_id: str, version: int | None) -> list[LeftOutPassage]:
    """What selection left out of a version, best first, with who said it and when."""
    with ctx.unit_of_work():
        _number, draft = load(ctx, course_id, version)
        said = _speakers(ctx, draft, draft.more_from_interview)
    out = []
    for n, p in enumerate(draft.more_from_interview):
        c = p.citations[0] if p.citations else None
        who = said.get((c.transcript_id, int(c.start)), "") if c else ""
        out.append(LeftOutPassage(n, p.kind, p.text, who, c.t_start if c else None))
    return out


def add_from_interview(ctx: Context, course_id: str, version: int | None, index: int, key: str,
                       by: str | None) -> tuple[int, str, str]:
    """A left-out passage made a point of the lesson picked in the outline (in the order it was said),
    saved as the next version: (number, note, the key of the new point)."""
    with ctx.unit_of_work():
        _number, draft = load(ctx, course_id, version)
        _need(key[:2] in ("l:", "p:") and key in outline_keys(draft),
              "pick a lesson (or one of its points) in the outline first", "请先在大纲中选择要加入的课时（或其中一个要点）")
        _need(0 <= index < len(draft.more_from_interview),
              "pick a passage from the list first", "请先在列表中选择一段")
        i, j = _nums(key)[:2]
        point = draft.more_from_interview.pop(index)
        points = draft.modules[i].lessons[j].points

        def start(p: Point) -> int:
            return min((c.start for c in p.citations), default=0)

        at = next((k for k, p in enumerate(points) if start(p) > start(point)), len(points))
        points.insert(at, point)
        refresh_lesson_texts(ctx, draft)
        note = f"add l:{i}.{j}: {point.text.strip()[:40]}"
        return save_version(ctx, course_id, draft, created_by=by, note=note), note, f"p:{i}.{j}.{at}"
