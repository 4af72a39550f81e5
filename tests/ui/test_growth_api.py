"""Who may see which growth profile, over the API: the server refuses, whatever the caller sends."""

from __future__ import annotations

import pytest
from app_testkit import PASSWORD, make_course, make_users, serve
from backends import library_settings
from gradio_client import Client

from extraction import learning
from shifu import auth
from shifu.context import Context
from shifu.store import session_scope
from shifu.tables import CourseRow

pytestmark = pytest.mark.slow
RIGHT = {"q1": "打磨坡口", "q2": "false", "q3": ["油污", "铁锈"], "q4": "坡口", "q5": "小电流"}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, request):
    settings = library_settings(request, tmp_path_factory.mktemp("growth-api"))
    ctx = Context(settings)
    make_users(settings)
    auth.add_user(ctx, "zhao_trainer", PASSWORD, "trainer", enterprise="温州鞋厂")
    auth.add_user(ctx, "far_worker", PASSWORD, "worker", enterprise="乐清电器")
    make_course(settings, "pub")
    with session_scope(settings) as s:
        s.get(CourseRow, "pub").created_by = "li_trainer"
    for worker in ("wang_worker", "far_worker"):
        learning.submit_quiz(ctx, worker, "pub", RIGHT)
    url, app = serve(settings)
    yield url
    app.close()


def _ask(url: str, user: str, *args):
    client = Client(url, auth=(user, PASSWORD), verbose=False)
    try:
        return client.predict(*args, api_name="/trainer_profile"), None
    except Exception as exc:  # AppError carries the server's refusal
        return None, str(exc)


@pytest.mark.parametrize("user,kind,who", [
    ("li_trainer", "worker", "wang_worker"),  # a learner of their course in their enterprise
    ("boss", "worker", "far_worker"),  # admins see everyone
    ("li_trainer", "trainer", "li_trainer"),
    ("zhao_trainer", "enterprise", "温州鞋厂"),
])
def test_allowed_profiles_are_shown(app_url, user, kind, who):
    html, error = _ask(app_url, user, kind, who, "zh")
    assert error is None and "g-profile" in html


@pytest.mark.parametrize("user,kind,who,refusal", [
    ("zhao_trainer", "worker", "wang_worker", "无权查看"),  # same enterprise, not their course
    ("li_trainer", "worker", "far_worker", "无权查看"),  # their course, another enterprise
    ("zhao_trainer", "trainer", "li_trainer", "只有本人和管理员"),
    ("li_trainer", "enterprise", "乐清电器", "只有管理员和本企业"),
    ("wang_worker", "worker", "wang_worker", "没有权限"),  # workers read their own growth in 我的学习
])
def test_other_profiles_are_refused_on_the_server(app_url, user, kind, who, refusal):
    html, error = _ask(app_url, user, kind, who, "zh")
    assert html is None and refusal in error


def test_my_learning_shows_only_the_callers_own_growth(app_url):
    client = Client(app_url, auth=("wang_worker", PASSWORD), verbose=False)
    page, *_ = client.predict("zh", api_name="/worker_growth_tab")
    assert "g-tier" in page and "坡口" in page
    far = Client(app_url, auth=("far_worker", PASSWORD), verbose=False)
    page, *_ = far.predict("zh", api_name="/worker_growth_tab")
    assert "g-tier" in page  # far_worker's own page, built from the login, not from any argument
