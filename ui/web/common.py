"""What every screen shares: the role guard, the two languages, small formatting helpers.

The guard is the security boundary: every event handler calls :func:`need` with the
Gradio request before doing anything, because an endpoint hidden from the UI is still
callable over the API.
"""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from shifu.auth import ROLES, User, get_user
from shifu.context import Context
from shifu.errors import ShifuError

TRAINER = ("trainer", "admin")  # admins may do what trainers do
WORKER = ROLES  # anyone logged in may study published courses
ADMIN = ("admin",)

LANGS = {"中文": "zh", "English": "en"}

# Concurrency pools: the chat has its own, so a long draft (one at a time) never holds it up.
CHAT_LIMIT = 8
DRAFT_LIMIT = 1
INGEST_LIMIT = 2  # parsing and vectors run outside the writer lock, so two uploads overlap
DEFAULT_LIMIT = 4

_TEXT: dict[str, tuple[str, str]] = {
    # errors
    "login": ("请先登录。", "Please log in first."),
    "error_title": ("无法完成", "Cannot do that"),
    "denied": ("没有权限：{role} 不能执行此操作，需要 {need} 角色。",
               "Not allowed: a {role} may not do this; it needs the role {need}."),
}


def t(key: str, lang: str = "zh", **kw: Any) -> str:
    """The text for `key` in `lang` ('zh' or 'en'); unknown keys show themselves."""
    zh, en = _TEXT.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text


def add_texts(texts: dict[str, tuple[str, str]]) -> None:
    """Screens register their own (zh, en) texts here."""
    _TEXT.update(texts)


_ROLE_NAMES = {"trainer": ("内训师", "trainer"), "worker": ("职工学员", "worker"),
               "admin": ("管理员", "admin")}


def role_name(role: str, lang: str = "zh") -> str:
    zh, en = _ROLE_NAMES.get(role, (role, role))
    return en if lang == "en" else zh


def username_of(request: gr.Request | None) -> str | None:
    """Who is calling, as Gradio's login recorded it."""
    return getattr(request, "username", None) if request is not None else None


def need(ctx: Context, request: gr.Request | None, roles: tuple[str, ...],
         lang: str = "zh") -> User:
    """The calling user when their role is one of `roles`; otherwise a gr.Error refusal."""
    user = get_user(ctx, username_of(request))
    if user is None:
        raise gr.Error(t("login", lang))
    if user.role not in roles:
        need_txt = " / ".join(role_name(r, lang) for r in roles)
        raise gr.Error(t("denied", lang, role=role_name(user.role, lang), need=need_txt))
    return user


def friendly_text(exc: Exception, lang: str = "zh") -> str:
    """A service error in the user's language when the service wrote one in it."""
    if isinstance(exc, ShifuError):
        return exc.in_language(lang)
    return str(exc)


def friendly(exc: Exception, lang: str = "zh") -> gr.Error:
    """A user error as a Gradio error message (no traceback), titled in the user's language."""
    return gr.Error(friendly_text(exc, lang), title=t("error_title", lang))


def _lang_of(args: tuple, kwargs: dict) -> str:
    """The language argument of a handler call (handlers take lang just before the request)."""
    if kwargs.get("lang") in ("zh", "en"):
        return str(kwargs["lang"])
    return next((a for a in reversed(args) if isinstance(a, str) and a in ("zh", "en")), "zh")


def guarded(fn):
    """Turn ShifuError raised by a service into a gr.Error shown to the user."""
    import functools
    import inspect

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except ShifuError as exc:
                raise friendly(exc, _lang_of(args, kwargs)) from exc
        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ShifuError as exc:
            raise friendly(exc, _lang_of(args, kwargs)) from exc
        except gr.Error as exc:
            if exc.title == "Error":  # Gradio's English default
                exc.title = t("error_title", _lang_of(args, kwargs))
            raise
    return wrapper


def one_action(fn):
    """Run a handler as one unit of work: the role check, the service calls and the reads of the reply.

    Only for handlers that neither ingest (the writer commits in steps on purpose) nor wait on a model.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        with self.ctx.unit_of_work():
            return fn(self, *args, **kwargs)
    return wrapper


def esc(text: Any) -> str:
    """HTML-escape user or transcript text before it goes into gr.HTML."""
    return html.escape(str(text if text is not None else ""))


class Screen:
    """What the screen builders share: the application context, the language state, relabelling and load hooks."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.lang = gr.State("zh")
        self._labels: list[tuple[Any, Any, str]] = []  # (component, text key (or key and options), attribute)
        self.on_load: list[Any] = []  # callables taking the Blocks, run after the tabs exist

    def label(self, component: Any, key: str) -> Any:
        """Register a component whose `label` follows the language switch."""
        self._labels.append((component, key, "label"))
        return component

    def md(self, component: Any, key: str) -> Any:
        """Register a Markdown whose text follows the language switch."""
        self._labels.append((component, key, "value"))
        return component

    def btn(self, component: Any, key: str) -> Any:
        """Register a Button whose caption follows the language switch."""
        self._labels.append((component, key, "value"))
        return component

    def tab(self, component: Any, key: str) -> Any:
        self._labels.append((component, key, "label"))
        return component

    def options(self, component: Any, key: str, pairs: list[tuple[str, str]]) -> Any:
        """Register a Radio or Dropdown whose label and option labels ((text key, value) pairs) follow the language."""
        self._labels.append((component, (key, pairs), "options"))
        return component

    def components(self) -> list[Any]:
        return [c for c, _, _ in self._labels]

    def relabel(self, lang: str) -> list[Any]:
        """One update per registered component, in the order of :meth:`components`."""
        return [_relabelled(key, attr, lang) for _, key, attr in self._labels]


def _relabelled(key: Any, attr: str, lang: str) -> Any:
    if attr == "options":
        label, pairs = key
        return gr.update(label=t(label, lang), choices=[(t(k, lang), v) for k, v in pairs])
    return gr.update(**{attr: t(key, lang)})  # type: ignore[arg-type]


add_texts({
    "no_changes": ("两个版本内容相同。", "The two versions are the same."),
    "ch_added": ("新增", "added"),
    "ch_removed": ("删除", "removed"),
    "ch_changed": ("修改", "changed"),
    "sec_line": ("行", "line"),
})

DIFF_CSS = (".item-diff td{padding:2px 8px;vertical-align:top}.item-diff del{background:#fdd;color:#900}"
            ".item-diff ins{background:#dfd;color:#060;text-decoration:none}")


_COLUMNS = {
    "username": ("用户名", "user name"), "role": ("角色", "role"), "enterprise": ("企业", "enterprise"),
    "created": ("创建时间", "created"), "version": ("版本", "version"), "active": ("在用", "in use"),
    "origin": ("来源", "origin"), "by": ("修改人", "by"), "at": ("时间", "at"), "drafts": ("用它起草的课程", "drafts"),
    "course": ("课程", "course"), "trade": ("工种", "trade"), "masters": ("师傅", "masters"),
    "lessons": ("课时", "lessons"), "quiz": ("测验题", "quiz items"), "file": ("文件", "file"),
    "status": ("状态", "status"), "title": ("标题", "title"), "turns": ("发言段", "turns"),
    "chunks": ("片段", "chunks"), "message": ("说明", "message"), "id": ("编号", "id"),
    "rating": ("好评率", "liked by"), "progress": ("我的进度", "my progress"), "language": ("语言", "language"),
    "name": ("模板", "template"), "purpose": ("用途", "purpose"),
    # growth: 我的学习, the cockpit's tables, a trade's skills
    "score": ("得分", "score"), "passed": ("通过", "passed"), "worker": ("职工", "worker"),
    "last_active": ("最近学习", "last active"), "fails_in_row": ("连续未通过", "fails in a row"), "why": ("原因", "why"),
    "question": ("问题", "question"), "asked_by": ("提问人", "asked by"), "asked": ("提问时间", "asked"),
    "action": ("处理", "action"), "kind": ("类型", "kind"), "target": ("对象", "target"), "due": ("截止", "due"),
    "month": ("月份", "month"), "attempts": ("测验次数", "attempts"), "pass_rate": ("通过率", "pass rate"),
    "tier": ("等级", "tier"), "workers": ("职工数", "workers"), "p_init": ("初始掌握", "p(init)"),
    "p_learn": ("学会概率", "p(learn)"), "p_slip": ("失误概率", "p(slip)"), "p_guess": ("猜对概率", "p(guess)"),
    "fitted_on": ("拟合作答数", "fitted on"),
    # growth profiles (worker, trainer, enterprise): their headline numbers
    "trainer": ("内训师", "trainer"), "last_at": ("最近学习", "last active"), "passed_count": ("通过次数", "passed"),
    "courses": ("课程数", "courses"), "published": ("已发布", "published"),
    "workers_reached": ("覆盖职工", "workers reached"), "ratings": ("评价数", "ratings"),
    "good_rating_share": ("好评率（≥4 星）", "good ratings (4+ stars)"),
    "gaps_answered": ("后续访谈补上的知识缺口", "gaps answered by later interviews"),
    "trainers": ("内训师数", "trainers"), "engaged_workers": ("参与学习的职工", "engaged workers"),
    "engagement": ("参与率", "engagement"),
}


def headed(df: Any, lang: str) -> Any:
    """A table with its column names in the user's language."""
    return df.rename(columns={c: (zh if lang != "en" else en) for c, (zh, en) in _COLUMNS.items()})


def column(key: str, lang: str = "zh") -> str:
    zh, en = _COLUMNS.get(key, (key, key))
    return en if lang == "en" else zh


def changes_html(rows: list[tuple[str, Any]], lang: str) -> str:
    """(section, Change) rows as a table: added, removed, changed with the changed words marked."""
    if not rows:
        return f"<p id='diff-none'>{esc(t('no_changes', lang))}</p>"
    out = [f"<style>{DIFF_CSS}</style><table class='item-diff'>"]
    for section, c in rows:
        if c.change == "changed":
            body = "".join(esc(x) if op == "same" else f"<del>{esc(x)}</del>" if op == "del" else f"<ins>{esc(x)}</ins>"
                           for op, x in c.words)
        else:
            body = f"<ins>{esc(c.new)}</ins>" if c.change == "added" else f"<del>{esc(c.old)}</del>"
        out.append(f"<tr class='diff-{c.change}'><td>{esc(t('ch_' + c.change, lang))}</td>"
                   f"<td>{esc(t('sec_' + section, lang))} {esc(c.where)}</td><td style='white-space:pre-wrap'>{body}</td></tr>")
    return "".join(out) + "</table>"
