"""Trainer screens: upload transcripts, read them with chunk boundaries, draft a course.

Review, versions, publishing and exports are in ui/web/review.py.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from rag.markdown import md_escape
from shifu.context import Context
from shifu.timecode import clock
from ui.web import growth, review
from ui.web.common import (
    DRAFT_LIMIT,
    INGEST_LIMIT,
    TRAINER,
    Screen,
    add_texts,
    esc,
    guarded,
    headed,
    need,
    one_action,
    t,
)

SUFFIXES = (".txt", ".md", ".srt", ".vtt", ".docx", ".json")

add_texts({
    "t_upload": ("上传转写稿", "Upload transcripts"),
    "t_view": ("查看转写稿", "Transcripts"),
    "t_draft": ("起草课程", "Draft a course"),
    "files": ("转写稿文件（可多选：txt、md、srt、vtt、docx、json）", "Transcript files (several: txt, md, srt, vtt, docx, json)"),
    "expert": ("老师傅姓名", "Master's name"),
    "date": ("访谈日期（如 2024-05-18）", "Interview date (e.g. 2024-05-18)"),
    "consent": ("老师傅已同意将访谈用于培训", "The master agreed to the interview being used for training"),
    "ingest": ("上传并建立索引", "Upload and index"),
    "replace": ("替换同名转写稿（课程已用它起草时；表格里显示改动）",
                "Replace the transcript with the same name (when a course was drafted from it; the table shows the diff)"),
    "transcript": ("转写稿", "Transcript"),
    "transcripts": ("选择转写稿（可多选）", "Transcripts (one or more)"),
    "engine": ("起草引擎", "Drafting engine"),
    "draft_btn": ("起草课程", "Draft the course"),
    "eng_offline": ("离线起草（不需要大模型）", "Offline (no LLM needed)"),
    "eng_llm": ("大模型起草", "With the LLM"),
    "eng_no_llm": ("尚未接入大模型，课程将离线起草。需要大模型起草时，请联系管理员接入。",
                   "No LLM is connected, so courses are drafted offline; ask your admin to connect one."),
    "ingested": ("{ok} 个文件已入库，{bad} 个失败。", "{ok} file(s) indexed, {bad} failed."),
    "drafted": ("已起草《{title}》（第 {version} 版），请到“审阅课程”查看。",
                "Drafted {title} (version {version}); open Review to check it."),
    "no_files": ("请先选择要上传的文件。", "Choose the files to upload first."),
    # what became of each uploaded file (rag/ingest.py's statuses), in the upload table
    "up_added": ("已添加", "added"), "up_unchanged": ("未变（已有同一文件）", "unchanged (already there)"),
    "up_replaced": ("已替换", "replaced"), "up_failed": ("失败", "failed"),
    "up_not_transcript": ("{name} 不是师傅能读的转写稿格式；请另存为 {kinds} 之一。",
                          "{name} is not a transcript type shifu reads; save it as one of {kinds}."),
    "up_too_big": ("{name} 超过 {mb:g} MB；请拆成几个文件再上传，或请管理员调高上限。",
                   "{name} is larger than {mb:g} MB; split it into smaller files, or ask an admin to raise the limit."),
    "tr_consent": ("✓ 师傅已同意", "✓ consent given"), "tr_no_consent": ("⚠ 未记录师傅同意", "⚠ no consent recorded"),
    "tr_counts": ("{turns} 段发言 · {chunks} 个片段", "{turns} turns · {chunks} chunks"),
    "no_tr": ("请先选择至少一份转写稿。", "Pick at least one transcript first."),
    "refresh_list": ("刷新列表", "Refresh list"),
    "consent_now": ("老师傅已同意将这份访谈用于培训", "The master agreed to this interview being used for training"),
    "consent_btn": ("记录同意情况", "Record consent"),
    "consent_saved": ("已记录：{state}。", "Recorded: {state}."),
    "consent_yes": ("老师傅已同意", "the master agreed"),
    "consent_no": ("老师傅未同意，依据它起草的课程不能发布", "no consent; courses drafted from it cannot be published"),
    "bad_date": ("访谈日期 {value} 不是 YYYY-MM-DD 格式；例如 2024-05-18。",
                 "The interview date {value} is not YYYY-MM-DD; write it like 2024-05-18."),
})


def _stored_name(data: bytes, name: str) -> str:
    """A safe file name under uploads/: content hash plus the original name's safe part."""
    stem = re.sub(r"[^\w.-]+", "_", Path(name).name)[-80:] or "upload"
    return f"{hashlib.sha256(data).hexdigest()[:16]}_{stem}"


def transcript_html(transcript: Any, chunks: list[Any], lang: str = "zh") -> str:
    """Turns with speaker, role, timestamps and where each chunk begins, as escaped HTML."""
    text = transcript.text
    starts = {c.char_start: n for n, c in enumerate(chunks, 1)}
    role_zh = {"expert": "老师傅", "interviewer": "访谈者", "other": "其他"}
    rows = []
    for turn in transcript.turns:
        cut_points = sorted(p for p in starts if turn.char_start <= p < turn.char_end)
        pieces, pos = [], turn.char_start
        for p in cut_points:
            pieces.append(esc(text[pos:p]))
            c = chunks[starts[p] - 1]
            times = f" {clock(c.t_start)}–{clock(c.t_end)}" if c.t_start is not None else ""
            pieces.append(f'<span class="chunk-cut" title="{esc(c.id)}">✂ {"片段" if lang == "zh" else "chunk"} '
                          f'{starts[p]}{times}</span>')
            pos = p
        pieces.append(esc(text[pos:turn.char_end]))
        role = role_zh.get(turn.role, turn.role) if lang == "zh" else turn.role
        when = clock(turn.start) + (f"–{clock(turn.end)}" if turn.end is not None else "")
        rows.append(f"<tr class='turn-{esc(turn.role)}'><td>{turn.index + 1}</td><td>{esc(turn.speaker)}</td>"
                    f"<td>{esc(role)}</td><td>{esc(when)}</td><td>{''.join(pieces)}</td></tr>")
    head = ("<tr><th>#</th><th>说话人</th><th>角色</th><th>时间</th><th>内容</th></tr>" if lang == "zh"
            else "<tr><th>#</th><th>speaker</th><th>role</th><th>time</th><th>text</th></tr>")
    return (f"<style>.chunk-cut{{background:#fde68a;border-radius:4px;padding:0 4px;margin-right:4px;"
            f"font-size:12px}} .turn-expert td{{background:#f0fdf4}} "
            f"table.transcript td:nth-child(-n+4){{white-space:nowrap}}</style>"
            f"<table class='transcript'>{head}{''.join(rows)}</table>")


class TrainerHandlers:
    """Event handlers of the trainer screens; each checks the caller is a trainer (or admin) first."""

    def __init__(self, ctx: Context, *, draft_in_process: bool = False) -> None:
        self.ctx = ctx
        self.draft_in_process = draft_in_process

    @guarded
    def upload(self, files: list[str] | None, expert: str, trade: str, enterprise: str, when: str,
               consent: bool, lang: str, request: gr.Request, replace: bool = False,
               progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
        """Store each file under uploads/ and ingest it; one row per file, errors in plain words."""
        user = need(self.ctx, request, TRAINER, lang)
        from rag.ingest import ingest_bytes

        if not files:
            raise gr.Error(t("no_files", lang))
        interview_date = _parse_date(when, lang)
        uploads = self.ctx.settings.uploads_dir
        uploads.mkdir(parents=True, exist_ok=True)
        rows = []
        for n, path in enumerate(files):
            name = Path(path).name
            progress((n, len(files)), desc=name)
            if Path(name).suffix.lower() not in SUFFIXES:
                rows.append(_row(name, "failed", error=t("up_not_transcript", lang, name=name,
                                                         kinds=", ".join(SUFFIXES))))
                continue
            data = Path(path).read_bytes()
            # Gradio keeps its own copy in its cache, from which it could serve the file back.
            Path(path).unlink(missing_ok=True)
            if len(data) > self.ctx.settings.max_file_mb * 1024 * 1024:
                rows.append(_row(name, "failed", error=t("up_too_big", lang, name=name,
                                                         mb=self.ctx.settings.max_file_mb)))
                continue
            stored = uploads / _stored_name(data, name)
            kept_before = stored.exists()  # the same bytes uploaded earlier stay
            stored.write_bytes(data)
            result = ingest_bytes(self.ctx, data, name, expert=expert or None, trade=trade or None,
                                  enterprise=enterprise or None, interview_date=interview_date,
                                  consent=bool(consent), uploaded_by=user.username, replace=bool(replace))
            if not result.ok and not kept_before:
                stored.unlink(missing_ok=True)  # a refused upload is not kept
            rows.append(_row(name, result.status, result.title, result.turns, result.chunks,
                             result.error_in(lang) or result.diff, result.transcript_id))
        progress((len(files), len(files)), desc="done")
        ok = sum(r["status"] != "failed" for r in rows)
        shown = [{**r, "status": t(f"up_{r['status']}", lang)} for r in rows]
        df = headed(pd.DataFrame(shown, columns=["file", "status", "title", "turns", "chunks", "message", "id"]), lang)
        # The upload box is emptied: its files were read, stored under uploads/ and removed from Gradio's cache.
        # Each refusal in full under the count: the table's column cuts long sentences.
        said = [t("ingested", lang, ok=ok, bad=len(rows) - ok)]
        said += [f"- **{md_escape(r['file'])}**{'：' if lang == 'zh' else ': '}{md_escape(r['message'])}"
                 for r in rows if r["status"] == "failed" and r["message"]]
        return "\n".join(said), df, None

    @guarded
    def transcripts(self, lang: str, request: gr.Request) -> tuple:
        """Transcript choices for the viewer and the drafting picker."""
        need(self.ctx, request, TRAINER, lang)
        from rag.catalog import list_transcripts

        items = list_transcripts(self.ctx)
        choices = [(f"{x.title} · {x.expert or '?'} · {x.trade or ''} ({x.id[:8]})", x.id) for x in items]
        return gr.update(choices=choices), gr.update(choices=choices), *self.engines(lang, request)

    @guarded
    def view(self, transcript_id: str | None, lang: str, request: gr.Request) -> tuple:
        """One transcript: its metadata and turns with chunk boundaries."""
        need(self.ctx, request, TRAINER, lang)
        from rag.catalog import get_chunks, get_info, get_transcript

        if not transcript_id:
            return "", ""
        info = get_info(self.ctx, transcript_id)
        tr = get_transcript(self.ctx, transcript_id)
        meta = (f"**{esc(info.title)}** · {esc(info.expert or '')} · {esc(info.trade or '')} · "
                f"{esc(info.enterprise or '')} · {esc(info.interview_date or '')} · "
                f"{t('tr_consent' if info.consent else 'tr_no_consent', lang)} · "
                f"{t('tr_counts', lang, turns=info.turns, chunks=info.chunks)} · "
                f"{esc(info.source_name)}")
        return meta, transcript_html(tr, get_chunks(self.ctx, transcript_id), lang)

    @guarded
    def consent_value(self, transcript_id: str | None, lang: str, request: gr.Request) -> Any:
        """The consent checkbox set to what is recorded for this transcript."""
        need(self.ctx, request, TRAINER, lang)
        from rag.catalog import get_info

        return gr.update(value=get_info(self.ctx, transcript_id).consent if transcript_id else False)

    @guarded
    @one_action
    def record_consent(self, transcript_id: str | None, given: bool, lang: str, request: gr.Request) -> tuple:
        """Record whether the master agreed (publishing a course needs it); returns the new header."""
        need(self.ctx, request, TRAINER, lang)
        from rag.catalog import update_metadata

        if not transcript_id:
            raise gr.Error(t("no_tr", lang))
        update_metadata(self.ctx, transcript_id, consent=bool(given))
        meta, _html = self.view(transcript_id, lang, request)
        return meta, t("consent_saved", lang, state=t("consent_yes" if given else "consent_no", lang))

    @guarded
    def engines(self, lang: str, request: gr.Request) -> tuple:
        """The drafting engines on offer: the LLM only when one is configured, else a line on how to get one."""
        need(self.ctx, request, TRAINER, lang)
        choices = [(t("eng_offline", lang), "offline")]
        if self.ctx.settings.llm_base_url and self.ctx.settings.llm_model:
            choices.append((t("eng_llm", lang), "llm"))
            return gr.update(choices=choices, value="offline"), ""
        return gr.update(choices=choices, value="offline"), t("eng_no_llm", lang)

    @guarded
    def draft(self, transcript_ids: list[str] | None, engine: str, lang: str, request: gr.Request,
              progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
        """Draft a course from the chosen transcripts (in the drafting process) and open it for review."""
        user = need(self.ctx, request, TRAINER, lang)
        from ui.web.jobs import run_draft

        if not transcript_ids:
            raise gr.Error(t("no_tr", lang))
        progress(0, desc="drafting")

        def report(*args: Any) -> None:
            frac, desc = _progress_args(args)
            progress(frac, desc=desc)

        course_id, version, title = run_draft(self.ctx, list(transcript_ids), engine=engine or "offline",
                                              created_by=user.username, on_progress=report,
                                              in_process=self.draft_in_process)
        return (t("drafted", lang, title=title, version=version),
                *review.course_pickers(self.ctx, course_id, version))


def _progress_args(args: tuple) -> tuple[float | None, str]:
    """Whatever the drafter reports ((frac, desc), (desc,), (done, total, desc)) as (frac, desc)."""
    numbers = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
    words = " ".join(str(a) for a in args if isinstance(a, str))
    if len(numbers) >= 2 and numbers[1]:
        return min(1.0, numbers[0] / numbers[1]), words
    if numbers:
        return min(1.0, float(numbers[0])), words
    return None, words


def _parse_date(value: str | None, lang: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise gr.Error(t("bad_date", lang, value=value)) from None


def _row(name: str, status: str, title: str = "", turns: int = 0, chunks: int = 0, error: str = "",
         transcript_id: str = "") -> dict:
    return {"file": name, "status": status, "title": title, "turns": turns, "chunks": chunks,
            "message": error, "id": transcript_id}


def _tabs_first(tabs: gr.Tabs) -> None:
    """Keep a tab bar's tabs ahead of the states made inside it.

    The browser numbers a tab by its place among all the children of its gr.Tabs, the server among
    the tabs only; a tab that follows a gr.State is then drawn twice in the bar once selected.
    """
    tabs.children.sort(key=lambda child: not isinstance(child, gr.Tab))


def build(screen: Screen) -> None:
    """The trainer tab: upload, transcripts, draft, then the review screens."""
    h = TrainerHandlers(screen.ctx)
    lang = screen.lang
    with gr.Tabs() as desk:
        with gr.Tab(t("t_upload"), elem_id="t-tab-upload") as tab_up:
            files = screen.label(gr.File(file_count="multiple", file_types=list(SUFFIXES), type="filepath",
                                         label=t("files"), elem_id="t-files"), "files")
            with gr.Row():
                expert = screen.label(gr.Textbox(label=t("expert"), elem_id="t-expert"), "expert")
                trade = screen.label(gr.Textbox(label=t("trade"), elem_id="t-trade"), "trade")
                ent = screen.label(gr.Textbox(label=t("enterprise"), elem_id="t-enterprise"), "enterprise")
                when = screen.label(gr.Textbox(label=t("date"), placeholder="2024-05-18", elem_id="t-date"), "date")
            consent = screen.label(gr.Checkbox(label=t("consent"), elem_id="t-consent"), "consent")
            replace = screen.label(gr.Checkbox(label=t("replace"), elem_id="t-replace"), "replace")
            b_up = screen.btn(gr.Button(t("ingest"), variant="primary", elem_id="t-ingest"), "ingest")
            up_status = gr.Markdown("", elem_id="t-ingest-status")
            up_table = gr.Dataframe(interactive=False, wrap=True, elem_id="t-ingest-table")
        with gr.Tab(t("t_view"), elem_id="t-tab-view") as tab_view:
            pick = screen.label(gr.Dropdown([], label=t("transcript"), elem_id="t-transcript"), "transcript")
            meta = gr.Markdown("", elem_id="t-meta")
            with gr.Row():
                has_consent = screen.label(gr.Checkbox(label=t("consent_now"), elem_id="t-view-consent"),
                                           "consent_now")
                b_consent = screen.btn(gr.Button(t("consent_btn"), elem_id="t-record-consent"), "consent_btn")
            consent_note = gr.Markdown("", elem_id="t-consent-status")
            turns = gr.HTML("", elem_id="t-turns")
        with gr.Tab(t("t_draft"), elem_id="t-tab-draft") as tab_draft:
            chosen = screen.label(gr.CheckboxGroup([], label=t("transcripts"), elem_id="t-draft-pick"), "transcripts")
            engine = screen.label(gr.Radio([(t("eng_offline"), "offline")], value="offline", label=t("engine"),
                                           elem_id="t-engine"), "engine")
            tpl = gr.Markdown("", elem_id="t-engine-note")
            b_draft = screen.btn(gr.Button(t("draft_btn"), variant="primary", elem_id="t-draft"), "draft_btn")
            draft_status = gr.Markdown("", elem_id="t-draft-status")
        review_screen = review.build(screen)
        growth.build_trainer(screen)
    _tabs_first(desk)
    for tab, key in ((tab_up, "t_upload"), (tab_view, "t_view"), (tab_draft, "t_draft")):
        screen.tab(tab, key)

    b_up.click(h.upload, [files, expert, trade, ent, when, consent, lang, replace], [up_status, up_table, files],
               api_name="trainer_upload", concurrency_id="ingest", concurrency_limit=INGEST_LIMIT)
    for tab, name in ((tab_view, "trainer_transcripts_view"), (tab_draft, "trainer_transcripts_draft")):
        tab.select(h.transcripts, lang, [pick, chosen, engine, tpl], api_name=name)
    pick.change(h.view, [pick, lang], [meta, turns], api_name="trainer_view_transcript")
    pick.change(h.consent_value, [pick, lang], has_consent, api_name="trainer_consent_value")
    b_consent.click(h.record_consent, [pick, has_consent, lang], [meta, consent_note],
                    api_name="trainer_record_consent")
    b_draft.click(h.draft, [chosen, engine, lang], [draft_status, *review_screen.pickers], api_name="trainer_draft",
                  concurrency_id="draft", concurrency_limit=DRAFT_LIMIT)
