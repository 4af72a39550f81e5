"""Role checks over the API: hidden or not, every endpoint refuses callers whose role may not use it."""

from __future__ import annotations

import json

import httpx
import pytest
from app_testkit import PASSWORD, make_course, make_users, serve
from backends import library_settings
from gradio_client import Client

pytestmark = pytest.mark.slow
REFUSED = ("没有权限", "请先登录", "Not allowed", "log in")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, request):
    settings = library_settings(request, tmp_path_factory.mktemp("roles-home"))
    make_users(settings)
    make_course(settings, "pub", status="published")
    make_course(settings, "secret-draft", status="draft", title="未发布的草稿课程")
    url, app = serve(settings)
    yield url
    app.close()


def _client(url: str, user: str) -> Client:
    return Client(url, auth=(user, PASSWORD), verbose=False)


def _endpoints(client: Client) -> dict[str, list]:
    info = client.view_api(print_info=False, return_format="dict")
    return {name: [_sample(p) for p in spec["parameters"]] for name, spec in info["named_endpoints"].items()}


def _sample(param: dict):
    """A value the component accepts, so the call reaches the handler's role check."""
    if param.get("parameter_has_default"):
        return param.get("parameter_default")
    kind = str(param.get("python_type", {}).get("type", ""))
    if kind.startswith("list"):
        return []
    if kind in ("int", "float"):
        return 1
    if kind == "bool":
        return False
    return None


def _call(client: Client, name: str, args: list):
    try:
        return client.predict(*args, api_name=name), None
    except Exception as exc:  # the client raises AppError with the server's message
        return None, str(exc)


def test_every_endpoint_belongs_to_a_role(app_url):
    names = _endpoints(_client(app_url, "boss"))
    assert names, "the app exposes no endpoints"
    assert all(n.lstrip("/").split("_")[0] in ("admin", "trainer", "worker") for n in names), names


@pytest.mark.parametrize("user,forbidden", [("wang_worker", ("admin", "trainer")), ("li_trainer", ("admin",))])
def test_roles_without_rights_are_refused_on_every_endpoint(app_url, user, forbidden):
    client = _client(app_url, user)
    checked = 0
    for name, args in _endpoints(client).items():
        if name.lstrip("/").split("_")[0] not in forbidden:
            continue
        result, error = _call(client, name, args)
        assert error is not None and any(r in error for r in REFUSED), f"{user} was not refused on {name}: {result}"
        checked += 1
    assert checked >= 10


def test_worker_endpoints_work_for_a_worker(app_url):
    client = _client(app_url, "wang_worker")
    table, *_ = client.predict("", "", "", "zh", api_name="/worker_catalogue_tab")
    titles = [row[0] for row in table["data"]]
    assert titles == ["TIG 焊接入门"]  # the draft is not listed


def test_a_worker_cannot_open_a_draft_over_the_api(app_url):
    client = _client(app_url, "wang_worker")
    for name, args in (("/worker_open_course", ("secret-draft", "zh")),
                       ("/worker_read_lesson", ("secret-draft", "0.0", "zh")),
                       ("/worker_start_quiz", ("secret-draft", "zh")),
                       ("/worker_rate", ("secret-draft", 5, "", "zh"))):
        with pytest.raises(Exception, match="not published|not in the list of choices"):
            client.predict(*args, api_name=name)


def test_without_login_nothing_is_served(app_url):
    with pytest.raises(Exception, match="(?i)login|credentials"):
        Client(app_url, verbose=False)
    api = httpx.get(f"{app_url}/gradio_api/info")
    assert api.status_code == 401
    names = [n.lstrip("/") for n in _endpoints(_client(app_url, "boss"))]
    for name in names:
        r = httpx.post(f"{app_url}/gradio_api/call/{name}", json={"data": ["x", "y", "zh"]})
        assert r.status_code == 401, name
        assert httpx.get(f"{app_url}/gradio_api/call/{name}/some-event").status_code == 401, name
    r = httpx.post(f"{app_url}/gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": "x"})
    assert r.status_code == 401
    upload = httpx.post(f"{app_url}/gradio_api/upload", files={"files": ("x.txt", b"hello")})
    assert upload.status_code == 401
    page = httpx.get(app_url)
    assert "TIG" not in page.text and "未发布" not in page.text


def test_a_worker_login_is_refused_over_raw_http(app_url):
    with httpx.Client(base_url=app_url, timeout=30) as http:
        login = http.post("/login", data={"username": "wang_worker", "password": PASSWORD})
        assert login.status_code == 200
        r = http.post("/gradio_api/call/admin_add_user", json={"data": ["evil", "admin", "", "pw123456", "zh"]})
        assert r.status_code == 200
        event_id = r.json()["event_id"]
        stream = http.get(f"/gradio_api/call/admin_add_user/{event_id}").text
        assert stream.startswith("event: error")
        data = json.loads(stream.split("data:", 1)[1])
        assert "没有权限" in data["error"]
        bad = http.post("/login", data={"username": "wang_worker", "password": "wrong"})
        assert bad.status_code == 400
    users = _client(app_url, "boss").predict("zh", api_name="/admin_users")
    assert "evil" not in [row[0] for row in users["data"]]
