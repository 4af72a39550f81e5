"""Admin and trainer screen handlers that need no index: templates, users, uploads refused, chat streaming."""

from __future__ import annotations

import gradio as gr
import pytest
from app_testkit import PASSWORD, make_course, make_users

from extraction import learning
from prompts.registry import active_version, shipped
from shifu.auth import authenticate
from shifu.context import Context
from shifu.settings import load_settings
from ui.web.admin import AdminHandlers
from ui.web.trainer import TrainerHandlers
from ui.web.worker import WorkerHandlers


def req(user: str | None) -> gr.Request:
    return gr.Request(username=user)


@pytest.fixture
def admin(ctx, settings):
    make_users(settings)
    return AdminHandlers(ctx)


def test_template_edit_is_checked_previewed_saved_and_rolled_back(admin, settings):
    body, history, _a, _b = admin.open_template("qa", "zh", req("boss"))
    assert body.startswith("name: qa") and list(history["来源"]) == ["随软件提供"]
    edited = body.replace("description: ", "description: (修订) ", 1)
    assert "question, sources" in admin.check_variables("qa", edited, "zh", req("boss"))
    with pytest.raises(gr.Error, match="not listed under `variables`|does not pass"):
        admin.check_variables("qa", edited.replace("{{ s.text }}", "{{ secret }}"), "zh", req("boss"))
    assert "焊缝发蓝" in admin.preview("qa", edited, "zh", req("boss"))
    assert "未配置大模型" in admin.test_run("qa", edited, None, "zh", req("boss"))
    status, body2, history2, *_ = admin.save("qa", edited, True, "zh", req("boss"))
    assert "现在使用版本" in status and "(修订)" in body2
    assert list(history2["修改人"]) == ["", "boss"] and list(history2["在用"]) == ["", "✓"]
    assert active_version(settings, "qa") != shipped("qa").version
    diff = admin.diff("qa", shipped("qa").version, active_version(settings, "qa"), "zh", req("boss"))
    assert "(修订)</ins>" in diff and "新增" not in diff  # an edited line, its new words marked
    assert diff == admin.diff("qa", active_version(settings, "qa"), shipped("qa").version, "zh", req("boss"))
    status, body3, *_ = admin.rollback("qa", "zh", req("boss"))
    assert active_version(settings, "qa") == shipped("qa").version and "(修订)" not in body3


def test_users_are_managed_by_the_admin_only(admin, ctx):
    msg, table = admin.add_user("zhao", "worker", "温州鞋厂", "pw-zhao-1", "zh", req("boss"))
    assert "已添加用户 zhao" in msg and "zhao" in list(table["用户名"])
    admin.set_password("zhao", "pw-zhao-2", "zh", req("boss"))
    assert authenticate(ctx, "zhao", "pw-zhao-2")
    with pytest.raises(gr.Error, match="不能删除自己的账号"):
        admin.remove_user("boss", "zh", req("boss"))
    shown, question = admin.ask_remove("zhao", "zh", req("boss"))
    assert shown["visible"] and "确定删除用户 **zhao**" in question  # asked before it is done
    admin.remove_user("zhao", "zh", req("boss"))
    assert not authenticate(ctx, "zhao", "pw-zhao-2")
    for who in ("li_trainer", "wang_worker", None):
        with pytest.raises(gr.Error, match="没有权限|请先登录"):
            admin.add_user("evil", "admin", "", PASSWORD, "zh", req(who))


def test_dashboard_and_unpublish(ctx, admin, settings):
    make_course(settings, "pub")
    learning.rate_course(ctx, "wang_worker", "pub", 2)
    md, low_rated, pub = admin.dashboard("zh", req("boss"))
    assert "| 课程（草稿 / 审核中 / 已发布） | 0 / 0 / 1 |" in md
    assert "评分最低的 1 门课程" in low_rated and "1 条评价 · TIG 焊接入门" in low_rated and "2.0 / 5" in low_rated
    assert [v for _, v in pub["choices"]] == ["pub"]
    assert "已撤下" in admin.unpublish("pub", "zh", req("boss"))
    assert WorkerHandlers(ctx).catalogue("", "", "", "zh", req("wang_worker"))[1]["choices"] == []


def test_uploads_are_type_checked_size_limited_and_not_left_in_gradios_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIFU_MAX_FILE_MB", "0.001")
    settings = load_settings()
    ctx = Context(settings)
    make_users(settings)
    trainer = TrainerHandlers(ctx)
    big, exe = tmp_path / "big.txt", tmp_path / "tool.exe"
    big.write_text("问：你好？\n张师傅：" + "焊" * 2000, encoding="utf-8")
    exe.write_bytes(b"MZ\x90\x00")
    msg, table, _files = trainer.upload([str(big), str(exe)], "", "", "", "", True, "zh", req("li_trainer"))
    assert "0 个文件已入库，2 个失败" in msg
    messages = dict(zip(table["文件"], table["说明"], strict=True))
    assert "超过" in messages["big.txt"] and "不是师傅能读的转写稿格式" in messages["tool.exe"]
    assert "SHIFU_MAX_FILE_MB" not in messages["big.txt"], "no setting's name in a trainer's words"
    assert list(table["状态"]) == ["失败", "失败"]
    assert not big.exists(), "Gradio's cached copy of an upload is removed once read"
    with pytest.raises(gr.Error, match="YYYY-MM-DD"):
        trainer.upload([str(exe)], "", "", "", "18/05/2024", True, "zh", req("li_trainer"))


def test_llm_mode_chat_streams_words_then_citations(ctx, settings, monkeypatch):
    from rag import answer as answer_mod
    from shifu.models import Answer, AnswerCitation

    make_users(settings)

    def fake_answer(settings, question, *, scope, asked_by, on_token=None, **kw):
        assert scope == "published"  # workers only ever search published material
        for word in ("先", "打磨", "坡口"):
            on_token(word)
        cite = AnswerCitation(n=1, transcript_id="t", chunk_id="c", quote="先打磨坡口", start=0, end=5,
                              transcript_title="王师傅访谈", speaker="王师傅")
        return Answer(question=question, answer="先打磨坡口 [1]", citations=[cite], mode="llm")

    monkeypatch.setattr(answer_mod, "answer_question", fake_answer)
    updates = [h for h, _ in WorkerHandlers(ctx).ask_stream("焊前做什么？", [], req("wang_worker"))]
    assert updates[1][-1]["content"] == "先" and updates[3][-1]["content"] == "先打磨坡口"
    final = updates[-1]
    assert final[-1]["metadata"]["title"] == "[1] 王师傅访谈 · 王师傅" and final[-1]["metadata"]["status"] == "done"


def test_thumbs_up_and_down_are_stored_with_the_question(ctx, settings):
    from shifu.store import session_scope
    from shifu.tables import AnswerFeedbackRow

    make_users(settings)
    history = [{"role": "user", "content": "焊前做什么？"}, {"role": "assistant", "content": "先打磨坡口"},
               {"role": "assistant", "content": "> 先打磨坡口", "metadata": {"title": "[1] 王师傅访谈"}}]
    w = WorkerHandlers(ctx)
    w.feedback(history, gr.LikeData(None, {"index": 1, "value": "先打磨坡口", "liked": True}), req("wang_worker"))
    w.feedback(history, gr.LikeData(None, {"index": 1, "value": "先打磨坡口", "liked": False}), req("wang_worker"))
    with session_scope(settings) as s:
        rows = [(r.question, r.answer, r.helpful) for r in s.query(AnswerFeedbackRow).order_by(AnswerFeedbackRow.id)]
    assert rows == [("焊前做什么？", "先打磨坡口", True), ("焊前做什么？", "先打磨坡口", False)]
    with pytest.raises(gr.Error, match="请先登录"):
        w.feedback(history, gr.LikeData(None, {"index": 1, "value": "x", "liked": True}), req(None))


def test_publishing_without_consent_is_refused_in_words(ctx, settings):
    from ui.web.review import ReviewHandlers

    make_users(settings)
    make_course(settings, "c1", status="in_review")  # its source transcript has no consent on record
    with pytest.raises(gr.Error, match="还没有记录师傅的同意"):
        ReviewHandlers(ctx).set_status("c1", "published", "zh", req("li_trainer"))
    with pytest.raises(gr.Error, match="没有权限"):
        ReviewHandlers(ctx).set_status("c1", "published", "zh", req("wang_worker"))


def test_users_are_imported_from_csv_all_or_none(ctx, admin, tmp_path):
    from shifu import auth

    bad = tmp_path / "bad.csv"
    bad.write_text("用户名,角色,企业\n张三,职工学员,温州瓯江阀门\n李四,厨师,温州瓯江阀门\n", encoding="utf-8")
    report, _table, _box = admin.import_csv(str(bad), "zh", req("boss"))
    assert "没有导入任何用户" in report and "| 2 | 李四 | ✗ 角色“厨师”无法识别" in report
    assert "| 1 | 张三 | ✗ 未导入" in report and auth.get_user(ctx, "张三") is None  # nothing half-imported
    good = tmp_path / "good.csv"
    good.write_text("张三,职工学员,温州瓯江阀门\n李四,trainer,温州瓯江阀门,secret-pw-9\n", encoding="gb18030")
    report, table, _box = admin.import_csv(str(good), "zh", req("boss"))
    assert "已导入 2 个用户" in report and "| 1 | 张三 | ✓ 已导入 |" in report
    assert auth.get_user(ctx, "李四").role == "trainer" and "张三" in list(table["用户名"])
