"""Trainer review: outline tree, each item beside its source quote, edits saved as versions,
diffs, the draft -> in review -> published workflow, and exports."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from extraction import review
from extraction.course import POINT_KINDS, CourseDraft, QuizItem, kind_label
from extraction.validate import is_hard
from rag.markdown import md_escape
from shifu.context import Context
from shifu.errors import ShifuError
from shifu.timecode import clock
from ui.web.common import (
    DIFF_CSS,
    TRAINER,
    Screen,
    add_texts,
    changes_html,
    esc,
    friendly_text,
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
    "outline": ("课程大纲（点击选择条目）", "Outline (click an item)"),
    "item_text": ("内容 / 题干", "Text / stem"),
    "kind": ("要点类型", "Point kind"),
    "options": ("选项（每行一个）", "Options (one per line)"),
    "answer": ("正确答案（每行一个；判断题写 true 或 false）", "Answer (one per line; true/false for T/F)"),
    "explanation": ("解析", "Explanation"),
    "reason": ("接受理由（接受存疑提示时必填）", "Reason (needed to accept a flag)"),
    "citations": ("出处（点击查看原文）", "Sources (click to see the transcript)"),
    "accept": ("接受", "Accept"),
    "save_edit": ("保存修改", "Save edit"),
    "reject": ("删除此条", "Reject"),
    "regenerate": ("重新生成", "Regenerate"),
    "submit_review": ("提交审核", "Submit for review"),
    "publish": ("发布", "Publish"),
    "to_draft": ("退回草稿", "Back to draft"),
    "unpublish_course": ("撤下发布", "Unpublish"),
    "formats": ("导出格式", "Formats"),
    "ex_files": ("导出的文件（点击下载）", "Exported files (click to download)"),
    "export": ("导出", "Export"),
    "ol_text": ("新名称 / 新内容", "New name / text"),
    "ol_rename": ("重命名", "Rename"),
    "ol_up": ("上移", "Move up"),
    "ol_down": ("下移", "Move down"),
    "ol_add": ("在其后新增", "Add after"),
    "ol_delete": ("删除", "Delete"),
    "ol_merge": ("与下一课时合并", "Merge with next lesson"),
    "ol_split": ("从此要点拆分", "Split here"),
    "rv_old": ("旧版本", "Older version"),
    "rv_new": ("新版本", "Newer version"),
    "diff": ("对比", "Compare"),
    "saved_v": ("✓ 已保存为第 {version} 版：{note}", "✓ Saved as version {version}: {note}"),
    "head": ("课程：**{title}** · 正在查看：第 {version} 版（{vstatus}） · 学员看到：{live} · 最新：第 {latest} 版（{lstatus}）",
             "Course: **{title}** · viewing version {version} ({vstatus}) · workers see: {live} · "
             "latest: version {latest} ({lstatus})"),
    "live_v": ("第 {n} 版", "version {n}"),
    "live_none": ("未发布", "not published"),
    "pick_item": ("请先在大纲中选择一个条目。", "Pick an item in the outline first."),
    "no_course": ("请先选择课程。", "Pick a course first."),
    "not_here": ("课程和单元请用左侧的“重命名”修改。", "Rename courses and modules with Rename on the left."),
    "exported": ("已导出 {n} 个文件。", "Exported {n} file(s)."),
    "left_out": ("{fmt}：略去了无法自动评分的题 {ids}", "{fmt}: left out items an LMS cannot score: {ids}"),
    "sec_course": ("课程名称", "Course title"),
    "sec_module": ("单元", "Module"),
    "sec_lesson": ("课时", "Lesson"),
    "sec_point": ("要点", "Point"),
    "sec_quiz": ("测验题", "Quiz item"),
    "sec_follow_up": ("追问", "Follow-up"),
    "flag_hard": ("错误（须修改或删除）", "error (fix or remove)"),
    "flag_soft": ("存疑（可填写理由后接受）", "doubt (may be accepted with a reason)"),
    "ok": ("✓ 无校验提示", "✓ no flags"),
    "r_skills": ("技能（可从工种技能表中选，或输入新名称后回车；点 × 删除）",
               "Skills (pick from the trade's list, or type a new name and press Enter; × removes)"),
    "r_save_skills": ("保存技能", "Save skills"),
    "more_title": ("更多访谈内容", "More from this interview"),
    "more": ("未选入课程的片段（最好的在前；选一段，再在大纲中选课时）",
             "Passages not in the course (best first; pick one, then a lesson in the outline)"),
    "more_add": ("加入大纲中所选的课时", "Add to the lesson picked in the outline"),
    "more_count": ("还有 {n} 段未选入课程。", "{n} passage(s) left out of the course."),
    "more_none": ("这一版没有未选入的片段。", "This version left nothing out."),
})

_STATUS = {"draft": ("草稿", "draft"), "in_review": ("审核中", "in review"), "published": ("已发布", "published"),
           "replaced": ("已被替换", "replaced")}
_ENGINE = {"offline": ("离线起草", "drafted offline"), "llm": ("大模型起草", "drafted by the LLM"),
           "edit": ("修改", "edit")}
_QUIZ = {"single_choice": ("单选", "single choice"), "multiple_choice": ("多选", "multiple choice"),
         "true_false": ("判断", "true/false"), "short_answer": ("简答", "short answer")}


def status_name(status: str, lang: str) -> str:
    zh, en = _STATUS.get(status, (status, status))
    return en if lang == "en" else zh


def _word(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    zh, en = table.get(key, (key, key))
    return en if lang == "en" else zh


# --- pickers -------------------------------------------------------------------------------


def course_choices(ctx: Context, lang: str = "zh") -> list[tuple[str, str]]:
    return [(f"{c.title}（{status_name(c.status, lang)}）" if lang == "zh" else f"{c.title} ({status_name(c.status, lang)})",
             c.id) for c in review.courses(ctx)]


# The first word of a note the review service writes, as the picker shows it in Chinese.
_NOTE_ZH = {"edited": "修改", "skills": "技能", "accepted": "接受", "rejected": "删除", "regenerated": "重新生成", "rename": "重命名",
            "up": "上移", "down": "下移", "add": "新增", "delete": "删除", "merge": "合并", "split": "拆分"}


# The note extraction/drafting.py writes on a first draft (the engine is shown beside it).
_DRAFT_NOTE = re.compile(r"\w+ draft: (\d+) quiz items, (\d+) flagged problem\(s\)(?:, (\d+) model output)?")


def note_text(note: str | None, lang: str) -> str:
    """A version's note in the reviewer's language (its first word is the action)."""
    word, _, rest = (note or "").partition(" ")
    drafted = _DRAFT_NOTE.match(note or "")
    if lang != "en" and drafted:
        items, flagged, rejected = drafted.groups()
        return f"起草：{items} 道测验题，{flagged} 处校验提示" + (f"，{rejected} 处模型输出被退回" if rejected else "")
    if lang == "en" or word not in _NOTE_ZH:
        return note or ""
    if rest.startswith("course"):  # "rename course: …" names the course itself
        rest = "课程" + rest[len("course"):]
    return f"{_NOTE_ZH[word]} {rest.replace('(flags:', '（提示：').replace(')', '）')}"


def version_choices(ctx: Context, course_id: str, lang: str = "zh") -> list[tuple[str, int]]:
    out = []
    for v in review.versions(ctx, course_id):
        parts = [f"v{v.number}", status_name(v.status, lang), _word(_ENGINE, v.engine, lang), v.created_by or "",
                 note_text(v.note, lang)[:40]]
        out.append((" · ".join(x for x in parts if x), v.number))
    return out


def course_pickers(ctx: Context, course_id: str, version: int, lang: str = "zh") -> tuple:
    """Updates for the review screen's course and version pickers, pointing at one version."""
    return (gr.update(choices=course_choices(ctx, lang), value=course_id),
            gr.update(choices=version_choices(ctx, course_id, lang), value=int(version)))


def head(ctx: Context, course_id: str | None, version: int | None, lang: str) -> str:
    """Which course and version a screen acts on, and the server's workflow status."""
    entry = review.course_status(ctx, course_id) if course_id else None
    if entry is None or not course_id:
        return t("no_course", lang)
    shown = int(version) if version else entry.latest_version
    vstatus = next((v.status for v in review.versions(ctx, course_id) if v.number == shown), "draft")
    live = t("live_v", lang, n=entry.published_version) if entry.published_version else t("live_none", lang)
    return t("head", lang, title=md_escape(entry.title), version=shown, vstatus=status_name(vstatus, lang),
             live=live, latest=entry.latest_version, lstatus=status_name(entry.latest_status, lang))


# --- items ------------------------------------------------------------------------------


_flags = review.flags_of


def tree_choices(draft: CourseDraft, lang: str = "zh") -> list[tuple[str, str]]:
    """The outline as clickable entries: course, modules, lessons, points, quiz items, follow-ups."""
    def warn(item: Any) -> str:
        return " ⚠" if _flags(item) else ""

    out = [(f"【{'课程' if lang == 'zh' else 'Course'}】{draft.title}", "c:")]
    for i, m in enumerate(draft.modules):
        out.append((f"{i + 1}. {m.title}", f"m:{i}"))
        for j, lesson in enumerate(m.lessons):
            out.append((f"\u3000{i + 1}.{j + 1} {lesson.title}{warn(lesson)}", f"l:{i}.{j}"))
            for k, p in enumerate(lesson.points):
                out.append((f"\u3000\u3000{i + 1}.{j + 1}.{k + 1}〔{kind_label(p.kind, lang)}〕{p.text[:36]}{warn(p)}",
                            f"p:{i}.{j}.{k}"))
    for n, q in enumerate(draft.quiz, 1):
        out.append((f"Q{n}〔{_word(_QUIZ, q.type, lang)}〕{q.stem[:36]}{warn(q)}", f"q:{q.id}"))
    for n, f in enumerate(draft.follow_up_questions, 1):
        out.append((f"F{n}〔{'追问' if lang == 'zh' else 'follow-up'}〕{f.question[:36]}", f"f:{n - 1}"))
    return out


def flags_md(flags: list[str], lang: str) -> str:
    """Each flag with its severity in the reviewer's language."""
    if not flags:
        return t("ok", lang)
    return "\n".join(f"- ⚠ **{t('flag_hard' if is_hard(f) else 'flag_soft', lang)}**：{md_escape(review.flag_text(f, lang))}"
                     for f in flags)


# The outline is one column that scrolls down: without nowrap, a column-direction flexbox with a
# max-height wraps its entries into further columns, which spill out of the list to the left.
_DIFF_STYLE = ("<style>" + DIFF_CSS + "#r-tree .wrap{flex-direction:column;flex-wrap:nowrap;align-items:stretch;gap:0;"
               "max-height:560px;overflow-y:auto;overflow-x:hidden}"
               "#r-tree label{width:auto;max-width:100%;box-sizing:border-box;flex:none;white-space:normal;"
               "padding:2px 6px;font-size:13px;min-height:0}"
               "#r-tree label.selected{background:#ffedd5}"
               "#r-more .wrap{flex-direction:column;flex-wrap:nowrap;align-items:stretch;gap:0;max-height:360px;overflow-y:auto;overflow-x:hidden}"
               "#r-more label{width:auto;max-width:100%;box-sizing:border-box;flex:none;white-space:normal;padding:2px 6px;font-size:13px;min-height:0}"
               "#r-more label.selected{background:#dcfce7}</style>")


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
    return (f"<div class='span-view'><p><b>{esc(span.title)}</b> {who}</p>"
            f"<p style='white-space:pre-wrap'>{body}</p></div>")


def refused(exc: Exception, lang: str) -> tuple:
    """A refusal shown where the result of the action goes; the pickers and the outline stay as they are."""
    return f"⚠ {md_escape(friendly_text(exc, lang))}", gr.skip(), gr.skip(), gr.skip()


class ReviewHandlers:
    """Review, outline, versions, workflow and export handlers; each checks the caller's role first."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @guarded
    def courses(self, lang: str, request: gr.Request) -> Any:
        need(self.ctx, request, TRAINER, lang)
        return gr.update(choices=course_choices(self.ctx, lang))

    @guarded
    def versions(self, course_id: str | None, lang: str, request: gr.Request) -> tuple:
        need(self.ctx, request, TRAINER, lang)
        if not course_id:
            return gr.update(choices=[], value=None), gr.update(choices=[]), gr.update(choices=[])
        choices = version_choices(self.ctx, course_id, lang)
        latest = choices[-1][1] if choices else None
        older = choices[-2][1] if len(choices) > 1 else latest
        return (gr.update(choices=choices, value=latest), gr.update(choices=choices, value=older),
                gr.update(choices=choices, value=latest))

    @guarded
    def show(self, course_id: str | None, version: int | None, key: str | None, lang: str,
             request: gr.Request) -> tuple:
        """The clickable outline of one version (the selection kept when the item is still there) and the heads."""
        need(self.ctx, request, TRAINER, lang)
        if not course_id:
            return gr.update(choices=[], value=None), "", "", ""
        _number, draft = review.load(self.ctx, course_id, version)
        choices = tree_choices(draft, lang)
        keep = key if key in {v for _, v in choices} else None
        line = head(self.ctx, course_id, version, lang)
        return gr.update(choices=choices, value=keep), line, line, line

    @guarded
    def open_item(self, course_id: str | None, version: int | None, key: str | None, lang: str,
                  request: gr.Request) -> tuple:
        """One item in the editor, its source quotes beside it, its validator flags with their severity."""
        need(self.ctx, request, TRAINER, lang)
        blank = ("", gr.update(visible=False), "", "", "", gr.update(choices=[], value=None), "", "",
                 gr.update(visible=False))
        if not (course_id and key):
            return blank
        _number, draft = review.load(self.ctx, course_id, version)
        if key == "c:" or key.startswith("m:"):
            title = draft.title if key == "c:" else draft.modules[int(key[2:])].title
            return (title, gr.update(visible=False), "", "", "", gr.update(choices=[], value=None), "",
                    t("not_here", lang), gr.update(visible=False))
        item = review.ItemRef(key).get(draft)
        cites = review.citations_of(item)
        quotes = "\n\n".join(f"> [{n}] {md_escape(c.quote)}" for n, c in enumerate(cites, 1))
        flags = flags_md(_flags(item), lang)
        pick = gr.update(choices=[(f"[{n}] {c.quote[:24]}…", n - 1) for n, c in enumerate(cites, 1)],
                         value=0 if cites else None)
        if isinstance(item, QuizItem):
            return (item.stem, gr.update(visible=False), "\n".join(item.options), "\n".join(item.answer),
                    item.explanation, pick, quotes, flags, gr.update(visible=True))
        text = getattr(item, "text", None) or getattr(item, "question", None) or getattr(item, "title", "")
        kind = gr.update(visible=key.startswith("p:"), value=getattr(item, "kind", None),
                         choices=[(kind_label(k, lang), k) for k in POINT_KINDS])
        return (text, kind, "", "", getattr(item, "reason", ""), pick, quotes, flags, gr.update(visible=False))

    @guarded
    def item_skills(self, course_id: str | None, version: int | None, key: str | None, lang: str,
                    request: gr.Request) -> Any:
        """The skills of the selected point or quiz item, with the trade's list to pick from (hidden otherwise)."""
        need(self.ctx, request, TRAINER, lang)
        if not (course_id and key) or key[0] not in "pq":
            return gr.update(value=[], choices=[]), gr.update(visible=False)
        item = review.open_item(self.ctx, course_id, version, key)
        choices = review.skill_choices(self.ctx, course_id, version)
        return (gr.update(value=list(item.skills), choices=list(dict.fromkeys([*choices, *item.skills]))),
                gr.update(visible=True))

    @guarded
    @one_action
    def save_skills(self, course_id: str | None, version: int | None, key: str | None, names: list[str] | None,
                    lang: str, request: gr.Request) -> tuple:
        """The item's skills as the trainer left them, saved as a new version."""
        user, course_id, key = self._trainer_on_item(course_id, key, lang, request)
        try:
            number, note = review.set_item_skills(self.ctx, course_id, version, key, list(names or []), user.username)
        except ShifuError as exc:
            return refused(exc, lang)
        return self._saved(course_id, number, note, key, lang)

    @guarded
    def show_span(self, course_id: str | None, version: int | None, key: str | None, n: int | None, lang: str,
                  request: gr.Request) -> str:
        """The transcript around the chosen citation, the cited words highlighted."""
        need(self.ctx, request, TRAINER, lang)
        if not (course_id and key) or n is None or key[0] in "cm":
            return ""
        cites = review.citations_of(review.open_item(self.ctx, course_id, version, key))
        return span_html(self.ctx, cites[int(n)]) if 0 <= int(n) < len(cites) else ""

    def _trainer_on_item(self, course_id: str | None, key: str | None, lang: str,
                         request: gr.Request) -> tuple[Any, str, str]:
        """The trainer at work on one picked item of one picked course (user, course, item); refused in words otherwise."""
        user = need(self.ctx, request, TRAINER, lang)
        if not course_id:
            raise gr.Error(t("no_course", lang))
        if not key:
            raise gr.Error(t("pick_item", lang))
        return user, course_id, key

    def _saved(self, course_id: str, number: int, note: str, key: str | None, lang: str) -> tuple:
        # the outline comes with the saved version's entries, so a new item can be selected at once
        _n, draft = review.load(self.ctx, course_id, number)
        return (t("saved_v", lang, version=number, note=md_escape(note_text(note, lang))),
                *course_pickers(self.ctx, course_id, number, lang),
                gr.update(choices=tree_choices(draft, lang), value=key))

    @guarded
    @one_action
    def edit(self, course_id: str | None, version: int | None, key: str | None, text: str, kind: str | None,
             options: str, answer: str, explanation: str, reason: str, action: str, lang: str,
             request: gr.Request) -> tuple:
        """Accept (soft flags, with a reason), save an edit, or reject one item; each saves a new version."""
        user, course_id, key = self._trainer_on_item(course_id, key, lang, request)
        if key == "c:" or key.startswith("m:"):
            if action != "save":
                raise gr.Error(t("not_here", lang))
            number, note, key = review.change_outline(self.ctx, course_id, version, key, "rename", text,
                                                      user.username)
            return self._saved(course_id, number, note, key, lang)
        edit = review.ItemEdit(text=text, kind=kind or "", options=options, answer=answer, explanation=explanation,
                               reason=reason or "")
        try:
            number, note = review.edit_item(self.ctx, course_id, version, key, action, edit, user.username)
        except ShifuError as exc:  # shown beside the button, the outline left as it is
            return refused(exc, lang)
        return self._saved(course_id, number, note, None if action == "reject" else key, lang)

    @guarded
    @one_action
    def outline(self, course_id: str | None, version: int | None, key: str | None, text: str, action: str,
                lang: str, request: gr.Request) -> tuple:
        """One outline edit (rename, move, add, delete, merge, split), saved as a new version; the selection follows."""
        user, course_id, key = self._trainer_on_item(course_id, key, lang, request)
        try:
            number, note, new_key = review.change_outline(self.ctx, course_id, version, key, action, text,
                                                          user.username)
        except ShifuError as exc:
            return refused(exc, lang)
        return self._saved(course_id, number, note, new_key, lang)

    @guarded
    def regenerate(self, course_id: str | None, version: int | None, key: str | None, lang: str,
                   request: gr.Request) -> tuple:
        """A new version of one item: written by the LLM when one is configured, else rebuilt offline."""
        user = need(self.ctx, request, TRAINER, lang)
        if not (course_id and key) or key[0] in "cm":
            raise gr.Error(t("pick_item", lang))
        number, note = review.regenerate(self.ctx, course_id, version, key, user.username)
        return self._saved(course_id, number, note, key, lang)

    @guarded
    def diff(self, course_id: str | None, a: int | None, b: int | None, lang: str, request: gr.Request) -> str:
        need(self.ctx, request, TRAINER, lang)
        if not (course_id and a and b):
            return ""
        return changes_html(review.diff_items(self.ctx, course_id, int(a), int(b)), lang)

    @guarded
    @one_action
    def set_status(self, course_id: str | None, status: str, lang: str, request: gr.Request) -> tuple:
        """Move the latest version along draft -> in review -> published, or unpublish the live one."""
        user = need(self.ctx, request, TRAINER, lang)
        if not course_id:
            raise gr.Error(t("no_course", lang))
        review.move(self.ctx, course_id, status, user.username, role=user.role)
        line = head(self.ctx, course_id, None, lang)
        return line, line, line

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


    @guarded
    def more(self, course_id: str | None, version: int | None, lang: str, request: gr.Request) -> tuple:
        """What selection left out of this version, best first, each with when and who said it."""
        need(self.ctx, request, TRAINER, lang)
        if not course_id:
            return gr.update(choices=[], value=None), ""
        passages = review.more_from_interview(self.ctx, course_id, version)
        choices = [(more_label(p, lang), p.index) for p in passages]
        count = t("more_count", lang, n=len(passages)) if passages else t("more_none", lang)
        return gr.update(choices=choices, value=None), count

    @guarded
    @one_action
    def add_more(self, course_id: str | None, version: int | None, key: str | None, index: int | None, lang: str,
                 request: gr.Request) -> tuple:
        """The chosen passage becomes a point of the lesson picked in the outline, saved as a new version."""
        user = need(self.ctx, request, TRAINER, lang)
        if not course_id:
            raise gr.Error(t("no_course", lang))
        try:
            number, note, new_key = review.add_from_interview(
                self.ctx, course_id, version, -1 if index is None else int(index), key or "", user.username)
        except ShifuError as exc:
            return refused(exc, lang)
        return self._saved(course_id, number, note, new_key, lang)


def more_label(p: review.LeftOutPassage, lang: str) -> str:
    """A left-out passage as the list shows it: time code, speaker, kind, the words (fillers trimmed)."""
    from extraction.display import trim_fillers

    where = " · ".join(x for x in (clock(p.time_s), p.speaker, kind_label(p.kind, lang)) if x)
    text = trim_fillers(p.text)
    return f"〔{where}〕{text[:120]}{'…' if len(text) > 120 else ''}"


@dataclass
class ReviewParts:
    pickers: list[Any]  # [course, version]: what a new draft updates


def build(screen: Screen) -> ReviewParts:
    """The review, versions and export tabs (inside the trainer tab)."""
    from extraction.export import FORMATS

    h = ReviewHandlers(screen.ctx)
    lang = screen.lang
    with gr.Tab(t("t_review"), elem_id="t-tab-review") as tab_review:
        gr.HTML(_DIFF_STYLE, padding=False)
        with gr.Row():
            course = screen.label(gr.Dropdown([], label=t("course"), elem_id="r-course"), "course")
            version = screen.label(gr.Dropdown([], label=t("version"), elem_id="r-version"), "version")
        status = gr.Markdown("", elem_id="r-status")
        with gr.Row():
            with gr.Column(scale=1):
                ol_text = screen.label(gr.Textbox(label=t("ol_text"), elem_id="r-ol-text"), "ol_text")
                with gr.Row():
                    ol_buttons = {a: screen.btn(gr.Button(t(f"ol_{a}"), size="sm", min_width=60,
                                                          elem_id=f"r-ol-{a}"), f"ol_{a}")
                                  for a in review.OUTLINE_ACTIONS}
                ol_result = gr.Markdown("", elem_id="r-ol-result")
                tree = screen.label(gr.Radio([], label=t("outline"), elem_id="r-tree"), "outline")
            with gr.Column(scale=1):
                text = screen.label(gr.Textbox(label=t("item_text"), lines=2, elem_id="r-text"), "item_text")
                kind = screen.label(gr.Dropdown([], label=t("kind"), visible=False, elem_id="r-kind"), "kind")
                with gr.Group(visible=False) as quiz_box:
                    options = screen.label(gr.Textbox(label=t("options"), lines=4, elem_id="r-options"), "options")
                    answer = screen.label(gr.Textbox(label=t("answer"), lines=2, elem_id="r-answer"), "answer")
                explanation = screen.label(gr.Textbox(label=t("explanation"), lines=2, elem_id="r-explanation"),
                                           "explanation")
                with gr.Row(visible=False) as skills_row:
                    skills = screen.label(gr.Dropdown([], value=[], multiselect=True, allow_custom_value=True,
                                                      label=t("r_skills"), scale=4, elem_id="r-skills"),
                                          "r_skills")
                    b_skills = screen.btn(gr.Button(t("r_save_skills"), size="sm", scale=1, elem_id="r-save-skills"),
                                          "r_save_skills")
                flags = gr.Markdown("", elem_id="r-flags")
                reason = screen.label(gr.Textbox(label=t("reason"), elem_id="r-reason"), "reason")
                with gr.Row():
                    b_accept = screen.btn(gr.Button(t("accept"), elem_id="r-accept"), "accept")
                    b_save = screen.btn(gr.Button(t("save_edit"), variant="primary", elem_id="r-save"), "save_edit")
                    b_reject = screen.btn(gr.Button(t("reject"), variant="stop", elem_id="r-reject"), "reject")
                    b_regen = screen.btn(gr.Button(t("regenerate"), elem_id="r-regen"), "regenerate")
                saved = gr.Markdown("", elem_id="r-saved")
            with gr.Column(scale=1):
                quotes = gr.Markdown("", elem_id="r-quotes")
                cite = screen.label(gr.Radio([], label=t("citations"), type="value", elem_id="r-cite"), "citations")
                span = gr.HTML("", elem_id="r-span")
        with gr.Accordion(t("more_title"), open=True, elem_id="r-more-box") as more_box:
            more_count = gr.Markdown("", elem_id="r-more-count")
            more = screen.label(gr.Radio([], label=t("more"), elem_id="r-more"), "more")
            b_more = screen.btn(gr.Button(t("more_add"), elem_id="r-more-add"), "more_add")
            more_result = gr.Markdown("", elem_id="r-more-result")
    with gr.Tab(t("t_versions"), elem_id="t-tab-versions") as tab_versions:
        wf_status = gr.Markdown("", elem_id="r-wf-status")
        with gr.Row():
            b_review = screen.btn(gr.Button(t("submit_review"), elem_id="r-submit-review"), "submit_review")
            b_publish = screen.btn(gr.Button(t("publish"), variant="primary", elem_id="r-publish"), "publish")
            b_back = screen.btn(gr.Button(t("to_draft"), elem_id="r-to-draft"), "to_draft")
            b_unpub = screen.btn(gr.Button(t("unpublish_course"), variant="stop", elem_id="r-unpublish"),
                                 "unpublish_course")
        with gr.Row():
            v_a = screen.label(gr.Dropdown([], label=t("rv_old"), elem_id="r-ver-a"), "rv_old")
            v_b = screen.label(gr.Dropdown([], label=t("rv_new"), elem_id="r-ver-b"), "rv_new")
            b_diff = screen.btn(gr.Button(t("diff"), elem_id="r-diff-btn"), "diff")
        diff_out = gr.HTML("", elem_id="r-diff")
    with gr.Tab(t("t_export"), elem_id="t-tab-export") as tab_export:
        ex_status = gr.Markdown("", elem_id="r-export-status")
        formats = screen.label(gr.CheckboxGroup(list(FORMATS), value=list(FORMATS), label=t("formats"),
                                                elem_id="r-formats"), "formats")
        b_export = screen.btn(gr.Button(t("export"), variant="primary", elem_id="r-export"), "export")
        exported = gr.Markdown("", elem_id="r-exported")
        files = screen.label(gr.File(file_count="multiple", interactive=False, label=t("ex_files"), elem_id="r-files"),
                             "ex_files")
    for tab, key in ((tab_review, "t_review"), (tab_versions, "t_versions"), (tab_export, "t_export"),
                     (more_box, "more_title")):
        screen.tab(tab, key)

    heads = [status, wf_status, ex_status]
    tab_review.select(h.courses, lang, course, api_name="trainer_courses")
    course.change(h.versions, [course, lang], [version, v_a, v_b], api_name="trainer_versions")
    version.change(h.show, [course, version, tree, lang], [tree, *heads], api_name="trainer_show_version")
    version.change(h.more, [course, version, lang], [more, more_count], api_name="trainer_more_from_interview")
    editor = [text, kind, options, answer, explanation, cite, quotes, flags, quiz_box]
    # the citation picker goes back to [1] for every item: when it already showed [1], its change
    # event does not fire, so the span is drawn here too (else the last item's span stayed on screen)
    tree.change(h.open_item, [course, version, tree, lang], editor, api_name="trainer_open_item").then(
        h.show_span, [course, version, tree, cite, lang], span, api_visibility="private")
    tree.change(h.item_skills, [course, version, tree, lang], [skills, skills_row], api_name="trainer_item_skills")
    b_skills.click(h.save_skills, [course, version, tree, skills, lang], [saved, course, version, tree],
                   api_name="trainer_save_skills").success(h.item_skills, [course, version, tree, lang],
                                                           [skills, skills_row], api_visibility="private")
    cite.change(h.show_span, [course, version, tree, cite, lang], span, api_name="trainer_show_span")
    fields = [course, version, tree, text, kind, options, answer, explanation, reason]
    # the saved version of the selected item, shown again (the selection itself did not change)
    reopen = (h.open_item, [course, version, tree, lang], editor)
    private = {"api_visibility": "private"}
    for btn, action in ((b_accept, "accept"), (b_save, "save"), (b_reject, "reject")):
        btn.click(h.edit, [*fields, gr.State(action), lang], [saved, course, version, tree],
                  api_name=f"trainer_{action}_item").success(*reopen, **private)
    for action, btn in ol_buttons.items():
        btn.click(h.outline, [course, version, tree, ol_text, gr.State(action), lang],
                  [ol_result, course, version, tree], api_name=f"trainer_outline_{action}").success(*reopen, **private)
    b_regen.click(h.regenerate, [course, version, tree, lang], [saved, course, version, tree],
                  api_name="trainer_regenerate_item", concurrency_id="draft", concurrency_limit=1).success(*reopen, **private)
    b_more.click(h.add_more, [course, version, tree, more, lang], [more_result, course, version, tree],
                 api_name="trainer_add_from_interview").success(*reopen, **private)
    b_diff.click(h.diff, [course, v_a, v_b, lang], diff_out, api_name="trainer_diff")
    for btn, st in ((b_review, "in_review"), (b_publish, "published"), (b_back, "draft"),
                    (b_unpub, "unpublish")):
        btn.click(h.set_status, [course, gr.State(st), lang], heads, api_name=f"trainer_status_{st}")
    tab_versions.select(h.versions, [course, lang], [version, v_a, v_b], api_name="trainer_versions_tab")
    b_export.click(h.export, [course, version, formats, lang], [exported, files], api_name="trainer_export")
    return ReviewParts(pickers=[course, version])
