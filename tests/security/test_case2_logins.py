"""Case 2: logins are throttled, checked off the event loop, and sessions end when the account changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from backends import library_settings
from seckit import PASSWORD, make_users

from shifu.auth import add_user, remove_user, set_password, set_role
from shifu.context import Context
from shifu.login_failures import LoginThrottle
from shifu.tables import LoginFailureRow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def served(tmp_path_factory, request):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
    from app_testkit import serve

    settings = library_settings(request, tmp_path_factory.mktemp("login-home"))
    ctx = Context(settings)
    make_users(ctx)
    url, app = serve(settings)
    yield url, app, ctx
    app.close()


@pytest.fixture(scope="module")
def second(served):
    """A second app process on the same database, as behind a load balancer."""
    from app_testkit import serve

    url, app = serve(served[2].settings)
    yield url, app
    app.close()


def _login(http: httpx.Client, user: str, password: str = PASSWORD) -> int:
    return http.post("/login", data={"username": user, "password": password}).status_code


@pytest.mark.case("2 logins")
def test_throttle_backs_off_per_user_and_address(ctx) -> None:
    clock = Clock()
    throttle = LoginThrottle(ctx, clock=clock)
    for _ in range(5):
        assert throttle.wait_s("li", "10.0.0.1") == 0
        throttle.record("li", "10.0.0.1", ok=False)
    first = throttle.wait_s("li", "10.0.0.2")  # the name is held whatever the address
    throttle.record("li", "10.0.0.1", ok=False)
    assert 0 < first < throttle.wait_s("li", "10.0.0.1"), "each further failure waits longer"
    for n in range(20):  # many names from one address: the address is held too
        throttle.record(f"guess{n}", "10.0.0.9", ok=False)
    assert throttle.wait_s("someone-new", "10.0.0.9") > 0 and throttle.wait_s("someone-new", "10.0.0.8") == 0
    clock.now += 10_000
    assert throttle.wait_s("li", "10.0.0.1") == 0
    for _ in range(4):
        throttle.record("li", "10.0.0.1", ok=False)
    assert throttle.wait_s("li", "10.0.0.1") == 0, "after forget_after_s the count starts again"


@pytest.mark.case("2 logins")
def test_every_process_counts_the_same_failures(settings) -> None:
    clock = Clock()
    a, b = LoginThrottle(Context(settings), clock=clock), LoginThrottle(Context(settings), clock=clock)
    for _ in range(5):
        a.record("li", "10.0.0.1", ok=False)
    assert b.wait_s("li", "10.0.0.7") > 0, "the name is held on the other process too"
    for n in range(20):
        a.record(f"guess{n}", "10.0.0.9", ok=False)
    assert b.wait_s("someone-new", "10.0.0.9") > 0, "and so is the address"
    b.record("li", "10.0.0.9", ok=True)
    assert a.wait_s("li", "10.0.0.9") == 0, "a success on one process clears the count on all of them"
    a.record("li", "10.0.0.9", ok=False)
    assert b.wait_s("li", "10.0.0.9") == 0, "counting starts again from nothing"


@pytest.mark.case("2 logins")
def test_a_flood_of_made_up_names_is_forgotten(ctx) -> None:
    clock = Clock()
    throttle = LoginThrottle(ctx, clock=clock)
    for n in range(50):
        throttle.record(f"made-up{n}", f"10.1.0.{n}", ok=False)
    clock.now += throttle.forget_after_s + 60
    throttle.record("one-more", "10.2.0.1", ok=False)
    with ctx.unit_of_work() as s:
        assert s.query(LoginFailureRow).count() == 2, "rows older than forget_after_s are purged on the way"


def _timed_login(http: httpx.Client, user: str, password: str = PASSWORD) -> tuple[int, float]:
    started = time.perf_counter()
    return _login(http, user, password), time.perf_counter() - started


@pytest.mark.case("2 logins")
def test_a_guesser_held_on_one_app_is_held_on_the_other(served, second) -> None:
    (url_a, app_a, _ctx), (url_b, app_b) = served, second
    throttle_a, throttle_b = app_a.login_gate.throttle, app_b.login_gate.throttle
    try:
        with httpx.Client(base_url=url_a, timeout=60) as on_a, httpx.Client(base_url=url_b, timeout=60) as on_b:
            assert {_login(on_a, "li_trainer", "wrong-pw") for _ in range(5)} == {400}
            code, took = _timed_login(on_b, "li_trainer")
            assert code == 400 and took >= 0.5, "B refuses the right password, held, after A's five failures"
            time.sleep(throttle_b.wait_s("li_trainer", "127.0.0.1"))
            assert _login(on_b, "li_trainer") == 200
            assert throttle_a.wait_s("li_trainer", "127.0.0.1") == 0
            code, took = _timed_login(on_a, "li_trainer", "wrong-pw")
            assert code == 400 and took < 0.5, "the success on B cleared A's count: a slip is answered at once"
            throttle_a.clear()
            for n in range(20):  # many names from one address, all on A
                _login(on_a, f"nobody{n}", "wrong-pw")
            code, took = _timed_login(on_b, "wang_worker")
            assert code == 400 and took >= 0.5, "the address is held on B too"
    finally:
        throttle_a.clear()


@pytest.mark.case("2 logins")
def test_wrong_passwords_then_the_right_one_is_held_back(served) -> None:
    url, app, _ctx = served
    throttle = app.login_gate.throttle
    throttle.first_wait_s = 0.5
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            assert {_login(http, "zhao_trainer", "wrong-pw") for _ in range(5)} == {400}
            started = time.perf_counter()
            assert _login(http, "zhao_trainer", "wrong-pw") == 400
            assert time.perf_counter() - started >= 0.4, "past the limit a refusal is held back"
            assert _login(http, "zhao_trainer") == 400, "right after a guessing run, even the right password waits"
            time.sleep(throttle.wait_s("zhao_trainer", "127.0.0.1"))
            assert _login(http, "zhao_trainer") == 200
    finally:
        throttle.first_wait_s = 1.0
        throttle.clear()


@pytest.mark.case("2 logins")
def test_concurrent_logins_do_not_stall_the_server(served) -> None:
    url, app, _ctx = served
    app.login_gate.throttle.free_per_user = app.login_gate.throttle.free_per_address = 10_000
    try:
        def guess(n: int) -> None:
            with httpx.Client(base_url=url, timeout=120) as http:
                _login(http, f"nobody{n}", "wrong-pw")

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
        for th in threads:
            th.start()
        time.sleep(0.2)
        slowest = 0.0
        with httpx.Client(base_url=url, timeout=60) as http:
            for _ in range(5):
                started = time.perf_counter()
                http.get("/login_check")
                slowest = max(slowest, time.perf_counter() - started)
        for th in threads:
            th.join()
        assert slowest < 1.5, f"a trivial request took {slowest:.2f} s while logins were checked"
    finally:
        app.login_gate.throttle.free_per_user, app.login_gate.throttle.free_per_address = 5, 20
        app.login_gate.throttle.clear()


@contextmanager
def _session(url: str, user: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url) as http:
        assert _login(http, user, password) == 200
        assert http.get("/config").status_code == 200
        yield http


@pytest.mark.case("2 logins")
def test_password_change_ends_the_session(served) -> None:
    url, _app, ctx = served
    add_user(ctx, "pw_user", PASSWORD, "worker")
    with _session(url, "pw_user") as http:
        set_password(ctx, "pw_user", "a-new-password")
        assert http.get("/config").status_code == 401


@pytest.mark.case("2 logins")
def test_role_change_ends_the_session(served) -> None:
    url, _app, ctx = served
    add_user(ctx, "role_user", PASSWORD, "trainer")
    with _session(url, "role_user") as http:
        set_role(ctx, "role_user", "worker")
        assert http.get("/config").status_code == 401


@pytest.mark.case("2 logins")
def test_a_removed_users_token_never_works_again_even_when_the_name_returns(served) -> None:
    url, _app, ctx = served
    add_user(ctx, "gone_user", PASSWORD, "worker")
    with _session(url, "gone_user") as http:
        remove_user(ctx, "gone_user")
        add_user(ctx, "gone_user", PASSWORD, "admin")
        assert http.get("/config").status_code == 401


@pytest.mark.case("8 login page")
def test_the_anonymous_page_carries_no_api_schema(served) -> None:
    url, _app, _ctx = served
    with httpx.Client(base_url=url) as http:
        page = http.get("/").text
        assert "window.gradio_api_info = null;" in page and "trainer_upload" not in page
        assert http.get("/gradio_api/info").status_code == 401
        assert _login(http, "boss") == 200
        assert "trainer_upload" in http.get("/").text
