"""Admin screens: prompt templates, user accounts, course unpublishing and the dashboard."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from shifu import auth
from shifu.context import Context
from ui.web import growth
from ui.web.common import (
    ADMIN,
    Screen,
    add_texts,
    changes_html,
    esc,
    guarded,
    headed,
    need,
    one_action,
    role_name,
    t,
)

if TYPE_CHECKING:
    from prompts.registry import RenderedPrompt, TemplateSpec

add_texts({
    "adm_prompts": ("提示词模板", "Prompt templates"),
    "adm_users": ("用户管理", "Users"),
    "adm_dash": ("数据驾驶舱", "Dashboard"),
    "template": ("模板", "Template"),
    "yaml": ("模板内容（YAML）", "Template (YAML)"),
    "check_vars": ("检查变量", "Check variables"),
    "preview": ("用示例预览", "Preview on the sample"),
    "save_ver": ("保存为新版本", "Save as a new version"),
    "save_act": ("保存并启用", "Save and activate"),
    "sample_tr": ("试运行用的转写稿", "Sample transcript for a test run"),
    "test_run": ("试运行", "Test run"),
    "output": ("结果", "Result"),
    "history": ("版本历史", "Version history"),
    "ver_a": ("版本 A", "Version A"),
    "ver_b": ("版本 B", "Version B"),
    "diff": ("对比", "Diff"),
    "activate": ("启用版本 A", "Activate version A"),
    "rollback": ("回滚到上一个版本", "Roll back to the previous version"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "role": ("角色", "Role"),
    "enterprise": ("企业", "Enterprise"),
    "add_user": ("添加用户", "Add user"),
    "set_pw": ("修改密码", "Change password"),
    "rm_user": ("删除用户", "Remove user"),
    "refresh": ("刷新", "Refresh"),
    "course": ("课程", "Course"),
    "unpublish": ("撤下发布", "Unpublish"),
    "vars_ok": ("变量检查通过：{vars}", "Variables check passed: {vars}"),
    "saved_ver": ("已保存 {name} 的版本 {version}", "Saved version {version} of {name}"),
    "activated": ("{name} 现在使用版本 {version}", "{name} now uses version {version}"),
    "user_added": ("已添加用户 {user}（{role}）", "Added user {user} ({role})"),
    "pw_set": ("已修改 {user} 的密码", "Changed the password of {user}"),
    "user_rm": ("已删除用户 {user}", "Removed user {user}"),
    "low_rated": ("评分最低的 {n} 门课程（共 {rated} 门有评价）", "The {n} lowest-rated courses (of {rated} rated)"),
    "n_ratings": ("{n} 条评价 · {course}", "{n} ratings · {course}"),
    "no_ratings": ("还没有课程被评价。", "No course has been rated yet."),
    "see_cockpit": ("各课程、各企业的测验次数与通过率，见“成长驾驶舱”（前 15 项 + 其他）。",
                    "Attempts and pass rates per course and per enterprise: see the growth cockpit (top 15 + others)."),
    "rm_pick": ("请先在“用户名”中填写要删除的用户。", "Type the user name to delete first."),
    "rm_self": ("不能删除自己的账号；请另一位管理员操作。", "You cannot delete your own account; ask another admin."),
    "rm_unknown": ("没有用户 {user}。", "There is no user {user}."),
    "rm_confirm": ("确定删除用户 **{user}** 吗？删除后无法恢复（其测验记录和评价会保留）。",
                   "Delete the user **{user}**? This cannot be undone (their quiz results and ratings stay)."),
    "rm_yes": ("确认删除", "Yes, delete"),
    "rm_no": ("取消", "Cancel"),
    "csv_file": ("批量导入用户（CSV：用户名, 角色, 企业[, 密码]）", "Import users (CSV: name, role, enterprise[, password])"),
    "csv_btn": ("导入", "Import"),
    "csv_pick": ("请先选择一个 CSV 文件。", "Choose a CSV file first."),
    "csv_ok": ("已导入 {n} 个用户。未写密码的行已生成初始密码，请转交本人。",
               "Imported {n} user(s). Rows without a password got one, shown below once: hand it over."),
    "csv_none": ("没有导入任何用户：请按下表修正后重新导入。", "No user was imported: fix the rows below and import again."),
    "csv_table": ("| 行 | 用户名 | 结果 | 初始密码 |\n|---|---|---|---|", "| row | name | result | password |\n|---|---|---|---|"),
    "origin_shipped": ("随软件提供", "shipped"),
    "origin_override": ("管理员修改", "edited by an admin"),
    "pick_published": ("请先选择一门已发布的课程。", "Pick a published course first."),
    "unpublished": ("已撤下课程 {title}", "Unpublished {title}"),
    "no_llm": ("未配置大模型（设置 SHIFU_LLM_BASE_URL 和 SHIFU_LLM_MODEL）；下面是将发送的提示词。",
               "No LLM configured (set SHIFU_LLM_BASE_URL and SHIFU_LLM_MODEL); this is the prompt that would be sent."),
    "dash_md": (
        "| 指标 | 数值 |\n|---|---|\n| 内训师 | {trainers} |\n| 职工学员 | {workers} |\n| 转写稿 | {transcripts} |\n"
        "| 课程（草稿 / 审核中 / 已发布） | {draft} / {in_review} / {published} |\n| 覆盖职工 | {reached} |\n"
        "| 测验次数 | {attempts} |\n| 通过率 | {pass_rate} |\n| 平均评分 | {rating} |\n| 待补充的知识缺口 | {gaps} |",
        "| measure | value |\n|---|---|\n| trainers | {trainers} |\n| workers | {workers} |\n| transcripts | {transcripts} |\n"
        "| courses (draft / in review / published) | {draft} / {in_review} / {published} |\n| workers reached | {reached} |\n"
        "| quiz attempts | {attempts} |\n| pass rate | {pass_rate} |\n| average rating | {rating} |\n| open knowledge gaps | {gaps} |"),
})


# What each shipped template is for, in the admin's words (a new template shows its name only).
_PURPOSE = {
    "draft_units": ("起草：从访谈中挑出知识点", "drafting: pick the know-how out of an interview"),
    "draft_outline": ("起草：把知识点排成课程大纲", "drafting: arrange the know-how into an outline"),
    "draft_quiz": ("起草：出测验题", "drafting: write the quiz"),
    "regenerate_item": ("审阅：重新生成一个条目", "review: rewrite one item"),
    "qa": ("问师傅：回答职工的提问", "Ask the master: answer a worker's question"),
}


def template_label(name: str, lang: str = "zh") -> str:
    """A template as the picker lists it: its purpose, then its name."""
    zh, en = _PURPOSE.get(name, ("", ""))
    purpose = en if lang == "en" else zh
    return f"{purpose}（{name}）" if purpose and lang != "en" else f"{purpose} ({name})" if purpose else name


class AdminHandlers:
    """Event handlers of the admin screens; each checks the caller is an admin first."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- prompt templates -------------------------------------------------------------

    @guarded
    def templates(self, request: gr.Request) -> Any:
        """Template names for the picker."""
        need(self.ctx, request, ADMIN)
        from prompts.registry import template_names

        names = template_names()
        return gr.update(choices=[(template_label(n), n) for n in names], value=names[0] if names else None)

    @guarded
    def open_template(self, name: str, lang: str, request: gr.Request) -> tuple:
        """The active YAML of a template, its history and the version pickers."""
        need(self.ctx, request, ADMIN, lang)
        from prompts.registry import get_template, versions

        if not name:
            return "", pd.DataFrame(), gr.update(choices=[]), gr.update(choices=[])
        current = get_template(self.ctx.settings, name)
        choices = [v.version for v in versions(self.ctx.settings, name)]
        return (current.body, self._history(name, lang), gr.update(choices=choices, value=current.version),
                gr.update(choices=choices, value=choices[0] if choices else None))

    def _history(self, name: str, lang: str = "zh") -> pd.DataFrame:
        from extraction.cockpit import drafts_by_template
        from prompts.registry import active_version, versions

        active = active_version(self.ctx.settings, name)
        produced = drafts_by_template(self.ctx, name)
        rows = [{"version": v.version, "active": "✓" if v.version == active else "",
                 "origin": t("origin_" + v.origin, lang), "by": v.created_by or "", "at": str(v.created_at or "")[:19],
                 "drafts": ", ".join(produced.get(v.version, []))}
                for v in versions(self.ctx.settings, name)]
        return headed(pd.DataFrame(rows, columns=["version", "active", "origin", "by", "at", "drafts"]), lang)

    @guarded
    def check_variables(self, name: str, body: str, lang: str, request: gr.Request) -> str:
        """Validate edited YAML: syntax, fields, and that it uses only declared variables."""
        need(self.ctx, request, ADMIN, lang)
        from prompts.registry import shipped

        spec = _edited_spec(name, body)
        allowed = set(shipped(name).spec.variables)
        extra = set(spec.variables) - allowed
        if extra:
            raise gr.Error(f"the edited {name} template needs variables shifu does not pass: "
                           f"{', '.join(sorted(extra))}; use only {', '.join(sorted(allowed))}")
        return t("vars_ok", lang, vars=", ".join(spec.variables))

    @guarded
    def preview(self, name: str, body: str, lang: str, request: gr.Request) -> str:
        """Render the edited YAML with its own sample values."""
        need(self.ctx, request, ADMIN, lang)
        spec = _edited_spec(name, body)
        if not spec.sample:
            raise gr.Error(f"template {name} has no `sample` values to preview with; add them to its YAML")
        return _messages_text(_render_edit(spec, body, spec.sample).messages)

    @guarded
    def save(self, name: str, body: str, activate_now: bool, lang: str, request: gr.Request) -> tuple:
        """Save the edit as a new version (optionally making it active)."""
        user = need(self.ctx, request, ADMIN, lang)
        from prompts.registry import save_override

        saved = save_override(self.ctx.settings, name, body or "", created_by=user.username,
                              activate_now=bool(activate_now))
        msg = t("activated" if activate_now else "saved_ver", lang, name=name, version=saved.version)
        return (msg, *self.open_template(name, lang, request))

    @guarded
    def test_run(self, name: str, body: str, transcript_id: str | None, lang: str,
                 request: gr.Request) -> str:
        """Render the edit on a real transcript and, when an LLM is configured, run it."""
        need(self.ctx, request, ADMIN, lang)
        spec = _edited_spec(name, body)
        variables = dict(spec.sample)
        if transcript_id:
            variables.update(_variables_from_transcript(self.ctx, transcript_id, spec.variables))
        rendered = _render_edit(spec, body, variables)
        prompt = _messages_text(rendered.messages)
        from shifu.errors import ConfigError

        models = self.ctx.chat_model
        try:
            if models is None:
                raise ConfigError("no LLM configured")
            model = models()
        except ConfigError:
            return f"{t('no_llm', lang)}\n\n{prompt}"
        reply = model.invoke([(m["role"], m["content"]) for m in rendered.messages])
        return f"{prompt}\n\n=== reply ===\n{getattr(reply, 'content', reply)}"

    @guarded
    def diff(self, name: str, v1: str, v2: str, lang: str, request: gr.Request) -> str:
        need(self.ctx, request, ADMIN, lang)
        from prompts.registry import changes, versions

        if not (name and v1 and v2):
            return ""
        # whichever picker holds it, the older version is compared against the newer one
        order = [v.version for v in versions(self.ctx.settings, name)]
        old, new = sorted((v1, v2), key=lambda v: order.index(v) if v in order else -1)
        return changes_html([("line", c) for c in changes(self.ctx.settings, name, old, new)], lang)

    @guarded
    def activate(self, name: str, version: str, lang: str, request: gr.Request) -> tuple:
        user = need(self.ctx, request, ADMIN, lang)
        from prompts.registry import activate

        done = activate(self.ctx.settings, name, version, user.username)
        return (t("activated", lang, name=name, version=done.version), *self.open_template(name, lang, request))

    @guarded
    def rollback(self, name: str, lang: str, request: gr.Request) -> tuple:
        user = need(self.ctx, request, ADMIN, lang)
        from prompts.registry import rollback

        done = rollback(self.ctx.settings, name, user.username)
        return (t("activated", lang, name=name, version=done.version), *self.open_template(name, lang, request))

    @guarded
    def transcripts(self, request: gr.Request) -> Any:
        """Transcripts for the test-run picker."""
        need(self.ctx, request, ADMIN)
        from rag.catalog import list_transcripts

        return gr.update(choices=[(f"{x.title} ({x.id[:8]})", x.id) for x in list_transcripts(self.ctx)])

    # --- users ---------------------------------------------------------------------------

    @guarded
    def users(self, lang: str, request: gr.Request) -> pd.DataFrame:
        need(self.ctx, request, ADMIN, lang)
        rows = [{"username": u.username, "role": role_name(u.role, lang), "enterprise": u.enterprise or "",
                 "created": str(u.created_at)[:19]} for u in auth.list_users(self.ctx)]
        return headed(pd.DataFrame(rows, columns=["username", "role", "enterprise", "created"]), lang)

    @guarded
    @one_action
    def add_user(self, username: str, role: str, enterprise: str, password: str, lang: str,
                 request: gr.Request) -> tuple:
        need(self.ctx, request, ADMIN, lang)
        user = auth.add_user(self.ctx, username, password, role, enterprise or None)
        return t("user_added", lang, user=user.username, role=role_name(user.role, lang)), self.users(lang, request)

    @guarded
    @one_action
    def set_password(self, username: str, password: str, lang: str, request: gr.Request) -> tuple:
        need(self.ctx, request, ADMIN, lang)
        auth.set_password(self.ctx, (username or "").strip(), password)
        return t("pw_set", lang, user=username), self.users(lang, request)

    @guarded
    def ask_remove(self, username: str, lang: str, request: gr.Request) -> tuple:
        """Deleting an account asks first: the question and its two buttons appear."""
        me = need(self.ctx, request, ADMIN, lang)
        name = (username or "").strip()
        if not name:
            raise gr.Error(t("rm_pick", lang))
        if name == me.username:
            raise gr.Error(t("rm_self", lang))
        if auth.get_user(self.ctx, name) is None:
            raise gr.Error(t("rm_unknown", lang, user=name))
        return gr.update(visible=True), t("rm_confirm", lang, user=name)

    @guarded
    @one_action
    def remove_user(self, username: str, lang: str, request: gr.Request) -> tuple:
        me = need(self.ctx, request, ADMIN, lang)
        if (username or "").strip() == me.username:
            raise gr.Error(t("rm_self", lang))
        auth.remove_user(self.ctx, (username or "").strip())
        return t("user_rm", lang, user=username), self.users(lang, request), gr.update(visible=False)

    @guarded
    def import_csv(self, path: str | None, lang: str, request: gr.Request) -> tuple:
        """Accounts from a CSV file: one report line per row; all rows or none."""
        need(self.ctx, request, ADMIN, lang)
        from pathlib import Path

        from extraction.user_import import import_users

        if not path:
            raise gr.Error(t("csv_pick", lang))
        raw = Path(path).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")  # saved from Excel on a Chinese Windows
        ok, lines = import_users(self.ctx, text)
        head = t("csv_ok" if ok else "csv_none", lang, n=len(lines))
        rows = [f"| {x.row} | {x.name} | {'✓' if x.ok else '✗'} {x.en if lang == 'en' else x.zh} | {x.password} |"
                for x in lines]
        table = t("csv_table", lang) + "\n" + "\n".join(rows)
        return f"{head}\n\n{table}", self.users(lang, request), None  # the box is ready for the next file

    # --- dashboard and unpublishing -----------------------------------------------------

    @guarded
    def dashboard(self, lang: str, request: gr.Request) -> tuple:
        need(self.ctx, request, ADMIN, lang)
        from extraction.cockpit import dashboard

        d = dashboard(self.ctx)
        md = t("dash_md", lang, trainers=d.trainers, workers=d.workers, transcripts=d.transcripts,
               draft=d.courses_by_status.get("draft", 0), in_review=d.courses_by_status.get("in_review", 0),
               published=d.courses_by_status.get("published", 0), reached=d.workers_reached,
               attempts=d.quiz_attempts,
               pass_rate="—" if d.pass_rate is None else f"{d.pass_rate:.0%}",
               rating="—" if d.average_rating is None else f"{d.average_rating:.1f} / 5 ({d.ratings})",
               gaps=d.open_gaps)
        return (md, low_rated_html(d.per_course, lang) + f"<p>{esc(t('see_cockpit', lang))}</p>",
                gr.update(choices=_published_choices(self.ctx)))

    @guarded
    @one_action
    def unpublish(self, course_id: str | None, lang: str, request: gr.Request) -> str:
        user = need(self.ctx, request, ADMIN, lang)
        from extraction.publishing import unpublish

        if not course_id:
            raise gr.Error(t("pick_published", lang))
        unpublish(self.ctx, course_id, by=user.username)
        return t("unpublished", lang, title=course_id)


LOW_RATED = 15


def low_rated_html(per_course: list[dict], lang: str) -> str:
    """The lowest-rated courses as horizontal bars of their average stars (the fewest ratings last among equals)."""
    rated = [r for r in per_course if r.get("ratings")]
    if not rated:
        return f"<p>{esc(t('no_ratings', lang))}</p>"
    rated.sort(key=lambda r: (r["rating"], -r["ratings"], r["course"]))
    # the number of ratings goes first: a long course name is cut at the end
    rows = [{"course": t("n_ratings", lang, n=r["ratings"], course=r["course"]), "rating": r["rating"]}
            for r in rated[:LOW_RATED]]
    title = t("low_rated", lang, n=len(rows), rated=len(rated))
    return growth._CSS + growth.bars(rows, "course", "rating", title, scale=5.0, fmt="{:.1f} / 5")


def _published_choices(ctx: Context) -> list[tuple[str, str]]:
    from extraction.learning import catalogue

    return [(f"{c.title} (v{c.version})", c.course_id) for c in catalogue(ctx)]


def _edited_spec(name: str, body: str) -> TemplateSpec:
    """The admin's edited YAML parsed; a mistake is reported against the template's name."""
    from prompts.registry import parse_template

    return parse_template(body or "", f"the edited {name} template")


def _render_edit(spec: TemplateSpec, body: str, variables: dict[str, Any]) -> RenderedPrompt:
    """The edited (unsaved) template rendered with `variables`."""
    from prompts.registry import PromptTemplate, content_version, render_template

    return render_template(PromptTemplate(spec, content_version(spec), body, "edit"), variables)


def _messages_text(messages: list[dict[str, str]]) -> str:
    return "\n\n".join(f"=== {m['role']} ===\n{m['content']}" for m in messages)


def _variables_from_transcript(ctx: Context, transcript_id: str, wanted: list[str]) -> dict[str, Any]:
    """Fill the template's usual variables from a real transcript, for a test run."""
    from rag.catalog import get_chunks, get_transcript

    tr = get_transcript(ctx, transcript_id)
    sentences = [s for turn in tr.expert_turns() for s in re.split(r"(?<=[。！？!?.])\s*", turn.text) if s.strip()][:12]
    values: dict[str, Any] = {
        "title": tr.title, "expert": tr.expert or "", "language": tr.language,
        "sentences": [{"id": f"s{i}", "text": s} for i, s in enumerate(sentences, 1)],
        "units": [{"id": f"u{i}", "kind": "fact", "text": s} for i, s in enumerate(sentences, 1)],
        "sources": [{"n": i, "title": tr.title, "speaker": ", ".join(c.speakers), "text": c.text}
                    for i, c in enumerate(get_chunks(ctx, transcript_id)[:3], 1)],
    }
    return {k: v for k, v in values.items() if k in wanted}


def build(screen: Screen) -> None:
    """The admin tab: templates, users, dashboard."""
    h = AdminHandlers(screen.ctx)
    lang = screen.lang
    with gr.Tabs():
        with gr.Tab(t("adm_prompts")) as tab_p:
            with gr.Row():
                name = screen.label(gr.Dropdown([], label=t("template"), elem_id="tpl-name"), "template")
                sample_tr = screen.label(gr.Dropdown([], label=t("sample_tr")), "sample_tr")
            body = screen.label(gr.Code("", language="yaml", label=t("yaml"), interactive=True,
                                        elem_id="tpl-body"), "yaml")
            with gr.Row():
                b_check = screen.btn(gr.Button(t("check_vars")), "check_vars")
                b_prev = screen.btn(gr.Button(t("preview")), "preview")
                b_test = screen.btn(gr.Button(t("test_run")), "test_run")
                b_save = screen.btn(gr.Button(t("save_ver")), "save_ver")
                b_save_act = screen.btn(gr.Button(t("save_act"), variant="primary", elem_id="tpl-save-act"),
                                        "save_act")
            status = gr.Markdown("", elem_id="tpl-status")
            out = screen.label(gr.Textbox("", label=t("output"), lines=8, max_lines=30), "output")
            hist = screen.label(gr.Dataframe(label=t("history"), interactive=False, elem_id="tpl-history"),
                                "history")
            with gr.Row():
                v_a = screen.label(gr.Dropdown([], label=t("ver_a")), "ver_a")
                v_b = screen.label(gr.Dropdown([], label=t("ver_b")), "ver_b")
                b_diff = screen.btn(gr.Button(t("diff"), elem_id="tpl-diff-btn"), "diff")
                b_act = screen.btn(gr.Button(t("activate")), "activate")
                b_rb = screen.btn(gr.Button(t("rollback"), elem_id="tpl-rollback"), "rollback")
            diff_out = gr.HTML("", elem_id="tpl-diff")
        with gr.Tab(t("adm_users")) as tab_u:
            users = gr.Dataframe(interactive=False, elem_id="users-table")
            with gr.Row():
                u_name = screen.label(gr.Textbox(label=t("username"), elem_id="new-username"), "username")
                u_role = screen.label(gr.Dropdown([(role_name(r), r) for r in auth.ROLES], value="worker", label=t("role"),
                                                  elem_id="new-role"), "role")
                u_ent = screen.label(gr.Textbox(label=t("enterprise"), elem_id="new-enterprise"), "enterprise")
                u_pw = screen.label(gr.Textbox(label=t("password"), type="password", elem_id="new-password"),
                                    "password")
            with gr.Row():
                b_add = screen.btn(gr.Button(t("add_user"), variant="primary", elem_id="add-user"), "add_user")
                b_pw = screen.btn(gr.Button(t("set_pw")), "set_pw")
                b_rm = screen.btn(gr.Button(t("rm_user"), variant="stop", elem_id="rm-user"), "rm_user")
            with gr.Row(visible=False) as confirm_row:
                rm_question = gr.Markdown("", elem_id="rm-question")
                b_rm_yes = screen.btn(gr.Button(t("rm_yes"), variant="stop", elem_id="rm-yes"), "rm_yes")
                b_rm_no = screen.btn(gr.Button(t("rm_no"), elem_id="rm-no"), "rm_no")
            u_status = gr.Markdown("", elem_id="users-status")
            with gr.Row():
                csv_file = screen.label(gr.File(file_types=[".csv"], type="filepath", label=t("csv_file"),
                                                elem_id="csv-file"), "csv_file")
                b_csv = screen.btn(gr.Button(t("csv_btn"), elem_id="csv-import"), "csv_btn")
            csv_report = gr.Markdown("", elem_id="csv-report")
        with gr.Tab(t("adm_dash")) as tab_d:
            b_refresh = screen.btn(gr.Button(t("refresh")), "refresh")
            dash_md = gr.Markdown("", elem_id="dash-md")
            # Per-course bar plots smeared hundreds of course names into one black line; the counts by status
            # are in the table above, attempts per course in the cockpit: what is left is which courses
            # workers rate worst, as horizontal bars that stay readable with any number of courses.
            low_rated = gr.HTML("", elem_id="dash-ratings")
            with gr.Row():
                pub = screen.label(gr.Dropdown([], label=t("course")), "course")
                b_unpub = screen.btn(gr.Button(t("unpublish"), variant="stop"), "unpublish")
            d_status = gr.Markdown("")
        growth.build_cockpit(screen)
    for tab, key in ((tab_p, "adm_prompts"), (tab_u, "adm_users"), (tab_d, "adm_dash")):
        screen.tab(tab, key)

    opened = [body, hist, v_a, v_b]
    tab_p.select(h.templates, None, name, api_name="admin_templates")
    tab_p.select(h.transcripts, None, sample_tr, api_name="admin_sample_transcripts")
    name.change(h.open_template, [name, lang], opened, api_name="admin_open_template")
    b_check.click(h.check_variables, [name, body, lang], status, api_name="admin_check_variables")
    b_prev.click(h.preview, [name, body, lang], out, api_name="admin_preview")
    b_test.click(h.test_run, [name, body, sample_tr, lang], out, api_name="admin_test_run",
                 concurrency_id="draft", concurrency_limit=1)
    b_save.click(h.save, [name, body, gr.State(False), lang], [status, *opened], api_name="admin_save_template")
    b_save_act.click(h.save, [name, body, gr.State(True), lang], [status, *opened],
                     api_name="admin_save_activate_template")
    b_diff.click(h.diff, [name, v_a, v_b, lang], diff_out, api_name="admin_diff_template")
    b_act.click(h.activate, [name, v_a, lang], [status, *opened], api_name="admin_activate_template")
    b_rb.click(h.rollback, [name, lang], [status, *opened], api_name="admin_rollback_template")

    tab_u.select(h.users, lang, users, api_name="admin_users")
    b_add.click(h.add_user, [u_name, u_role, u_ent, u_pw, lang], [u_status, users], api_name="admin_add_user")
    b_pw.click(h.set_password, [u_name, u_pw, lang], [u_status, users], api_name="admin_set_password")
    b_rm.click(h.ask_remove, [u_name, lang], [confirm_row, rm_question], api_name="admin_ask_remove_user")
    b_rm_yes.click(h.remove_user, [u_name, lang], [u_status, users, confirm_row], api_name="admin_remove_user")
    b_rm_no.click(lambda: gr.update(visible=False), None, confirm_row, api_visibility="private")
    b_csv.click(h.import_csv, [csv_file, lang], [csv_report, users, csv_file], api_name="admin_import_users")

    dash_out = [dash_md, low_rated, pub]
    tab_d.select(h.dashboard, lang, dash_out, api_name="admin_dashboard")
    b_refresh.click(h.dashboard, lang, dash_out, api_name="admin_dashboard_refresh")
    b_unpub.click(h.unpublish, [pub, lang], d_status, api_name="admin_unpublish")
