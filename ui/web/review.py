"""Trainer review: outline tree, each item beside its source quote, edits saved as versions,
diffs, the draft -> in review -> published workflow, and exports."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from extraction import review
from extraction.course import CourseDraft, QuizItem
from rag.markdown import md_escape
from shifu.context import Context
from shifu.timecode import clock
from ui.web.common import (
    ADMIN,
    TRAINER,
    Screen,
    add_texts,
    esc,
    guarded,
    need,
    one_action,
    t,
)

add_texts({
    "t_review": ("审阅课程", "Review"),
    "t_versions": ("版本与发布", "Versions & publishing"),
    "t_export": ("导出", "Export"),
    "course": ("课程", "Course"),
    "version": ("版本", "Version"),
    "item": ("条目（要点 / 测验题 / 追问）", "Item (point / quiz item / follow-up)"),
    "item_text": ("内容 / 题干", "Text / stem"),
    "kind": ("类型", "Kind"),
    "options": ("选项（每行一个）", "Options (one per line)"),
    "answer": ("正确答案（每行一个；判断题写 true 或 false）", "Answer (one per line; true/false for T/F)"),
    "explanation": ("解析", "Explanation"),
    "citations": ("出处（点击查看原文）", "Sources (click to see the transcript)"),
    "accept": ("接受", "Accept"),
    "save_edit": ("保存修改", "Save edit"),
    "reject": ("删除此条", "Reject"),
    "regenerate": ("重新生成", "Regenerate"),
    "submit_review": ("提交审核", "Submit for review"),
    "publish": ("发布", "Publish"),
    "to_draft": ("退回草稿", "Back to draft"),
    "formats": ("导出格式", "Formats"),
    "export": ("导出", "Export"),
    "saved_v": ("已保存为第 {version} 版：{note}", "Saved as version {version}: {note}"),
    "status_now": ("状态：**{status}**（已发布版本：{published}）", "Status: **{status}** (published version: {published})"),
    "pick_item": ("请先选择一个条目。", "Pick an item first."),
    "no_course": ("请先选择课程。", "Pick a course first."),
    "exported": ("已导出 {n} 个文件。", "Exported {n} file(s)."),
    "left_out": ("{fmt}：略去了无法自动评分的题 {ids}", "{fmt}: left out items an LMS cannot score: {ids}"),
})

_STATUS = {"draft": ("草稿", "draft"), "in_review": ("审核中", "in review"), "published": ("已发布", "published")}


def status_name(status: str, lang: str) -> str:
    zh, en = _STATUS.get(status, (status, status))
    return en if lang == "en" else zh


# --- pickers -------------------------------------------------------------------------------


def course_choices(ctx: Context) -> list[tuple[str, str]]:
    return [(f"{c.title} [{c.status}] ({c.id[:8]})", c.id) for c in review.courses(ctx)]


def version_choices(ctx: Context, course_id: str) -> list[tuple[str, int]]:
    return [(f"v{v.number} · {v.engine} · {v.created_by or ''} · {(v.note or '')[:40]}", v.number)
            for v in review.versions(ctx, course_id)]


def course_pickers(ctx: Context, course_id: str, version: int) -> tuple:
    """Updates for the review screen's course and version pickers, pointing at one version."""
    return (gr.update(choices=course_choices(ctx), value=course_id),
            gr.update(choices=version_choices(ctx, course_id), value=int(version)))


# --- items ------------------------------------------------------------------------------


_flags = review.flags_of


def item_choices(draft: CourseDraft) -> list[tuple[str, str]]:
    out = []
    for i, m in enumerate(draft.modules):
        for j, lesson in enumerate(m.lessons):
            if _flags(lesson):  # listed so a trainer can accept, rename or reject it (publishing waits for that)
                out.append((f"{i + 1}.{j + 1} [lesson] {lesson.title[:28]} ⚠", f"l:{i}.{j}"))
            for k, p in enumerate(lesson.points):
                warn = " ⚠" if _flags(p) else ""
                out.append((f"{i + 1}.{j + 1}.{k + 1} [{p.kind}] {p.text[:28]}{warn}", f"p:{i}.{j}.{k}"))
    for n, q in enumerate(draft.quiz, 1):
        out.append((f"Q{n} [{q.type}] {q.stem[:28]}{' ⚠' if q.flags else ''}", f"q:{q.id}"))
    for n, f in enumerate(draft.follow_up_questions):
        out.append((f"F{n + 1} {f.question[:30]}", f"f:{n}"))
    return out


def outline_md(draft: CourseDraft, lang: str = "zh") -> str:
    """The course as a tree: modules, lessons, points (flags marked), then quiz and follow-ups."""
    lines = [f"### {md_escape(draft.title)}", ""]
    for i, m in enumerate(draft.modules, 1):
        lines.append(f"- **{i}. {md_escape(m.title)}**")
        for j, lesson in enumerate(m.lessons, 1):
            warn = " ⚠ " + md_escape("; ".join(_flags(lesson))) if _flags(lesson) else ""
            lines.append(f"  - {i}.{j} {md_escape(lesson.title)}{warn}")
            for k, p in enumerate(lesson.points, 1):
                warn = " ⚠ " + md_escape("; ".join(_flags(p))) if _flags(p) else ""
                lines.append(f"    - {i}.{j}.{k} \\[{md_escape(p.kind)}\\] {md_escape(p.text[:60])}{warn}")
    lines += ["", f"**{'测验' if lang == 'zh' else 'Quiz'}** ({len(draft.quiz)})", ""]
    for n, q in enumerate(draft.quiz, 1):
        warn = " ⚠ " + md_escape("; ".join(q.flags)) if q.flags else ""
        lines.append(f"- Q{n} \\[{q.type}\\] {md_escape(q.stem[:60])}{warn}")
    if draft.follow_up_questions:
        lines += ["", f"**{'下次访谈追问' if lang == 'zh' else 'Follow-up interview questions'}**", ""]
        for f in draft.follow_up_questions:
            lines.append(f"- {md_escape(f.question)} — *{md_escape(f.reason)}*")
    return "\n".join(lines)


def span_html(ctx: Context, citation: Any) -> str:
    """The transcript around a citation with the cited span highlighted."""
    from shifu.errors import NotFoundError

    try:
        span = review.source_span(ctx, citation)
    except NotFoundError as exc:
        return f"<p>{esc(exc)}</p>"
    who = f"{esc(span.speaker)} · {clock(span.time_s)}" if span.speaker is not None else ""
    body = (("…" if span.cut_before else "") + esc(span.before) + f"<mark id='cited-span'>{esc(span.cited)}</mark>"
            + esc(span.after) + ("…" if span.cut_after else ""))
    return (f"<div class='span-view'><p><b>{esc(span.title)}</b> {who} [{span.start}–{span.end}]</p>"
            f"<p style='white-space:pre-wrap'>{body}</p></div>")


class ReviewHandlers:
    """Review, versions, workflow and export handlers; each checks the caller's role first."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @guarded
    def courses(self, lang: str, request: gr.Request) -> Any:
        need(self.ctx, request, TRAINER, lang)
        return gr.update(choices=course_choices(self.ctx))

    @guarded
    def versions(self, course_id: str | None, lang: str, request: gr.Request) -> tuple:
        need(self.ctx, request, TRAINER, lang)
        if not course_id:
            return gr.update(choices=[], value=None), gr.update(choices=[]), gr.update(choices=[])
        choices = version_choices(self.ctx, course_id)
        latest = choices[-1][1] if choices else None
        older = choices[-2][1] if len(choices) > 1 else latest
        return (gr.update(choices=choices, value=latest), gr.update(choices=choices, value=older),
                gr.update(choices=choices, value=latest))

    @guarded
    def show(self, course_id: str | None, version: int | None, lang: str, request: gr.Request) -> tuple:
        """Outline, item list, follow-ups and workflow status of one version."""
        need(self.ctx, request, TRAINER, lang)
        if not course_id:
            return "", gr.update(choices=[], value=None), ""
        _number, draft = review.load(self.ctx, course_id, version)
        return outline_md(draft, lang), gr.update(choices=item_choices(draft), value=None), self._status(course_id, lang)

    def _status(self, course_id: str, lang: str) -> str:
        course = review.course_status(self.ctx, course_id)
        if course is None:
            return ""
        return t("status_now", lang, status=status_name(course.status, lang), published=course.published_version or "—")

    @guarded
    def open_item(self, course_id: str | None, version: int | None, key: str | None, lang: str,
                  request: gr.Request) -> tuple:
        """One item in the editor, its source quotes beside it, its validator flags."""
        need(self.ctx, request, TRAINER, lang)
        blank = ("", "", "", "", "", gr.update(choices=[], value=None), "", "", gr.update(visible=False))
        if not (course_id and key):
            return blank
        item = review.open_item(self.ctx, course_id, version, key)
        cites = list(getattr(item, "citations", []) or [])
        quotes = "\n\n".join(f"> [{n}] {md_escape(c.quote)}" for n, c in enumerate(cites, 1))
        flags = _flags(item)
        flags_md = ("⚠ " + "；".join(md_escape(f) for f in flags)) if flags else "✓"
        cite_choices = [(f"[{n}] {c.quote[:24]}…", n - 1) for n, c in enumerate(cites, 1)]
        pick = gr.update(choices=cite_choices, value=0 if cites else None)
        if isinstance(item, QuizItem):
            return (item.stem, item.type, "\n".join(item.options), "\n".join(item.answer), item.explanation,
                    pick, quotes, flags_md, gr.update(visible=True))
        text = getattr(item, "text", None) or getattr(item, "question", None) or getattr(item, "title", "")
        kind = getattr(item, "kind", None) or ("lesson" if key.startswith("l:") else "follow-up")
        extra = getattr(item, "reason", "")
        return (text, kind, "", "", extra, pick, quotes, flags_md, gr.update(visible=False))

    @guarded
    def show_span(self, course_id: str | None, version: int | None, key: str | None, n: int | None, lang: str,
                  request: gr.Request) -> str:
        """The transcript around the chosen citation, the cited words highlighted."""
        need(self.ctx, request, TRAINER, lang)
        if not (course_id and key) or n is None:
            return ""
        cites = review.citations_of(review.open_item(self.ctx, course_id, version, key))
        return span_html(self.ctx, cites[int(n)]) if 0 <= int(n) < len(cites) else ""

    def _saved(self, course_id: str, number: int, note: str, lang: str) -> tuple:
        return (t("saved_v", lang, version=number, note=note),
                *course_pickers(self.ctx, course_id, number))

    @guarded
    @one_action
    def edit(self, course_id: str | None, version: int | None, key: str | None, text: str, kind: str,
             options: str, answer: str, explanation: str, action: str, lang: str, request: gr.Request) -> tuple:
        """Accept, save an edit, or reject one item; each saves a new version."""
        user = need(self.ctx, request, TRAINER, lang)
        if not course_id:
            raise gr.Error(t("no_course", lang))
        if not key:
            raise gr.Error(t("pick_item", lang))
        edit = review.ItemEdit(text=text, kind=kind, options=options, answer=answer, explanation=explanation)
        number, note = review.edit_item(self.ctx, course_id, version, key, action, edit, user.username)
        return self._saved(course_id, number, note, lang)

    @guarded
    def regenerate(self, course_id: str | None, version: int | None, key: str | None, lang: str,
                   request: gr.Request) -> tuple:
        """A new version of one item: written by the LLM when one is configured, else rebuilt offline."""
        user = need(self.ctx, request, TRAINER, lang)
        if not (course_id and key):
            raise gr.Error(t("pick_item", lang))
        number, note = review.regenerate(self.ctx, course_id, version, key, user.username)
        return self._saved(course_id, number, note, lang)

    @guarded
    def diff(self, course_id: str | None, a: int | None, b: int | None, lang: str, request: gr.Request) -> str:
        need(self.ctx, request, TRAINER, lang)
        if not (course_id and a and b):
            return ""
        return review.diff(self.ctx, course_id, int(a), int(b))

    @guarded
    @one_action
    def set_status(self, course_id: str | None, status: str, lang: str, request: gr.Request) -> str:
        """Move the course along draft -> in review -> published (publishing needs consent)."""
        user = need(self.ctx, request, ADMIN if status == "unpublish" else TRAINER, lang)
        if not course_id:
            raise gr.Error(t("no_course", lang))
        review.move(self.ctx, course_id, status, user.username)
        return self._status(course_id, lang)

    @guarded
    def export(self, course_id: str | None, version: int | None, formats: list[str] | None, lang: str,
               request: gr.Request) -> tuple:
        """Write the chosen formats to a fresh temporary folder and hand them to the download box."""
        need(self.ctx, request, TRAINER, lang)
        from extraction.export import FORMATS, export_course, unusable_items

        if not course_id:
            raise gr.Error(t("no_course", lang))
        _number, draft = review.load(self.ctx, course_id, version)
        out = Path(tempfile.mkdtemp(prefix="shifu-export-"))
        paths, notes = [], []
        for fmt in formats or list(FORMATS):
            paths.append(str(export_course(draft, fmt, out, leave_out_unusable=True)))
            left = unusable_items(draft) if getattr(FORMATS[fmt], "for_lms", False) else {}
            if left:
                notes.append(t("left_out", lang, fmt=fmt, ids=", ".join(left)))
        return "\n\n".join([t("exported", lang, n=len(paths)), *notes]), paths


@dataclass
class ReviewParts:
    pickers: list[Any]  # [course, version]: what a new draft updates


def build(screen: Screen) -> ReviewParts:
    """The review, versions and export tabs (inside the trainer tab)."""
    from extraction.export import FORMATS

    h = ReviewHandlers(screen.ctx)
    lang = screen.lang
    with gr.Tab(t("t_review"), elem_id="t-tab-review") as tab_review:
        with gr.Row():
            course = screen.label(gr.Dropdown([], label=t("course"), elem_id="r-course"), "course")
            version = screen.label(gr.Dropdown([], label=t("version"), elem_id="r-version"), "version")
        status = gr.Markdown("", elem_id="r-status")
        with gr.Row():
            with gr.Column(scale=1):
                outline = gr.Markdown("", elem_id="r-outline")
            with gr.Column(scale=1):
                item = screen.label(gr.Dropdown([], label=t("item"), elem_id="r-item"), "item")
                text = screen.label(gr.Textbox(label=t("item_text"), lines=2, elem_id="r-text"), "item_text")
                kind = screen.label(gr.Textbox(label=t("kind"), elem_id="r-kind"), "kind")
                with gr.Group(visible=False) as quiz_box:
                    options = screen.label(gr.Textbox(label=t("options"), lines=4, elem_id="r-options"), "options")
                    answer = screen.label(gr.Textbox(label=t("answer"), lines=2, elem_id="r-answer"), "answer")
                explanation = screen.label(gr.Textbox(label=t("explanation"), lines=2, elem_id="r-explanation"),
                                           "explanation")
                flags = gr.Markdown("", elem_id="r-flags")
                with gr.Row():
                    b_accept = screen.btn(gr.Button(t("accept"), elem_id="r-accept"), "accept")
                    b_save = screen.btn(gr.Button(t("save_edit"), variant="primary", elem_id="r-save"), "save_edit")
                    b_reject = screen.btn(gr.Button(t("reject"), variant="stop", elem_id="r-reject"), "reject")
                    b_regen = screen.btn(gr.Button(t("regenerate"), elem_id="r-regen"), "regenerate")
            with gr.Column(scale=1):
                quotes = gr.Markdown("", elem_id="r-quotes")
                cite = screen.label(gr.Radio([], label=t("citations"), type="value", elem_id="r-cite"), "citations")
                span = gr.HTML("", elem_id="r-span")
        saved = gr.Markdown("", elem_id="r-saved")
    with gr.Tab(t("t_versions"), elem_id="t-tab-versions") as tab_versions:
        with gr.Row():
            v_a = screen.label(gr.Dropdown([], label="A"), "ver_a")
            v_b = screen.label(gr.Dropdown([], label="B"), "ver_b")
            b_diff = screen.btn(gr.Button(t("diff"), elem_id="r-diff-btn"), "diff")
        diff_out = gr.Code("", language=None, interactive=False, elem_id="r-diff")
        wf_status = gr.Markdown("", elem_id="r-wf-status")
        with gr.Row():
            b_review = screen.btn(gr.Button(t("submit_review"), elem_id="r-submit-review"), "submit_review")
            b_publish = screen.btn(gr.Button(t("publish"), variant="primary", elem_id="r-publish"), "publish")
            b_back = screen.btn(gr.Button(t("to_draft"), elem_id="r-to-draft"), "to_draft")
            b_unpub = screen.btn(gr.Button(t("unpublish"), variant="stop", elem_id="r-unpublish"), "unpublish")
    with gr.Tab(t("t_export"), elem_id="t-tab-export") as tab_export:
        formats = screen.label(gr.CheckboxGroup(list(FORMATS), value=list(FORMATS), label=t("formats"),
                                                elem_id="r-formats"), "formats")
        b_export = screen.btn(gr.Button(t("export"), variant="primary", elem_id="r-export"), "export")
        exported = gr.Markdown("", elem_id="r-exported")
        files = gr.File(file_count="multiple", interactive=False, elem_id="r-files")
    for tab, key in ((tab_review, "t_review"), (tab_versions, "t_versions"), (tab_export, "t_export")):
        screen.tab(tab, key)

    tab_review.select(h.courses, lang, course, api_name="trainer_courses")
    course.change(h.versions, [course, lang], [version, v_a, v_b], api_name="trainer_versions")
    version.change(h.show, [course, version, lang], [outline, item, status], api_name="trainer_show_version")
    editor = [text, kind, options, answer, explanation, cite, quotes, flags, quiz_box]
    item.change(h.open_item, [course, version, item, lang], editor, api_name="trainer_open_item")
    cite.change(h.show_span, [course, version, item, cite, lang], span, api_name="trainer_show_span")
    fields = [course, version, item, text, kind, options, answer, explanation]
    for btn, action in ((b_accept, "accept"), (b_save, "save"), (b_reject, "reject")):
        btn.click(h.edit, [*fields, gr.State(action), lang], [saved, course, version],
                  api_name=f"trainer_{action}_item")
    b_regen.click(h.regenerate, [course, version, item, lang], [saved, course, version],
                  api_name="trainer_regenerate_item", concurrency_id="draft", concurrency_limit=1)
    b_diff.click(h.diff, [course, v_a, v_b, lang], diff_out, api_name="trainer_diff")
    for btn, st in ((b_review, "in_review"), (b_publish, "published"), (b_back, "draft"),
                    (b_unpub, "unpublish")):
        btn.click(h.set_status, [course, gr.State(st), lang], wf_status,
                  api_name="admin_unpublish_course" if st == "unpublish" else f"trainer_status_{st}")
    tab_versions.select(h.versions, [course, lang], [version, v_a, v_b], api_name="trainer_versions_tab")
    b_export.click(h.export, [course, version, formats, lang], [exported, files], api_name="trainer_export")
    return ReviewParts(pickers=[course, version])
