"""The shifu web app: one Gradio Blocks whose screens depend on the user's role.

`create_app(settings)` builds the application context once and the Blocks on it (testable
without launching); `launch_app(settings, ...)` serves it with login, queue limits and safe file settings.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio rebuilds its monitoring summary (a pandas group-by) after every event by default:
# CPU the chat needs. Once per thousand events is plenty for the /monitoring page.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from shifu.auth import get_user, language_of, set_language  # noqa: E402
from shifu.context import ChatModels, Context  # noqa: E402
from shifu.settings import Settings  # noqa: E402
from ui.web import admin, trainer, worker  # noqa: E402
from ui.web.common import DEFAULT_LIMIT, LANGS, Screen, add_texts, role_name, t, username_of  # noqa: E402
from ui.web.login import GateMiddleware, LoginGate  # noqa: E402
from ui.web.page_state import build_on_demand  # noqa: E402

add_texts({
    "title": ("# 师傅 shifu · 把老师傅的经验变成课程", "# shifu (师傅) · turn masters' know-how into courses"),
    "hello": ("欢迎，{user}（{role}）", "Welcome, {user} ({role})"),
    "logout": ("退出登录", "Log out"),
    "lang": ("语言 / Language", "Language / 语言"),
    "tab_trainer": ("内训师工作台", "Trainer"),
    "tab_worker": ("学习", "Learn"),
    "tab_admin": ("管理", "Admin"),
    "login_msg": ("请输入管理员为您开通的账号：“用户名”（Username）一栏填用户名，“密码”（Password）一栏填密码，"
                  "再点“登录”（Login）。还没有账号或忘了密码，请找本单位的 shifu 管理员开通或重置。",
                  "Enter the account your admin set up for you: your username under “Username”, your password "
                  "under “Password”, then press “Login”. No account yet, or forgot your password? Ask your "
                  "company's shifu admin to create or reset it."),
})


def login_message() -> str:
    """The note on Gradio's login page, Chinese first and English under it: the page comes before any
    language choice, and Gradio words its form (用户名 / Username) by the browser's language."""
    return f'<span lang="zh-CN">{t("login_msg", "zh")}</span><br><span lang="en">{t("login_msg", "en")}</span>'



class _After:
    """Lets a screen's load hook run after the page's own load event (`app.load` becomes `.then`)."""

    def __init__(self, event) -> None:
        self.event = event

    def load(self, fn, inputs=None, outputs=None, **kwargs):
        return self.event.then(fn, inputs, outputs, **kwargs)


def create_app(settings: Settings, *, chat_model: ChatModels | None = None) -> gr.Blocks:
    """Build every screen on a new application context (the edge of the web app)."""
    return build_app(Context(settings, chat_model=chat_model))


def build_app(ctx: Context) -> gr.Blocks:
    """Build every screen on this context; tabs are shown by role when a user loads the page."""
    build_on_demand()  # a page's component configurations made as they are needed (ui/web/page_state.py)
    with gr.Blocks(title="shifu 师傅", analytics_enabled=False) as app:
        screen = Screen(ctx)
        lang = screen.lang
        with gr.Row():
            screen.md(gr.Markdown(t("title")), "title")
            hello = gr.Markdown("")
            lang_pick = gr.Radio(list(LANGS), value="中文", label=t("lang"), scale=0, min_width=220)
            screen.btn(gr.Button(t("logout"), link="/logout", size="sm", scale=0, min_width=100), "logout")
        with gr.Tabs() as tabs:
            with gr.Tab(t("tab_trainer"), id="trainer", visible=False) as tab_trainer:
                trainer.build(screen)
            with gr.Tab(t("tab_worker"), id="worker", visible=False) as tab_worker:
                worker.build(screen)
            with gr.Tab(t("tab_admin"), id="admin", visible=False) as tab_admin:
                admin.build(screen)
        screen.tab(tab_trainer, "tab_trainer")
        screen.tab(tab_worker, "tab_worker")
        screen.tab(tab_admin, "tab_admin")

        def on_load(request: gr.Request):
            """Show only the tabs of the caller's role, in the language they chose last time."""
            user = get_user(ctx, username_of(request))
            role = user.role if user else None
            code = language_of(ctx, user.username) if user else "zh"
            greeting = t("hello", code, user=user.username, role=role_name(user.role, code)) if user else t("login")
            first = {"trainer": "trainer", "worker": "worker", "admin": "admin"}.get(role or "")
            choice = next(k for k, v in LANGS.items() if v == code)
            return (greeting, gr.update(selected=first), gr.update(visible=role in ("trainer", "admin")),
                    gr.update(visible=role in ("worker", "admin")), gr.update(visible=role == "admin"),
                    gr.update(value=choice), code, *screen.relabel(code))

        loaded = app.load(on_load, None, [hello, tabs, tab_trainer, tab_worker, tab_admin, lang_pick, lang,
                                          *screen.components()], api_visibility="private")
        for hook in screen.on_load:
            hook(_After(loaded))  # the screens' first reads run once the user's language is known

        def switch_language(choice: str, request: gr.Request):
            code = LANGS.get(choice, "zh")
            user = get_user(ctx, username_of(request))
            if user is not None and language_of(ctx, user.username) != code:
                set_language(ctx, user.username, code)  # remembered for the next visit
            greeting = t("hello", code, user=user.username, role=role_name(user.role, code)) if user else ""
            return [code, greeting, *screen.relabel(code)]

        # Choosing (not the page load setting the remembered choice) stores it and reloads the page,
        # so tables and texts already on screen come back in the new language too.
        lang_pick.input(switch_language, lang_pick, [lang, hello, *screen.components()],
                        api_visibility="private", queue=False).then(
            None, None, None, js="() => { window.location.reload(); }", api_visibility="private")
    return app


def launch_app(settings: Settings, host: str = "127.0.0.1", port: int = 7860, *,
               block: bool = True, chat_model: ChatModels | None = None) -> gr.Blocks:
    """Serve the app with login against the user table, queue limits and no stray file access."""
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(settings, chat_model=chat_model)  # one for the screens and the login check
    app = build_app(ctx)
    app.queue(default_concurrency_limit=DEFAULT_LIMIT, max_size=256)
    # Logins: throttled, checked off the event loop, sessions ended when the account changes;
    # an anonymous page carries no API description (see ui/web/login.py).
    gate = LoginGate(ctx)
    app.login_gate = gate  # type: ignore[attr-defined]  # for tests and the load benchmark
    app.launch(
        server_name=host, server_port=port, share=False,
        auth=gate.login,  # type: ignore[arg-type]  # Gradio awaits a coroutine here; its stub says a plain bool
        auth_message=login_message(),
        app_kwargs={"middleware": [Middleware(GateMiddleware, gate=gate)]},
        max_file_size=f"{int(settings.max_file_mb * 1024)}kb",
        allowed_paths=[],
        # The data folder (database, uploads, index) is never served, even under the cwd.
        blocked_paths=[str(settings.home.resolve())],
        prevent_thread_lock=not block, quiet=True, show_error=True,  # our own URL line, not Gradio's share=True hint
        footer_links=[], run_history=False,
        ssr_mode=False,
    )
    return app
