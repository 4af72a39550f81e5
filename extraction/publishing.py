"""Course storage and workflow for the CLI and the app.

Every save is a new version. The latest version moves draft -> in_review -> published. Editing a
published course makes a new draft version while the published one stays live for workers;
publishing the new version replaces the live one in one transaction. The course's status is
"published" while any version is live, else its latest version's status. Unpublishing takes the
live version away. Publishing needs the consent of every source transcript and no validator
flags left on the version (a trainer fixes, removes or, for soft flags, accepts each in review).
"""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select

from extraction.course import CourseDraft
from extraction.growth.skills import course_trade, tag_course
from rag.published import published_versions
from rag.visibility import mark_visibility, show_in_chroma
from shifu.context import Context
from shifu.errors import NotFoundError, ShifuError
from shifu.tables import CourseRow, CourseVersionRow, TranscriptRow
from shifu.timecode import clock

STATUSES = ("draft", "in_review", "published")
# A version's own status; "replaced" is a version that was live until a newer one was published.
VERSION_STATUSES = ("draft", "in_review", "published", "replaced")


def refusal(cls: type[ShifuError], en: str, zh: str, cli: str = "") -> ShifuError:
    """An error in both languages for the app (`.en`, `.zh`); str() adds the terminal's hint `cli`."""
    err = cls(f"{en}{cli}", zh=zh)
    err.en = en
    return err


class WorkflowError(ShifuError):
    """A status change the workflow does not allow, or publishing without consent."""


class CourseInfo(BaseModel):
    """One line of the course list."""

    id: str
    title: str
    language: str = "zh"
    status: str = "draft"
    published_version: int | None = None
    latest_version: int = 0
    engine: str = ""
    model: str | None = None
    template_versions: dict[str, str] = {}
    transcript_ids: list[str] = []
    quiz_items: int = 0
    flagged: int = 0
    created_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0  # the version this info describes (get_course)
    version_status: str = "draft"
    version_created_at: datetime | None = None  # when this version was saved (created_at is the course's)
    version_created_by: str | None = None  # who saved it
    note: str | None = None


def _course(s, course_id: str) -> CourseRow:
    row = s.get(CourseRow, course_id)
    if row is None:
        raise refusal(NotFoundError, f"there is no course {course_id!r}; pick one from the course list",
                      f"没有课程 {course_id}，请从课程列表中选择")
    return row


def _latest(s, course_id: str) -> int:
    return int(s.scalar(select(func.max(CourseVersionRow.number)).where(CourseVersionRow.course_id == course_id)) or 0)


def _version_row(s, course_id: str, number: int | None) -> CourseVersionRow:
    number = number or _latest(s, course_id)
    row = s.scalar(select(CourseVersionRow).where(CourseVersionRow.course_id == course_id,
                                                  CourseVersionRow.number == number))
    if row is None:
        raise refusal(NotFoundError, f"course {course_id!r} has no version {number}; pick one from its versions",
                      f"课程 {course_id} 没有第 {number} 版，请从版本列表中选择")
    return row


def _info(course: CourseRow, v: CourseVersionRow | None, latest: int) -> CourseInfo:
    data = v.data if v is not None else {}
    quiz = data.get("quiz", []) if isinstance(data, dict) else []
    return CourseInfo(
        id=course.id, title=course.title, language=course.language, status=course.status,
        published_version=course.published_version, latest_version=latest,
        engine=v.engine if v else "", model=v.model if v else None,
        template_versions=dict(v.template_versions or {}) if v else {},
        transcript_ids=list(v.transcript_ids or []) if v else [],
        quiz_items=len(quiz), flagged=len(open_flags(CourseDraft.model_validate(data))) if data else 0,
        created_by=course.created_by, created_at=course.created_at, updated_at=course.updated_at,
        version=v.number if v else 0, version_status=v.status if v else "draft",
        version_created_at=v.created_at if v else None, version_created_by=v.created_by if v else None,
        note=v.note if v else None,
    )


def create_course(
    ctx: Context, draft: CourseDraft, *, transcript_ids: Sequence[str], engine: str = "offline",
    model: str | None = None, template_versions: dict[str, str] | None = None,
    created_by: str | None = None, note: str | None = None,
) -> tuple[str, int]:
    """Store a new course with the draft as version 1 (status draft). Returns (course_id, 1)."""
    course_id = "course-" + uuid.uuid4().hex[:12]
    with ctx.unit_of_work() as s:
        s.add(CourseRow(id=course_id, title=draft.title, language=draft.language, status="draft",
                        created_by=created_by))
        s.flush()
        s.add(CourseVersionRow(course_id=course_id, number=1, status="draft", data=draft.model_dump(mode="json"),
                               engine=engine, model=model, template_versions=template_versions or {},
                               transcript_ids=list(transcript_ids), note=note, created_by=created_by))
    return course_id, 1


def save_version(
    ctx: Context, course_id: str, draft: CourseDraft, created_by: str | None = None,
    note: str | None = None, *, engine: str = "edit", model: str | None = None,
    template_versions: dict[str, str] | None = None,
) -> int:
    """Save an edited draft as the next version (status draft); returns its number."""
    with ctx.unit_of_work() as s:
        course = _course(s, course_id)
        latest = _latest(s, course_id)
        previous = _version_row(s, course_id, latest) if latest else None
        number = latest + 1
        s.add(CourseVersionRow(
            course_id=course_id, number=number, status="draft", data=draft.model_dump(mode="json"), engine=engine,
            model=model, template_versions=template_versions or {},
            transcript_ids=list(previous.transcript_ids or []) if previous else [src.transcript_id for src in draft.sources],
            note=note, created_by=created_by,
        ))
        course.title = draft.title
        course.language = draft.language
        if course.published_version is None:
            course.status = "draft"  # an edit after submission needs a new review
    return number


def list_courses(ctx: Context, status: str | None = None) -> list[CourseInfo]:
    """All courses (or those with this status), newest first, described by their latest version."""
    with ctx.unit_of_work() as s:
        query = select(CourseRow).order_by(CourseRow.updated_at.desc(), CourseRow.id)
        if status:
            query = query.where(CourseRow.status == status)
        out = []
        for course in s.scalars(query):
            latest = _latest(s, course.id)
            v = _version_row(s, course.id, latest) if latest else None
            out.append(_info(course, v, latest))
        return out


def get_course(ctx: Context, course_id: str, version: int | None = None) -> tuple[CourseInfo, CourseDraft]:
    """A course's info and one version of its draft (the latest when `version` is None)."""
    with ctx.unit_of_work() as s:
        course = _course(s, course_id)
        v = _version_row(s, course_id, version)
        return _info(course, v, _latest(s, course_id)), CourseDraft.model_validate(v.data)


def list_versions(ctx: Context, course_id: str) -> list[CourseInfo]:
    """Every version of a course, oldest first."""
    with ctx.unit_of_work() as s:
        course = _course(s, course_id)
        latest = _latest(s, course_id)
        rows = s.scalars(select(CourseVersionRow).where(CourseVersionRow.course_id == course_id)
                         .order_by(CourseVersionRow.number))
        return [_info(course, v, latest) for v in rows]


def missing_consent(ctx: Context, transcript_ids: Sequence[str]) -> list[str]:
    """Source transcripts (titles) without the master's consent, or no longer stored."""
    missing = []
    with ctx.unit_of_work() as s:
        for tid in transcript_ids:
            row = s.get(TranscriptRow, tid)
            if row is None:
                missing.append(f"{tid} (deleted)")
            elif not row.consent:
                missing.append(row.source_name or row.title)
    return missing


def open_flags(draft: CourseDraft) -> list[str]:
    """Validator flags still on lessons, points and quiz items, one 'where: flag' line per item."""
    found = []
    for i, m in enumerate(draft.modules, 1):
        for j, lesson in enumerate(m.lessons, 1):
            if lesson.flags:
                found.append(f"lesson {i}.{j}: {'; '.join(lesson.flags)}")
            found += [f"point {i}.{j}.{k}: {'; '.join(p.flags)}" for k, p in enumerate(lesson.points, 1) if p.flags]
    found += [f"{q.id}: {'; '.join(q.flags)}" for q in draft.quiz if q.flags]
    return found


def _refuse_flagged(course_id: str, number: int, flagged: list[str]) -> None:
    shown = ", ".join(flagged[:3]) + (f" and {len(flagged) - 3} more" if len(flagged) > 3 else "")
    raise refusal(
        WorkflowError,
        f"version {number} cannot be published: {len(flagged)} item(s) still carry validator flags ({shown}); "
        "fix or remove each in review (soft flags may be accepted with a reason), then publish",
        f"第 {number} 版不能发布：还有 {len(flagged)} 个条目带有校验提示（大纲中标 ⚠ 的条目）；请在审阅中逐条修改或删除"
        "（轻微提示可填写理由后接受），再发布",
    )


def _refuse(en: str, zh: str, cli: str = "") -> None:
    raise refusal(WorkflowError, en, zh, cli)


def set_status(ctx: Context, course_id: str, status: str, by: str | None = None) -> CourseInfo:
    """Move the latest version along draft -> in_review -> published, or send it back to draft.

    Publishing replaces the live version in the same transaction and is refused while an item
    carries validator flags (see open_flags) or a source transcript lacks the master's consent.
    "draft" on a course whose live version is its latest unpublishes it (what `courses unpublish` means).
    """
    if status not in STATUSES:
        _refuse(f"status {status!r} is not one of {', '.join(STATUSES)}", f"没有“{status}”这种状态")
    with ctx.unit_of_work() as s:
        course = _course(s, course_id)
        latest = _latest(s, course_id)
        v = _version_row(s, course_id, latest)
        if status == "draft" and v.status == "published":
            return unpublish(ctx, course_id, by)
        if status == v.status:
            _refuse(f"version {latest} of this course is already {status}", f"第 {latest} 版已经是“{_ZH[status]}”")
        if status == "published" and v.status != "in_review":
            _refuse(f"version {latest} must be submitted for review before it is published; submit it first",
                    f"第 {latest} 版需要先提交审核，才能发布；请先点“提交审核”")
        if status == "draft" and v.status != "in_review":
            _refuse(f"version {latest} is not in review, so it cannot be sent back", f"第 {latest} 版不在审核中，无需退回")
        concerned = _publish(ctx, s, course, v) if status == "published" else set()
        v.status = status
        course.status = "published" if course.published_version is not None else status
        info = _info(course, v, latest)
        mark_visibility(s, concerned)  # the chat's scope changes in the same transaction
    show_in_chroma(ctx, concerned)
    return info


_ZH = {"draft": "草稿", "in_review": "审核中", "published": "已发布", "replaced": "已被替换"}


def _publish(ctx: Context, s, course: CourseRow, v: CourseVersionRow) -> set[str]:
    """Make version v the live one; the version live until now becomes "replaced" (same transaction).

    Returns the transcripts whose visibility may change: the sources of both versions."""
    flagged = open_flags(CourseDraft.model_validate(v.data))
    if flagged:
        _refuse_flagged(course.id, v.number, flagged)
    missing = missing_consent(ctx, v.transcript_ids or [])
    if missing:
        _refuse(f"version {v.number} cannot be published: the master's consent is not recorded for "
                f"{', '.join(missing)}; record it in the transcript viewer first",
                f"第 {v.number} 版不能发布：{'、'.join(missing)} 还没有记录师傅的同意；请先在“查看转写稿”中记录同意",
                f" (or with `shifu transcripts consent {(v.transcript_ids or ['ID'])[0]} --yes`)")
    concerned = set(v.transcript_ids or [])
    for old in s.scalars(select(CourseVersionRow).where(CourseVersionRow.course_id == course.id,
                                                        CourseVersionRow.status == "published")):
        old.status = "replaced"
        concerned |= set(old.transcript_ids or [])
    course.published_version = v.number
    # mastery reads the live version's skills (as the trainer left them in review) from the tags
    tag_course(s, course.id, course_trade(s, course.id), CourseDraft.model_validate(v.data), replace=True)
    return concerned


def unpublish(ctx: Context, course_id: str, by: str | None = None) -> CourseInfo:
    """Take the live version away from workers; the course goes back to its latest version's status."""
    with ctx.unit_of_work() as s:
        course = _course(s, course_id)
        if course.published_version is None:
            _refuse("this course is not published, so there is nothing to unpublish", "这门课程尚未发布，无需撤下")
        concerned: set[str] = set()
        for row in s.scalars(select(CourseVersionRow).where(CourseVersionRow.course_id == course_id,
                                                            CourseVersionRow.status == "published")):
            row.status = "draft"
            concerned |= set(row.transcript_ids or [])
        course.published_version = None
        latest = _latest(s, course_id)
        v = _version_row(s, course_id, latest)
        course.status = v.status
        info = _info(course, v, latest)
        mark_visibility(s, concerned)
    show_in_chroma(ctx, concerned)
    return info


def courses_drafted_from(ctx: Context, transcript_id: str) -> list[CourseInfo]:
    """Courses with any version drafted from this transcript (published ones first)."""
    with ctx.unit_of_work() as s:
        ids = {v.course_id for v in s.scalars(select(CourseVersionRow))
               if transcript_id in (v.transcript_ids or [])}
        out = []
        for course_id in sorted(ids):
            course = _course(s, course_id)
            latest = _latest(s, course_id)
            out.append(_info(course, _version_row(s, course_id, latest), latest))
    return sorted(out, key=lambda c: c.status != "published")


def published_courses(ctx: Context) -> list[tuple[CourseInfo, CourseDraft]]:
    """Every published course with the draft of its published version (what workers may see)."""
    with ctx.unit_of_work() as s:
        out = []
        for course, v in s.execute(published_versions().order_by(CourseRow.id)):
            out.append((_info(course, v, _latest(s, course.id)), CourseDraft.model_validate(v.data)))
        return out


def render_text(draft: CourseDraft) -> str:
    """A readable plain-text rendering of a draft: what a diff compares."""
    lines = [f"# {draft.title}", f"language: {draft.language}  audience: {draft.audience}  level: {draft.level}"]
    lines += [f"objective: {o}" for o in draft.objectives]
    for src in draft.sources:
        lines.append(f"source: {src.title} ({src.expert}) [{src.transcript_id}]")
    for m in draft.modules:
        lines += ["", f"## {m.title}", m.summary]
        for lesson in m.lessons:
            lines += ["", f"### {lesson.title}"]
            lines += [f"objective: {o}" for o in lesson.objectives]
            lines += [f"flag: {f}" for f in lesson.flags]
            for p in lesson.points:
                where = ", ".join(f"{c.transcript_id}:{c.start}-{c.end} {clock(c.t_start)}".strip()
                                  for c in p.citations)
                lines.append(f"- [{p.kind}] {p.text}  ({where})")
                lines += [f"  flag: {f}" for f in p.flags]
    lines += ["", "## Quiz"]
    for q in draft.quiz:
        lines.append(f"{q.id} [{q.type}, {q.difficulty}, {q.bloom}] {q.stem}")
        for o in q.options:
            lines.append(f"  {'*' if o in q.answer else '-'} {o}")
        if not q.options:
            lines += [f"  answer: {a}" for a in q.answer]
        lines.append(f"  explanation: {q.explanation}")
        lines += [f"  flag: {f}" for f in q.flags]
    lines += ["", "## Follow-up questions"]
    lines += [f"- {f.question} ({f.reason})" for f in draft.follow_up_questions]
    return "\n".join(lines) + "\n"


def diff_versions(ctx: Context, course_id: str, v1: int, v2: int) -> str:
    """Unified diff of two versions' readable renderings ('' when they are the same)."""
    _, a = get_course(ctx, course_id, v1)
    _, b = get_course(ctx, course_id, v2)
    return "".join(difflib.unified_diff(render_text(a).splitlines(keepends=True),
                                        render_text(b).splitlines(keepends=True),
                                        fromfile=f"{course_id} v{v1}", tofile=f"{course_id} v{v2}"))
