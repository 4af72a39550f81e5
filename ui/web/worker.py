"""Worker screens: the catalogue of published courses, the lesson reader, quizzes, the Q&A chat, ratings.

Everything reads published versions only (extraction.learning and scope="published");
a draft never reaches this screen, whoever asks.
"""

from __future__ import annotations

import queue
import re
import threading
from typing import Any

import gradio as gr
import pandas as pd

from extraction import learning
from extraction.course import CourseDraft, QuizItem, kind_label
from extraction.display import lesson_prose, trim_fillers
from extraction.takeaways import takeaways
from rag.markdown import md_escape
from shifu.context import Context
from shifu.timecode import clock
from ui.web import growth
from ui.web.common import (
    CHAT_LIMIT,
    WORKER,
    Screen,
    add_texts,
    guarded,
    headed,
    need,
    one_action,
    t,
)

add_texts({
    "w_catalogue": ("课程目录", "Catalogue"),
    "w_read": ("阅读课程", "Read"),
    "w_quiz": ("测验", "Quiz"),
    "w_chat": ("问师傅", "Ask the master"),
    "w_rate": ("评价课程", "Rate"),
    "trade": ("工种", "Trade"),
    "w_course": ("选择课程", "Course"),
    "lesson": ("课时", "Lesson"),
    "q_start": ("开始测验", "Start the quiz"),
    "q_prev": ("上一题", "Previous"),
    "q_next": ("下一题", "Next"),
    "q_submit": ("交卷", "Submit"),
    "q_choice": ("选择答案", "Your answer"),
    "q_short": ("填写答案", "Your answer"),
    "q_progress": ("第 {i} / {n} 题", "Question {i} of {n}"),
    "q_result": ("得分 {score} / {total}（{pct}%）— {verdict}", "Score {score} / {total} ({pct}%) — {verdict}"),
    "q_pass": ("通过 ✓", "passed ✓"),
    "q_fail": ("未通过，再读一读课程后重试", "not passed; read the course again and retry"),
    "q_right": ("✓ 正确", "✓ right"),
    "q_wrong": ("✗ 错误，正确答案：{answer}", "✗ wrong; the answer is: {answer}"),
    "true": ("正确", "true"),
    "false": ("错误", "false"),
    "ask": ("你的问题", "Your question"),
    "send": ("提问", "Ask"),
    "stars": ("评分（1-5 星）", "Stars (1-5)"),
    "comment": ("评语", "Comment"),
    "rate": ("提交评价", "Submit rating"),
    "rated": ("谢谢！已记录你给《{title}》的 {stars} 星评价。", "Thank you! Your {stars}-star rating of {title} is saved."),
    "pick_course": ("请先在上方选择一门课程。", "Pick a course above first."),
    "w_all": ("全部", "All"),
    "course_lang": ("课程语言", "Course language"),
    "no_courses": ("还没有已发布的课程。", "No course is published yet."),
    "objectives": ("学习目标", "Objectives"),
    "points": ("要点与出处", "Key points and sources"),
    "takeaways": ("★ 核心要点（按重要性排序）", "★ Key takeaways (most important first)"),
    "takeaways_intro": ("先读这几条；每条后面写着在哪一课里细讲。", "Read these first; each says which lesson teaches it."),
    "thanks_fb": ("谢谢反馈！", "Thanks for the feedback!"),
})

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def safe_md(text: str) -> str:
    """Lesson Markdown with images and links removed and raw HTML escaped (quotes are untrusted text)."""
    text = _IMAGE.sub("", text or "")
    text = _LINK.sub(r"\1", text)
    return text.replace("<", "&lt;").replace(">", "&gt;") if "<" in text else text


TAKEAWAYS = "key"  # the reader's first page: the course's key takeaways


def lesson_keys(draft: CourseDraft, lang: str = "zh") -> list[tuple[str, str]]:
    """(label, key) for each lesson; key 'i.j' = module i, lesson j; the key takeaways first when the course has them."""
    first = [(t("takeaways", lang), TAKEAWAYS)] if takeaways(draft) else []
    return first + [(f"{i + 1}.{j + 1} {m.title} · {lesson.title}", f"{i}.{j}")
                    for i, m in enumerate(draft.modules) for j, lesson in enumerate(m.lessons)]


def render_takeaways(draft: CourseDraft, lang: str = "zh") -> str:
    """The course's key takeaways, ranked, each with the lesson that teaches it."""
    out = [f"## {md_escape(t('takeaways', lang))}", "", md_escape(t("takeaways_intro", lang)), ""]
    for n, k in enumerate(takeaways(draft), 1):
        kind = ("⚠ " if k.point.kind == "warning" else "") + kind_label(k.point.kind, lang)
        where = f"（{k.where(lang)}）" if lang == "zh" else f" ({k.where(lang)})"
        out += [f"{n}\\. **{md_escape(kind)}** {md_escape(trim_fillers(k.point.text))}{md_escape(where)}", ""]
    return "\n".join(out)


def render_lesson(draft: CourseDraft, key: str, lang: str = "zh") -> str:
    """A lesson as Markdown: its text, then each point with the master's quote and where it was said."""
    if key == TAKEAWAYS:
        return render_takeaways(draft, lang)
    i, j = (int(x) for x in key.split("."))
    module = draft.modules[i]
    lesson = module.lessons[j]
    titles = {s.transcript_id: (s.title, s.expert) for s in draft.sources}
    out = [f"## {md_escape(lesson.title)}", f"*{md_escape(module.title)}*", ""]
    if lesson.objectives:
        out += [f"**{t('objectives', lang)}**", *[f"- {md_escape(o)}" for o in lesson.objectives], ""]
    prose = lesson_prose(lesson)
    if prose:
        out += [safe_md(prose), ""]
    if lesson.points:
        out += [f"### {t('points', lang)}", ""]
    for n, point in enumerate(lesson.points, 1):
        kind = ("⚠ " if point.kind == "warning" else "") + kind_label(point.kind, lang)
        out.append(f"{n}\\. **{md_escape(kind)}** {md_escape(trim_fillers(point.text))}")
        for c in point.citations:
            title, expert = titles.get(c.transcript_id, ("", ""))
            where = " · ".join(x for x in (md_escape(title), md_escape(expert), clock(c.t_start)) if x)
            # The point usually is the master's sentence itself: then say only where it was said.
            quote = "" if c.quote.strip() == point.text.strip() else f"“{md_escape(c.quote)}” "
            out.append(f"> {quote}— {where}")
            out.append("")
        out.append("")
    return "\n".join(out)


def _text_of(content: Any) -> str:
    """Plain text of a Chatbot message content (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text_of(p) for p in content)
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    return ""


def _liked_text(row: Any, lang: str) -> str:
    if row.liked is None:
        return "暂无评价" if lang == "zh" else "not rated yet"
    return f"{row.liked:.0%}（{row.ratings} 人评价）" if lang == "zh" else f"{row.liked:.0%} of {row.ratings}"


def _progress_text(row: Any, lang: str) -> str:
    if row.best_score is None:
        return "未开始测验" if lang == "zh" else "quiz not taken"
    passed = ("已通过" if lang == "zh" else "passed") if row.passed else ("未通过" if lang == "zh" else "not passed")
    best = f"最高 {row.best_score}/{row.total}" if lang == "zh" else f"best {row.best_score}/{row.total}"
    return f"{best} · {passed}"


class WorkerHandlers:
    """Event handlers of the worker screens; each checks the caller may study first."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @guarded
    @one_action
    def catalogue(self, trade: str | None, enterprise: str | None, course_lang: str | None, lang: str,
                  request: gr.Request) -> tuple:
        """Published courses with rating and the worker's progress, filtered by trade, enterprise and language."""
        user = need(self.ctx, request, WORKER, lang)
        from extraction.catalogue import catalogue_rows

        every = learning.catalogue(self.ctx)
        shown = catalogue_rows(self.ctx, user.username, trade=trade or None, enterprise=enterprise or None,
                               language=course_lang or None, entries=every)
        rows = [{"course": r.entry.title, "trade": r.entry.trade or "", "enterprise": r.entry.enterprise or "",
                 "masters": "、".join(r.entry.experts), "lessons": r.entry.lessons, "quiz": r.entry.quiz_items,
                 "rating": _liked_text(r, lang), "progress": _progress_text(r, lang)} for r in shown]
        df = headed(pd.DataFrame(rows, columns=["course", "trade", "enterprise", "masters", "lessons", "quiz", "rating",
                                                "progress"]), lang)
        everything = (t("w_all", lang), "")
        trades = [everything] + [(x, x) for x in sorted({c.trade for c in every if c.trade})]
        enterprises = [everything] + [(x, x) for x in sorted({c.enterprise for c in every if c.enterprise})]
        languages = [everything, ("中文" if lang == "zh" else "Chinese", "zh"), ("英文" if lang == "zh" else "English", "en")]
        return (df, gr.update(choices=[(r.entry.title, r.entry.course_id) for r in shown]),
                gr.update(choices=trades), gr.update(choices=enterprises), gr.update(choices=languages),
                "" if every else t("no_courses", lang), [r.entry.course_id for r in shown])

    @guarded
    def open_row(self, shown: list[str] | None, lang: str, evt: gr.SelectData, request: gr.Request) -> tuple:
        """A click anywhere on a catalogue row opens that course on the reading tab."""
        need(self.ctx, request, WORKER, lang)
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not shown or not 0 <= int(row) < len(shown):
            return gr.skip(), gr.skip()
        return gr.update(value=shown[int(row)]), gr.update(selected="read")

    @guarded
    def open_course(self, course_id: str | None, lang: str, request: gr.Request) -> tuple:
        """The lesson list of a published course, with its first lesson shown."""
        need(self.ctx, request, WORKER, lang)
        if not course_id:
            return gr.update(choices=[], value=None), t("pick_course", lang)
        _version, draft = learning.published_course(self.ctx, course_id)
        keys = lesson_keys(draft, lang)
        first = keys[0][1] if keys else None
        return gr.update(choices=keys, value=first), render_lesson(draft, first, lang) if first else ""

    @guarded
    def read_lesson(self, course_id: str | None, key: str | None, lang: str, request: gr.Request) -> str:
        need(self.ctx, request, WORKER, lang)
        if not course_id or not key:
            return ""
        _version, draft = learning.published_course(self.ctx, course_id)
        return render_lesson(draft, key, lang)

    # --- quiz: one item at a time, answers kept in the page until submitted ----------------

    def _item_view(self, items: list[QuizItem], idx: int, answers: dict, lang: str) -> tuple:
        item = items[idx]
        given = answers.get(item.id) or []
        single = item.type in ("single_choice", "true_false")
        options = ([("正确" if lang == "zh" else "true", "true"), ("错误" if lang == "zh" else "false", "false")]
                   if item.type == "true_false" else list(item.options))
        return (t("q_progress", lang, i=idx + 1, n=len(items)), md_escape(item.stem),
                gr.update(choices=options if single else [], value=(given[0] if given and single else None),
                          visible=single),
                gr.update(choices=options if item.type == "multiple_choice" else [],
                          value=given if item.type == "multiple_choice" else [],
                          visible=item.type == "multiple_choice"),
                gr.update(value=given[0] if given and item.type == "short_answer" else "",
                          visible=item.type == "short_answer"))

    @guarded
    def start_quiz(self, course_id: str | None, lang: str, request: gr.Request) -> tuple:
        need(self.ctx, request, WORKER, lang)
        if not course_id:
            raise gr.Error(t("pick_course", lang))
        _version, draft = learning.published_course(self.ctx, course_id)
        if not draft.quiz:
            raise gr.Error(f"course {draft.title} has no quiz yet; ask its trainer to add one")
        return (0, {}, *self._item_view(draft.quiz, 0, {}, lang), "")

    @guarded
    def move(self, course_id: str | None, idx: int, answers: dict, choice: str | None, multi: list | None,
             short: str | None, step: int, lang: str, request: gr.Request) -> tuple:
        """Keep the current answer and show the previous (step -1) or next (+1) item."""
        need(self.ctx, request, WORKER, lang)
        if not course_id:
            raise gr.Error(t("pick_course", lang))
        _version, draft = learning.published_course(self.ctx, course_id)
        answers = self._keep(draft.quiz, int(idx or 0), dict(answers or {}), choice, multi, short)
        idx = max(0, min(len(draft.quiz) - 1, int(idx or 0) + int(step)))
        return (idx, answers, *self._item_view(draft.quiz, idx, answers, lang))

    @staticmethod
    def _keep(items: list[QuizItem], idx: int, answers: dict, choice: str | None, multi: list | None,
              short: str | None) -> dict:
        if 0 <= idx < len(items):
            item = items[idx]
            if item.type == "multiple_choice":
                answers[item.id] = list(multi or [])
            elif item.type == "short_answer":
                answers[item.id] = [short] if (short or "").strip() else []
            else:
                answers[item.id] = [choice] if choice else []
        return answers

    @guarded
    @one_action
    def submit_quiz(self, course_id: str | None, idx: int, answers: dict, choice: str | None,
                    multi: list | None, short: str | None, lang: str, request: gr.Request) -> tuple:
        """Score the attempt, store it, and show each item right or wrong with its explanation."""
        user = need(self.ctx, request, WORKER, lang)
        if not course_id:
            raise gr.Error(t("pick_course", lang))
        _version, draft = learning.published_course(self.ctx, course_id)
        answers = self._keep(draft.quiz, int(idx or 0), dict(answers or {}), choice, multi, short)
        result = learning.submit_quiz(self.ctx, user.username, course_id, answers)
        verdict = t("q_pass" if result.passed else "q_fail", lang)
        lines = [f"### {t('q_result', lang, score=result.score, total=result.total, pct=result.percent, verdict=verdict)}", ""]
        kinds = {q.id: q.type for q in draft.quiz}
        for n, r in enumerate(result.items, 1):
            correct = [t(a, lang) if kinds.get(r.item_id) == "true_false" else a for a in r.correct]
            mark = t("q_right", lang) if r.right else t("q_wrong", lang, answer=md_escape("；".join(correct)))
            lines += [f"{n}\\. {md_escape(r.stem)}  ", mark + "  "]
            if r.explanation:
                lines.append(f"> {md_escape(r.explanation)}")
            lines.append("")
        return answers, "\n".join(lines)

    # --- chat ---------------------------------------------------------------------------

    @staticmethod
    def _history(history: list | None) -> list[dict]:
        return [{"role": m["role"], "content": _text_of(m["content"]),
                 **({"metadata": m["metadata"]} if m.get("metadata") else {})} for m in (history or [])]

    def _answered(self, history: list[dict], answer: Any) -> list[dict]:
        """The answer, then each citation as a collapsed message: who said it and when, and the source around it."""
        from extraction.review import source_spans

        history.append({"role": "assistant", "content": _answer_text(answer)})
        spans = source_spans(self.ctx, answer.citations, context=80) if answer.citations else []
        for c, span in zip(answer.citations, spans, strict=True):
            where = " · ".join(x for x in (c.transcript_title, c.speaker, clock(c.t_start)) if x)
            history.append({"role": "assistant", "content": _excerpt(c, span),
                            "metadata": {"title": f"[{c.n}] {where}", "status": "done"}})
        return history

    @guarded
    @one_action
    def ask(self, question: str, history: list | None, request: gr.Request) -> tuple:
        """Answer from published material only (offline mode: the whole answer in one update).

        One unit of work: the role check, the search's reads, the gap it may record and the
        excerpts share one connection and one transaction (a dozen before: each a checkout, a
        ping and a commit). Offline nothing waits on a model, so nothing holds it long."""
        user = need(self.ctx, request, WORKER)
        from rag.answer import answer_question

        question, history = (question or "").strip(), self._history(history)
        if not question:
            return history, ""
        answer = answer_question(self.ctx, question, scope="published", asked_by=user.username)
        history.append({"role": "user", "content": md_escape(question)})
        return self._answered(history, answer), ""

    def ask_stream(self, question: str, history: list | None, request: gr.Request):
        """Answer from published material only, streaming the LLM's words as they come."""
        user = need(self.ctx, request, WORKER)
        from rag.answer import answer_question

        question, history = (question or "").strip(), self._history(history)
        if not question:
            yield history, ""
            return
        history.append({"role": "user", "content": md_escape(question)})
        yield history, ""
        tokens: queue.Queue = queue.Queue()
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["answer"] = answer_question(self.ctx, question, scope="published",
                                                asked_by=user.username, on_token=tokens.put)
            except Exception as exc:  # shown to the user below as a gr.Error
                box["error"] = exc
            finally:
                tokens.put(None)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        partial = ""
        while (tok := tokens.get()) is not None:
            partial += tok
            yield [*history, {"role": "assistant", "content": md_escape(partial)}], ""
        worker.join()
        if "error" in box:
            raise gr.Error(str(box["error"]))
        yield self._answered(history, box["answer"]), ""

    @guarded
    @one_action
    def feedback(self, history: list | None, data: gr.LikeData, request: gr.Request) -> None:
        """Thumbs up or down on an answer: stored with the question it answered."""
        user = need(self.ctx, request, WORKER)
        history = history or []
        idx = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        idx = int(idx) if idx is not None else len(history) - 1
        answer = _text_of(history[idx]["content"]) if 0 <= idx < len(history) else _text_of(data.value)
        question = next((_text_of(m["content"]) for m in reversed(history[:idx]) if m.get("role") == "user"), "")
        helpful = data.liked is True or str(data.liked).lower() in ("like", "true")
        learning.record_feedback(self.ctx, user.username, question, answer, helpful)
        gr.Info(t("thanks_fb"))

    @guarded
    @one_action
    def rate(self, course_id: str | None, stars: int | None, comment: str, lang: str,
             request: gr.Request) -> str:
        user = need(self.ctx, request, WORKER, lang)
        if not course_id:
            raise gr.Error(t("pick_course", lang))
        if not stars:
            raise gr.Error("pick 1 to 5 stars first")
        learning.rate_course(self.ctx, user.username, course_id, int(stars), comment)
        _v, draft = learning.published_course(self.ctx, course_id)
        return t("rated", lang, title=draft.title, stars=int(stars))


def _excerpt(citation: Any, span: Any) -> str:
    """The transcript around the cited words (marked), so a citation shows its source, not the answer
    again; the quote alone when the transcript is gone."""
    if span is None:
        return f"> {md_escape(citation.quote)}"

    def flat(text: str) -> str:
        return md_escape(" ".join(text.split()))

    return ("> " + ("…" if span.cut_before else "") + flat(span.before) + f" **{flat(span.cited)}** "
            + flat(span.after) + ("…" if span.cut_after else ""))


def _answer_text(answer: Any) -> str:
    """The answer body without the excerpt list (citations follow as their own collapsible messages)."""
    text = md_escape(answer.answer)
    if not answer.covered:
        return f"○ {text}"
    if not answer.valid:
        return f"⚠ {text}"
    return text


def build(screen: Screen) -> None:
    """The worker tab."""
    h = WorkerHandlers(screen.ctx)
    lang = screen.lang
    everything = [(t("w_all"), "")]
    with gr.Row():
        trade = screen.label(gr.Dropdown(everything, value="", label=t("trade"), elem_id="w-trade"), "trade")
        ent = screen.label(gr.Dropdown(everything, value="", label=t("enterprise"), elem_id="w-enterprise"),
                           "enterprise")
        course_lang = screen.label(gr.Dropdown(everything, value="", label=t("course_lang"), elem_id="w-language"),
                                   "course_lang")
        course = screen.label(gr.Dropdown([], label=t("w_course"), elem_id="w-course"), "w_course")
    with gr.Tabs() as worker_tabs:
        with gr.Tab(t("w_catalogue"), id="catalogue") as tab_cat:
            note = gr.Markdown("")
            shown = gr.State([])
            table = gr.Dataframe(interactive=False, wrap=True, elem_id="w-catalogue")
        with gr.Tab(t("w_read"), id="read", elem_id="w-tab-read") as tab_read:
            lesson = screen.label(gr.Dropdown([], label=t("lesson"), elem_id="w-lesson"), "lesson")
            body = gr.Markdown("", elem_id="w-lesson-body")
        with gr.Tab(t("w_quiz"), elem_id="w-tab-quiz") as tab_quiz:
            idx = gr.State(0)
            answers = gr.State({})
            b_start = screen.btn(gr.Button(t("q_start"), variant="primary", elem_id="q-start"), "q_start")
            progress = gr.Markdown("", elem_id="q-progress")
            stem = gr.Markdown("", elem_id="q-stem")
            choice = screen.label(gr.Radio([], label=t("q_choice"), visible=False, elem_id="q-choice"), "q_choice")
            multi = screen.label(gr.CheckboxGroup([], label=t("q_choice"), visible=False, elem_id="q-multi"),
                                 "q_choice")
            short = screen.label(gr.Textbox(label=t("q_short"), visible=False, elem_id="q-short"), "q_short")
            with gr.Row():
                b_prev = screen.btn(gr.Button(t("q_prev"), elem_id="q-prev"), "q_prev")
                b_next = screen.btn(gr.Button(t("q_next"), elem_id="q-next"), "q_next")
                b_submit = screen.btn(gr.Button(t("q_submit"), variant="primary", elem_id="q-submit"), "q_submit")
            result = gr.Markdown("", elem_id="q-result")
        with gr.Tab(t("w_chat"), elem_id="w-tab-chat") as tab_chat:
            chat = screen.label(gr.Chatbot(height=420, label=t("w_chat"), elem_id="w-chat",
                                           feedback_options=("Like", "Dislike")), "w_chat")
            with gr.Row():
                question = screen.label(gr.Textbox(label=t("ask"), scale=4, elem_id="w-question"), "ask")
                b_send = screen.btn(gr.Button(t("send"), variant="primary", scale=1, elem_id="w-send"), "send")
        with gr.Tab(t("w_rate"), elem_id="w-tab-rate") as tab_rate:
            stars = screen.label(gr.Radio([1, 2, 3, 4, 5], label=t("stars"), elem_id="w-stars"), "stars")
            comment = screen.label(gr.Textbox(label=t("comment"), lines=2, elem_id="w-comment"), "comment")
            b_rate = screen.btn(gr.Button(t("rate"), variant="primary", elem_id="w-rate"), "rate")
            rated = gr.Markdown("", elem_id="w-rated")
        growth.build_worker(screen)
    for tab, key in ((tab_cat, "w_catalogue"), (tab_read, "w_read"), (tab_quiz, "w_quiz"),
                     (tab_chat, "w_chat"), (tab_rate, "w_rate")):
        screen.tab(tab, key)

    cat_in, cat_out = [trade, ent, course_lang, lang], [table, course, trade, ent, course_lang, note, shown]
    screen.on_load.append(lambda app: app.load(h.catalogue, cat_in, cat_out, api_name="worker_catalogue_load"))
    tab_cat.select(h.catalogue, cat_in, cat_out, api_name="worker_catalogue_tab")
    trade.input(h.catalogue, cat_in, cat_out, api_name="worker_catalogue_trade")
    ent.input(h.catalogue, cat_in, cat_out, api_name="worker_catalogue_enterprise")
    course_lang.input(h.catalogue, cat_in, cat_out, api_name="worker_catalogue_language")
    table.select(h.open_row, [shown, lang], [course, worker_tabs], api_name="worker_open_row")
    course.change(h.open_course, [course, lang], [lesson, body], api_name="worker_open_course")
    lesson.input(h.read_lesson, [course, lesson, lang], body, api_name="worker_read_lesson")

    view = [progress, stem, choice, multi, short]
    b_start.click(h.start_quiz, [course, lang], [idx, answers, *view, result], api_name="worker_start_quiz")
    b_prev.click(h.move, [course, idx, answers, choice, multi, short, gr.State(-1), lang], [idx, answers, *view],
                 api_name="worker_quiz_prev")
    b_next.click(h.move, [course, idx, answers, choice, multi, short, gr.State(1), lang], [idx, answers, *view],
                 api_name="worker_quiz_next")
    b_submit.click(h.submit_quiz, [course, idx, answers, choice, multi, short, lang], [answers, result],
                   api_name="worker_submit_quiz")

    # Stream only where there is something to stream: an offline answer is ready in milliseconds.
    ask = {"fn": h.ask_stream if screen.ctx.settings.qa_mode == "llm" else h.ask, "inputs": [question, chat], "outputs": [chat, question], "api_name": "worker_ask",
           "concurrency_id": "chat", "concurrency_limit": CHAT_LIMIT}
    b_send.click(**ask)
    question.submit(**{**ask, "api_name": "worker_ask_enter"})
    chat.like(h.feedback, [chat], None, api_name="worker_feedback")
    b_rate.click(h.rate, [course, stars, comment, lang], rated, api_name="worker_rate")
