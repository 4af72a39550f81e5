"""Growth screens: 我的学习 for workers; assignments and profiles for trainers; the cockpit (驾驶舱) for admins.

Plots are HTML horizontal bars, the top N and one "others" bar, so 190 enterprises stay readable.
Who may see which profile is decided by the service (extraction.growth.profiles), not by this screen.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr
import pandas as pd

from extraction import cockpit
from extraction.growth import profiles, progress
from ui.web.common import (
    ADMIN,
    TRAINER,
    WORKER,
    Screen,
    add_texts,
    column,
    esc,
    friendly,
    guarded,
    headed,
    need,
    one_action,
    t,
)

add_texts({
    "g_mine": ("我的学习", "My learning"),
    "g_refresh": ("刷新", "Refresh"),
    "g_tier": ("等级", "Tier"),
    "g_skills": ("技能掌握", "Skill mastery"),
    "g_next": ("下一步", "Next steps"),
    "g_reviews": ("今日复习", "Due reviews"),
    "g_history": ("学习记录", "History"),
    "g_paths": ("学习路径", "Paths"),
    "g_certs": ("结业证书", "Certificates"),
    "g_none": ("还没有记录：先去「测验」做一次题。", "Nothing yet: take a quiz first."),
    "g_review_pick": ("复习题", "Review question"),
    "g_review_answer": ("你的答案", "Your answer"),
    "g_review_send": ("提交复习", "Submit review"),
    "g_right": ("✓ 正确（记为 Good），下次复习会更晚。", "✓ right (Good): the next review comes later."),
    "g_wrong": ("✗ 错误（记为 Again），很快会再复习。", "✗ wrong (Again): it comes back soon."),
    "g_cert_pick": ("证书", "Certificate"),
    "g_print": ("打印证书", "Print certificate"),
    "g_assign": ("指派与画像", "Assign & profiles"),
    "g_kind": ("指派类型", "Assign a"),
    "g_target": ("课程编号或路径编号", "Course id or path id"),
    "g_workers": ("职工用户名（逗号分隔；* 或 全部 = 本企业全部职工）",
                  "Worker usernames (comma separated; * = every worker of your enterprise)"),
    "g_due": ("几天内完成", "Due in days"),
    "g_assign_btn": ("指派", "Assign"),
    "g_assigned": ("已指派给 {n} 名职工。", "Assigned to {n} workers."),
    "g_path_title": ("学习路径名称", "Path title"),
    "g_path_trade": ("工种", "Trade"),
    "g_path_tier": ("适用等级", "For tier"),
    "g_path_courses": ("课程编号（按学习顺序，逗号分隔）", "Course ids in order (comma separated)"),
    "g_path_add": ("新建学习路径", "Create path"),
    "g_path_added": ("已新建学习路径 {id}：{title}（指派时填路径编号 {id}）", "Path {id} created: {title} (assign it by id {id})"),
    "g_profile_of": ("画像：职工 / 内训师 / 企业", "Profile: worker / trainer / enterprise"),
    "g_profile_kind": ("画像类型", "Profile kind"),
    "g_profile_btn": ("查看画像", "Show profile"),
    "g_cockpit": ("成长驾驶舱", "Growth cockpit"),
    "g_since": ("起始日期", "From"),
    "g_until": ("截止日期", "To"),
    "g_export": ("导出 CSV", "Export CSV"),
    "g_trade": ("工种", "Trade"),
    "g_skills_of": ("技能列表（工种）", "Skills of a trade"),
    "g_skill_from": ("技能（原名）", "Skill (current name)"),
    "g_skill_to": ("新名称 / 合并到", "New name / merge into"),
    "g_skill_list": ("列出技能", "List skills"),
    "g_skill_rename": ("改名", "Rename"),
    "g_skill_merge": ("合并", "Merge"),
    "g_enterprise": ("企业", "Enterprise"),
    "g_course": ("课程", "course"),
    "g_path": ("学习路径", "path"),
    "g_p_worker": ("职工", "worker"),
    "g_p_trainer": ("内训师", "trainer"),
    "g_p_enterprise": ("企业", "enterprise"),
    "g_files": ("导出的文件", "Exported files"),
    "g_risk": ("风险职工", "At-risk workers"),
    "g_gaps": ("知识缺口", "Knowledge gaps"),
    "g_overdue": ("逾期指派", "Overdue assignments"),
    "g_skill_table": ("技能与参数", "Skills and their parameters"),
    "g_per_enterprise": ("各企业测验次数（前 15 + 其他）", "Attempts per enterprise (top 15 + others)"),
    "g_per_course": ("各课程测验次数（前 15 + 其他）", "Attempts per course (top 15 + others)"),
    "g_per_month": ("每月测验次数", "Attempts per month"),
    "g_tiers": ("等级分布", "Tier distribution"),
    "g_strengths": ("强项", "Strengths"),
    "g_weak": ("薄弱", "Weak points"),
    "g_learner_attempts": ("每月学员测验", "Learner attempts per month"),
    "g_learners": ("本企业学员", "Learners in the enterprise"),
    "g_others": ("其他 {n} 项", "{n} others"),
    "g_assigned_list": ("指派给我的", "Assigned to me"),
    "g_overdue_mark": ("⚠ 已逾期", "⚠ overdue"),
})

_CSS = """<style>
.g-card{border:1px solid #ddd;border-radius:8px;padding:12px;margin:6px 0}
.g-bar{display:flex;align-items:center;margin:3px 0;font-size:14px}
.g-bar .l{width:230px;flex:none;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.g-bar .b{height:14px;background:#2f7ed8;margin-right:6px}
.g-bar .band{height:14px;background:#c6dbf2}
.g-tier{font-size:22px;font-weight:bold}
.g-cert{border:6px double #b8860b;padding:36px;text-align:center;font-size:18px;background:#fffdf5}
@media print{body *{visibility:hidden}.g-cert,.g-cert *{visibility:visible}.g-cert{position:absolute;top:0;left:0;width:100%}}
</style>"""


def bars(rows: list[dict], label: str, value: str, title: str, scale: float | None = None, fmt: str = "{:.0f}") -> str:
    """Horizontal bars as HTML (long labels ellipsised, never overlapping)."""
    # the "others" bar sums many rows: it must not shrink the bars that matter, so it is drawn capped
    named = [r for r in rows if not r.get("others")]
    top = max([float(r[value]) for r in named or rows] + [1e-9]) if scale is None else scale
    out = [f"<div class='g-card'><b>{esc(title)}</b>"]
    for r in rows:
        width = min(360, 360 * float(r[value]) / top)
        out.append(f"<div class='g-bar'><span class='l' title='{esc(r[label])}'>{esc(r[label])}</span>"
                   f"<span class='b' style='width:{width:.0f}px'></span>{esc(fmt.format(float(r[value])))}</div>")
    return "".join(out) + "</div>"


def mastery_bars(skills: list, lang: str) -> str:
    """Each skill's mastery with its uncertainty band, or 'not enough evidence yet'."""
    out = [f"<div class='g-card' id='g-skills'><b>{t('g_skills', lang)}</b>"]
    for st in skills:
        e = st.estimate
        lo, hi = max(0.0, e.p_known - e.band), min(1.0, e.p_known + e.band)
        out.append(f"<div class='g-bar'><span class='l'>{esc(st.skill)}</span>"
                   f"<span class='b' style='width:{300 * lo:.0f}px'></span>"
                   f"<span class='band' style='width:{300 * (hi - lo):.0f}px;margin-right:6px'></span>"
                   f"{esc(e.label(lang))}</div>")
    return "".join(out) + "</div>"


def render_growth(g: progress.Growth, lang: str) -> str:
    """我的学习 as one HTML page: tier and what is missing, skills, next steps, reviews, paths, assignments."""
    if not g.skills and not g.assignments and not g.paths:
        return _CSS + f"<div class='g-card'>{t('g_none', lang)}</div>"
    out = [_CSS]
    for st in g.standings:
        out.append(f"<div class='g-card' id='g-tier'>{esc(st.trade)} · {t('g_tier', lang)}："
                   f"<span class='g-tier'>{esc(st.tier)}</span><br>{esc(st.explain(lang))}</div>")
    out.append(mastery_bars(g.skills, lang))
    out.append(f"<div class='g-card' id='g-next'><b>{t('g_next', lang)}</b><ol>"
               + "".join(f"<li>{esc(x)}</li>" for x in g.next_steps) + "</ol></div>")
    out.append(f"<div class='g-card' id='g-due'><b>{t('g_reviews', lang)}：{len(g.due_reviews)}</b></div>")
    if g.paths:
        out.append(bars([{"p": p.title, "v": 100 * p.done / max(p.total, 1)} for p in g.paths], "p", "v",
                        t("g_paths", lang), scale=100, fmt="{:.0f}%"))
    if g.assignments:
        late = t("g_overdue_mark", lang)
        out.append(f"<div class='g-card'><b>{t('g_assigned_list', lang)}</b><ul>" + "".join(
            f"<li>{esc(a['title'])} — {esc(a['due'])} {'✓' if a['done'] else (late if a['overdue'] else '')}</li>"
            for a in g.assignments) + "</ul></div>")
    return "".join(out)


def certificate_html(c: dict) -> str:
    return (_CSS + "<div class='g-cert' id='g-cert'><div style='font-size:30px;font-weight:bold'>结业证书</div>"
            "<div>Certificate of completion</div><br>"
            f"<div>兹证明 <b>{esc(c['username'])}</b> 已完成课程</div>"
            f"<div style='font-size:24px;margin:12px'>《{esc(c['course'])}》</div>"
            f"<div>并通过测验 · {esc(c['trade'])} · {esc(c['enterprise'])}</div><br><div>{esc(c['date'])}</div></div>")


class GrowthHandlers:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @guarded
    @one_action
    def mine(self, lang: str, request: gr.Request) -> tuple:
        """我的学习 of the calling worker."""
        user = need(self.ctx, request, WORKER, lang)
        g = progress.growth(self.ctx, user.username, lang=lang)
        due = [(self._due_label(d.course_id, d.item_id), f"{d.course_id}|{d.item_id}") for d in g.due_reviews]
        certs = [(f"{c['title']} · {c['at']}", c["course_id"]) for c in g.certificates]
        history = headed(pd.DataFrame(g.history, columns=["course", "score", "passed", "at"]), lang)
        return (render_growth(g, lang), gr.update(choices=due, value=due[0][1] if due else None), history,
                gr.update(choices=certs, value=certs[0][1] if certs else None))

    def _due_label(self, course_id: str, item_id: str) -> str:
        """A due card as the worker knows it: the course and the start of the question."""
        from extraction.learning import published_course
        from shifu.errors import ShifuError

        try:
            _v, draft = published_course(self.ctx, course_id)
        except ShifuError:
            return f"{course_id} · {item_id}"
        stem = next((q.stem for q in draft.quiz if q.id == item_id), item_id)
        return f"{draft.title} · {stem[:24]}"

    @guarded
    def certificate(self, course_id: str | None, lang: str, request: gr.Request) -> str:
        user = need(self.ctx, request, WORKER, lang)
        return certificate_html(progress.certificate(self.ctx, user.username, course_id)) if course_id else ""

    @guarded
    def review_question(self, key: str | None, lang: str, request: gr.Request) -> str:
        need(self.ctx, request, WORKER, lang)
        if not key:
            return ""
        from extraction.learning import published_course

        course_id, item_id = key.split("|", 1)
        _v, draft = published_course(self.ctx, course_id)
        item = next((q for q in draft.quiz if q.id == item_id), None)
        if item is None:
            return ""
        opts = "".join(f"\n- {esc(o)}" for o in item.options) if item.options else (
            "\n- true / 正确\n- false / 错误" if item.type == "true_false" else "")
        return f"**{esc(item.stem)}**{opts}"

    @guarded
    def review_answer(self, key: str | None, answer: str, lang: str, request: gr.Request) -> str:
        user = need(self.ctx, request, WORKER, lang)
        if not key:
            raise gr.Error("今日没有要复习的题 / nothing is due for review today")
        course_id, item_id = key.split("|", 1)
        given = [a.strip() for a in (answer or "").replace("，", ",").split(",") if a.strip()]
        right = progress.review_answer(self.ctx, user.username, course_id, item_id, given)
        return t("g_right" if right else "g_wrong", lang)

    @guarded
    def assign(self, kind: str, target: str, workers: str, days: float | None, lang: str, request: gr.Request) -> str:
        """A trainer or admin assigns a course or a path to workers, with a due date."""
        user = need(self.ctx, request, TRAINER, lang)
        names = [w.strip() for w in (workers or "").replace("，", ",").split(",") if w.strip()]
        # "*" or 全部: every worker of the caller's enterprise
        everyone = names in (["*"], ["全部"])
        n = progress.assign(self.ctx, user.username, kind or "course", (target or "").strip(),
                            [] if everyone else names, int(days) if days else None,
                            enterprise=(user.enterprise or "") if everyone else None)
        return t("g_assigned", lang, n=n)

    @guarded
    def add_path(self, title: str, trade: str, tier: str, courses: str, lang: str, request: gr.Request) -> str:
        """A trainer or admin creates an ordered path of courses for a trade and tier."""
        user = need(self.ctx, request, TRAINER, lang)
        ids = [c.strip() for c in (courses or "").replace("，", ",").split(",") if c.strip()]
        if not (title or "").strip() or not (trade or "").strip():
            raise gr.Error("填写路径名称和工种 / give the path a title and a trade")
        path_id = progress.add_path(self.ctx, trade.strip(), (tier or "").strip(), title.strip(), ids, by=user.username)
        return t("g_path_added", lang, id=path_id, title=title.strip())

    @guarded
    def profile(self, kind: str, who: str, lang: str, request: gr.Request) -> str:
        """A profile as HTML; the service refuses what the caller may not see."""
        user = need(self.ctx, request, TRAINER, lang)
        who = (who or "").strip()
        try:
            if kind == "trainer":
                p = profiles.trainer_profile(self.ctx, user, who)
            elif kind == "enterprise":
                p = profiles.enterprise_profile(self.ctx, user, who)
            else:
                p = profiles.worker_profile(self.ctx, user, who)
        except profiles.NotVisible as exc:
            raise friendly(exc, lang) from exc
        return render_profile(kind, p, lang)

    def _filter(self, ent: str | None, trade: str | None, since: str | None, until: str | None) -> cockpit.CockpitFilter:
        return cockpit.CockpitFilter(ent or None, trade or None, (since or "").strip() or None, (until or "").strip() or None)

    @guarded
    def show_cockpit(self, ent: str | None, trade: str | None, since: str | None, until: str | None, lang: str,
                request: gr.Request) -> tuple:
        """The cockpit for the filters: bars, trends, at-risk workers, gaps, overdue assignments."""
        need(self.ctx, request, ADMIN, lang)
        f = self._filter(ent, trade, since, until)
        tables = self._tables(f)
        every = cockpit.by_enterprise(self.ctx, cockpit.CockpitFilter())
        others = t("g_others", lang)
        html = _CSS + "<div id='g-cockpit'>" + "".join([
            bars(cockpit.top_n(tables["enterprises"], "attempts", "enterprise", others=others), "enterprise", "attempts",
                 t("g_per_enterprise", lang)),
            bars(cockpit.top_n(tables["courses"], "attempts", "course", others=others), "course", "attempts",
                 t("g_per_course", lang)),
            bars(tables["trends"], "month", "attempts", t("g_per_month", lang)),
            bars(tables["tiers"], "tier", "workers", t("g_tiers", lang)),
        ]) + "</div>"
        enterprises = [""] + sorted(r["enterprise"] for r in every)
        return (html, headed(_frame(tables["at_risk"], _RISK), lang), headed(_frame(tables["gaps"], _GAPS), lang),
                headed(_frame(_kinds_named(tables["overdue"], lang), _OVERDUE), lang), gr.update(choices=enterprises))

    def _tables(self, f: cockpit.CockpitFilter) -> dict[str, list[dict]]:
        return {"enterprises": cockpit.by_enterprise(self.ctx, f), "courses": cockpit.by_course(self.ctx, f),
                "trends": cockpit.trends(self.ctx, f), "tiers": cockpit.tier_distribution(self.ctx, f),
                "at_risk": cockpit.at_risk(self.ctx, f), "gaps": cockpit.gap_list(self.ctx),
                "overdue": cockpit.overdue(self.ctx, f)}

    @guarded
    def skills(self, trade: str, lang: str, request: gr.Request) -> pd.DataFrame:
        """A trade's skills with their mastery parameters."""
        need(self.ctx, request, ADMIN, lang)
        from extraction.growth.service import list_skills

        return headed(_skills_frame(list_skills(self.ctx, (trade or "").strip())), lang)

    @guarded
    def curate(self, trade: str, old: str, new: str, merge: bool, lang: str, request: gr.Request) -> pd.DataFrame:
        """Rename a skill, or merge it into another; then list the trade's skills again."""
        need(self.ctx, request, ADMIN, lang)
        from extraction.growth.service import list_skills, merge_skills, rename_skill

        trade, old, new = (trade or "").strip(), (old or "").strip(), (new or "").strip()
        if not old or not new:
            raise gr.Error("填写原技能名和新名称 / give the skill's name and the new one")
        (merge_skills if merge else rename_skill)(self.ctx, trade, old, new)
        return headed(_skills_frame(list_skills(self.ctx, trade)), lang)

    @guarded
    def export(self, ent: str | None, trade: str | None, since: str | None, until: str | None, lang: str,
               request: gr.Request) -> list[str]:
        """Every cockpit table as a CSV file (UTF-8 with BOM so Excel reads the Chinese)."""
        need(self.ctx, request, ADMIN, lang)
        folder = Path(tempfile.mkdtemp(prefix="shifu-cockpit-"))  # Gradio serves no file from the data home
        paths = []
        for name, rows in self._tables(self._filter(ent, trade, since, until)).items():
            path = folder / f"{name}.csv"
            path.write_text("\ufeff" + cockpit.to_csv(rows, _COLUMNS.get(name)), encoding="utf-8")
            paths.append(str(path))
        return paths


# A profile's field names as table columns (ui/web/common.py holds every column's two names).
_FIELD_COLUMNS = {"username": "worker", "passed": "passed_count"}
_SHARES = ("good_rating_share", "pass_rate", "engagement")


_RISK = ["worker", "enterprise", "trade", "last_active", "fails_in_row", "why"]
_GAPS = ["question", "asked_by", "status", "asked", "action"]
_OVERDUE = ["worker", "enterprise", "kind", "target", "due", "by"]
_COLUMNS = {"at_risk": _RISK, "gaps": _GAPS, "overdue": _OVERDUE, "enterprises": ["enterprise", "attempts", "pass_rate"],
            "courses": ["course", "attempts", "pass_rate"], "trends": ["month", "attempts", "pass_rate"],
            "tiers": ["tier", "workers"]}


def _kinds_named(rows: list[dict], lang: str) -> list[dict]:
    """Assignments with their kind (course or path) in the user's words, not the stored value."""
    names = {"course": t("g_course", lang), "path": t("g_path", lang)}
    return [{**r, "kind": names.get(r.get("kind", ""), r.get("kind", ""))} for r in rows]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A table with its headers even when empty (an empty frame shows column numbers)."""
    return pd.DataFrame(rows, columns=columns)


def _skills_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["name", "p_init", "p_learn", "p_slip", "p_guess", "fitted_on"])


def render_profile(kind: str, p: dict, lang: str = "zh") -> str:
    """A profile dict as HTML in the user's language: headline numbers, then its lists as bars."""
    out = [_CSS, "<div class='g-card' id='g-profile'>"]
    colon, sep = ("：", "、") if lang != "en" else (": ", ", ")
    for k, v in p.items():
        if isinstance(v, (str, int, float)) or v is None:
            shown = "—" if v is None else (f"{100 * v:.0f}%" if k in _SHARES else v)
            out.append(f"<div><b>{esc(column(_FIELD_COLUMNS.get(k, k), lang))}</b>{colon}{esc(shown)}</div>")
    out.append("</div>")
    if kind == "worker":
        out.append(bars([{"s": s["skill"], "v": 100 * s["p_known"]} for s in p["skills"]], "s", "v",
                        t("g_skills", lang), scale=100, fmt="{:.0f}%"))
        said = "en" if lang == "en" else "zh"
        out.append("<div class='g-card'>" + "".join(
            f"<div>{esc(x['trade'])} · {esc(x['tier'])} — {esc(x['explain'][said])}</div>" for x in p["tiers"]) + "</div>")
        out.append(f"<div class='g-card'>{t('g_strengths', lang)}{colon}{esc(sep.join(p['strengths']))}<br>"
                   f"{t('g_weak', lang)}{colon}{esc(sep.join(p['weak_points']))}</div>")
    elif kind == "trainer":
        out.append(bars(p["activity"], "month", "attempts", t("g_learner_attempts", lang)))
        out.append(f"<div class='g-card'><b>{t('g_learners', lang)}</b>{colon}" + esc(sep.join(p["learners"]))
                   + "</div>")
    else:
        out.append(bars([{"t": k, "n": v} for k, v in p["tier_distribution"].items()], "t", "n", t("g_tiers", lang)))
    return "".join(out)


def build_worker(screen: Screen) -> None:
    """我的学习, inside the worker tab."""
    h, lang = GrowthHandlers(screen.ctx), screen.lang
    with gr.Tab(t("g_mine"), elem_id="w-tab-growth") as tab:
        b_refresh = screen.btn(gr.Button(t("g_refresh"), elem_id="g-refresh"), "g_refresh")
        page = gr.HTML("", elem_id="g-page")
        with gr.Row():
            due = screen.label(gr.Dropdown([], label=t("g_review_pick"), elem_id="g-due-pick"), "g_review_pick")
            answer = screen.label(gr.Textbox(label=t("g_review_answer"), elem_id="g-review-answer"), "g_review_answer")
            b_review = screen.btn(gr.Button(t("g_review_send"), elem_id="g-review-send"), "g_review_send")
        question = gr.Markdown("", elem_id="g-review-q")
        verdict = gr.Markdown("", elem_id="g-review-verdict")
        history = screen.label(gr.Dataframe(interactive=False, label=t("g_history"), elem_id="g-history"), "g_history")
        with gr.Row():
            cert = screen.label(gr.Dropdown([], label=t("g_cert_pick"), elem_id="g-cert-pick"), "g_cert_pick")
            b_print = screen.btn(gr.Button(t("g_print"), elem_id="g-print"), "g_print")
        cert_html = gr.HTML("", elem_id="g-cert-page")
    screen.tab(tab, "g_mine")
    outs = [page, due, history, cert]
    tab.select(h.mine, lang, outs, api_name="worker_growth_tab")
    b_refresh.click(h.mine, lang, outs, api_name="worker_growth_refresh")
    due.change(h.review_question, [due, lang], question, api_name="worker_growth_review_question")
    b_review.click(h.review_answer, [due, answer, lang], verdict, api_name="worker_growth_review_answer")
    cert.change(h.certificate, [cert, lang], cert_html, api_name="worker_growth_certificate")
    b_print.click(None, None, None, js="() => window.print()")


def build_trainer(screen: Screen) -> None:
    """Assignments and profiles, for trainers (and admins)."""
    h, lang = GrowthHandlers(screen.ctx), screen.lang
    with gr.Tab(t("g_assign"), elem_id="t-tab-growth") as tab:
        with gr.Row():
            kinds = [("g_course", "course"), ("g_path", "path")]
            kind = screen.options(gr.Radio([(t(k), v) for k, v in kinds], value="course", label=t("g_kind"),
                                           elem_id="g-kind"), "g_kind", kinds)
            target = screen.label(gr.Textbox(label=t("g_target"), elem_id="g-target"), "g_target")
            workers = screen.label(gr.Textbox(label=t("g_workers"), elem_id="g-workers"), "g_workers")
            days = screen.label(gr.Number(value=14, label=t("g_due"), elem_id="g-days"), "g_due")
        b_assign = screen.btn(gr.Button(t("g_assign_btn"), variant="primary", elem_id="g-assign"), "g_assign_btn")
        assigned = gr.Markdown("", elem_id="g-assigned")
        with gr.Row():
            p_title = screen.label(gr.Textbox(label=t("g_path_title"), elem_id="g-path-title"), "g_path_title")
            p_trade = screen.label(gr.Textbox(label=t("g_path_trade"), elem_id="g-path-trade"), "g_path_trade")
            p_tier = screen.label(gr.Textbox(label=t("g_path_tier"), elem_id="g-path-tier"), "g_path_tier")
            p_courses = screen.label(gr.Textbox(label=t("g_path_courses"), elem_id="g-path-courses"), "g_path_courses")
        b_path = screen.btn(gr.Button(t("g_path_add"), elem_id="g-path-add"), "g_path_add")
        path_note = gr.Markdown("", elem_id="g-path-note")
        with gr.Row():
            pkinds = [("g_p_worker", "worker"), ("g_p_trainer", "trainer"), ("g_p_enterprise", "enterprise")]
            pkind = screen.options(gr.Radio([(t(k), v) for k, v in pkinds], value="worker",
                                            label=t("g_profile_kind"), elem_id="g-pkind"), "g_profile_kind", pkinds)
            who = screen.label(gr.Textbox(label=t("g_profile_of"), elem_id="g-who"), "g_profile_of")
            b_prof = screen.btn(gr.Button(t("g_profile_btn"), elem_id="g-profile-btn"), "g_profile_btn")
        prof = gr.HTML("", elem_id="g-profile-page")
    screen.tab(tab, "g_assign")
    b_assign.click(h.assign, [kind, target, workers, days, lang], assigned, api_name="trainer_assign")
    b_path.click(h.add_path, [p_title, p_trade, p_tier, p_courses, lang], path_note, api_name="trainer_add_path")
    b_prof.click(h.profile, [pkind, who, lang], prof, api_name="trainer_profile")


def build_cockpit(screen: Screen) -> None:
    """The cockpit, inside the admin tab."""
    h, lang = GrowthHandlers(screen.ctx), screen.lang
    with gr.Tab(t("g_cockpit"), elem_id="a-tab-cockpit") as tab:
        with gr.Row():
            ent = screen.label(gr.Dropdown([""], value="", label=t("g_enterprise"), elem_id="c-enterprise",
                                           allow_custom_value=True), "g_enterprise")
            trade = screen.label(gr.Textbox(label=t("g_trade"), elem_id="c-trade"), "g_trade")
            since = screen.label(gr.Textbox(label=t("g_since"), placeholder="2026-01-01", elem_id="c-since"), "g_since")
            until = screen.label(gr.Textbox(label=t("g_until"), placeholder="2026-12-31", elem_id="c-until"), "g_until")
        with gr.Row():
            b_go = screen.btn(gr.Button(t("g_refresh"), variant="primary", elem_id="c-refresh"), "g_refresh")
            b_csv = screen.btn(gr.Button(t("g_export"), elem_id="c-export"), "g_export")
        files = screen.label(gr.File(file_count="multiple", label=t("g_files"), elem_id="c-files"), "g_files")
        page = gr.HTML("", elem_id="c-page")
        risk = screen.label(gr.Dataframe(interactive=False, label=t("g_risk"), elem_id="c-risk"), "g_risk")
        gaps = screen.label(gr.Dataframe(interactive=False, label=t("g_gaps"), elem_id="c-gaps"), "g_gaps")
        late = screen.label(gr.Dataframe(interactive=False, label=t("g_overdue"), elem_id="c-overdue"), "g_overdue")
        with gr.Row():
            s_trade = screen.label(gr.Textbox(label=t("g_skills_of"), elem_id="c-skill-trade"), "g_skills_of")
            s_old = screen.label(gr.Textbox(label=t("g_skill_from"), elem_id="c-skill-old"), "g_skill_from")
            s_new = screen.label(gr.Textbox(label=t("g_skill_to"), elem_id="c-skill-new"), "g_skill_to")
        with gr.Row():
            b_list = screen.btn(gr.Button(t("g_skill_list"), elem_id="c-skill-list"), "g_skill_list")
            b_rename = screen.btn(gr.Button(t("g_skill_rename"), elem_id="c-skill-rename"), "g_skill_rename")
            b_merge = screen.btn(gr.Button(t("g_skill_merge"), elem_id="c-skill-merge"), "g_skill_merge")
        skill_table = screen.label(gr.Dataframe(interactive=False, label=t("g_skill_table"), elem_id="c-skills"),
                                   "g_skill_table")
    screen.tab(tab, "g_cockpit")
    inputs = [ent, trade, since, until, lang]
    outs = [page, risk, gaps, late, ent]
    tab.select(h.show_cockpit, inputs, outs, api_name="admin_cockpit_tab")
    b_go.click(h.show_cockpit, inputs, outs, api_name="admin_cockpit")
    b_csv.click(h.export, inputs, files, api_name="admin_cockpit_csv")
    b_list.click(h.skills, [s_trade, lang], skill_table, api_name="admin_skills_list")
    b_rename.click(h.curate, [s_trade, s_old, s_new, gr.State(False), lang], skill_table, api_name="admin_skills_rename")
    b_merge.click(h.curate, [s_trade, s_old, s_new, gr.State(True), lang], skill_table, api_name="admin_skills_merge")
