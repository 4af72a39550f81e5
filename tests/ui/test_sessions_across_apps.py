"""Two app processes on one database (as behind a load balancer): a login is valid on both, outlives
the process that made it, and logout or an account change ends it on both."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from app_testkit import PASSWORD, make_users, serve

from shifu.auth import set_password
from shifu.context import Context
from ui.web.login import LOGIN_NICE


@pytest.fixture
def two_apps(settings):
    make_users(settings)
    first, second = serve(settings), serve(settings)
    yield first, second
    for _url, app in (first, second):
        app.close()


def _login(http: httpx.Client, url: str, user: str = "wang_worker") -> None:
    assert http.post(f"{url}/login", data={"username": user, "password": PASSWORD}).status_code == 200


def test_a_login_on_one_app_is_valid_on_the_other_and_outlives_it(two_apps) -> None:
    (url_a, app_a), (url_b, _app_b) = two_apps
    with httpx.Client(timeout=60) as http:  # one browser: its cookies go to either (same host)
        assert http.get(f"{url_b}/gradio_api/info").status_code == 401
        _login(http, url_a)
        assert http.get(f"{url_b}/config").status_code == 200
        assert http.get(f"{url_b}/gradio_api/info").status_code == 200
        app_a.close()  # the process that made the session is gone
        assert http.get(f"{url_b}/config").status_code == 200


def test_logout_on_one_app_ends_the_session_on_the_other(two_apps) -> None:
    (url_a, _), (url_b, _) = two_apps
    with httpx.Client(timeout=60) as phone, httpx.Client(timeout=60) as pc:
        _login(phone, url_a)
        _login(pc, url_a)
        assert phone.get(f"{url_b}/logout", follow_redirects=False).status_code == 302
        assert phone.get(f"{url_a}/config").status_code == 401
        assert pc.get(f"{url_a}/config").status_code == 401, "logout ends every session of the account"


def test_a_password_change_ends_the_session_on_every_app(two_apps, settings) -> None:
    (url_a, _), (url_b, _) = two_apps
    with httpx.Client(timeout=60) as http:
        _login(http, url_a, "li_trainer")
        assert http.get(f"{url_b}/config").status_code == 200
        set_password(Context(settings), "li_trainer", "a-brand-new-pw")
        assert http.get(f"{url_a}/config").status_code == 401
        assert http.get(f"{url_b}/config").status_code == 401


def test_password_checks_run_below_the_chats_priority(two_apps) -> None:
    (url_a, _), _ = two_apps
    with httpx.Client(timeout=60) as http:
        _login(http, url_a)
    login_threads = [th for th in threading.enumerate() if th.name.startswith("shifu-login")]
    assert login_threads
    for th in login_threads:
        stat = Path(f"/proc/self/task/{th.native_id}/stat").read_text()
        nice = int(stat.rsplit(")", 1)[1].split()[16])  # field 19 of the stat line
        assert nice == LOGIN_NICE
