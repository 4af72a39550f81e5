"""The app's handlers end to end without a browser: upload, view, draft, review, publish, study, export.

Real ingest (Chroma + BM25 in a temp dir), real drafting, real SQLite; the Gradio request
is built by hand with the caller's username, as Gradio does after login.
"""

from __future__ import annotations

import shutil
import zipfile

import gradio as gr
import pytest
from app_testkit import CORPUS, make_users
from fake_chat import FakeChat

from extraction.review import load
from rag.markdown import md_escape
from shifu.context import Context
from ui.web.review import ReviewHandlers
from ui.web.trainer import TrainerHandlers
from ui.web.worker import WorkerHandlers

pytestmark = pytest.mark.slow


def req(user: str) -> gr.Request:
    return gr.Request(username=user)


@pytest.fixture
def published(ctx, settings, tmp_path):
    """A course drafted from the GBK welding interview, one quiz item edited, then published."""
    make_users(settings)
    trainer = TrainerHandlers(ctx, draft_in_process=True)
    upload = tmp_path / "welding_tig_mig_zh_gbk.txt"
    shutil.copy(CORPUS / "welding_tig_mig_zh_gbk.txt", upload)
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02binary\xff\xfe\x00")
    message, table, _files = trainer.upload([str(upload), str(bad)], "张建国", "焊工", "温州瓯江阀门", "2024-03-12", True,
                                    "zh", req("li_trainer"))
    assert "1 个文件已入库，1 个失败" in message
    rows = table.set_index("文件")
    assert rows.loc["welding_tig_mig_zh_gbk.txt", "状态"] == "已添加"
    assert rows.loc["broken.txt", "状态"] == "失败"
    assert "broken.txt" in rows.loc["broken.txt", "说明"]  # one line naming the file
    # the refusal in full under the count too (the table's column cuts a long sentence)
    assert "- **broken.txt**：" + md_escape(rows.loc["broken.txt", "说明"]) in message
    transcript_id = rows.loc["welding_tig_mig_zh_gbk.txt", "编号"]
    assert list(settings.uploads_dir.iterdir()), "the upload is kept under SHIFU_HOME/uploads"
    meta, html = trainer.view(transcript_id, "zh", req("li_trainer"))
    assert "张师傅" in html and "老师傅" in html and "片段 1" in html and "张建国" in meta and "师傅已同意" in meta
    status, course_upd, version_upd = trainer.draft([transcript_id], "offline", "zh", req("li_trainer"))
    course_id, version = course_upd["value"], version_upd["value"]
    assert "已起草" in status and version == 1
    return ctx, course_id, transcript_id


def test_trainer_reviews_edits_publishes_and_exports(published):
    ctx, course_id, transcript_id = published
    review = ReviewHandlers(ctx)
    items, status, *_heads = review.show(course_id, 1, None, "zh", req("li_trainer"))
    assert items["choices"][0][1] == "c:" and "正在查看：第 1 版（草稿）" in status
    quiz_key = next(v for _, v in items["choices"] if v.startswith("q:"))
    stem, qtype, options, answer, expl, cites, quotes, flags, _box = review.open_item(
        course_id, 1, quiz_key, "zh", req("li_trainer"))
    assert quotes.startswith("> [1]") and cites["choices"]
    span = review.show_span(course_id, 1, quiz_key, 0, "zh", req("li_trainer"))
    assert "<mark id='cited-span'>" in span
    saved, _c, v_upd, kept = review.edit(course_id, 1, quiz_key, stem + "（改）", None, options, answer, expl, "",
                                         "save", "zh", req("li_trainer"))
    assert v_upd["value"] == 2 and "第 2 版" in saved and kept["value"] == quiz_key  # the selection stays
    _info, v2 = load(ctx, course_id, 2)
    assert any(q.stem.endswith("（改）") for q in v2.quiz)
    diff = review.diff(course_id, 1, 2, "zh", req("li_trainer"))
    assert "<ins>" in diff and "（改" in diff  # the word diff marks the addition (a stem ending "（多选）" splits it)
    assert "最新：第 2 版（审核中）" in review.set_status(course_id, "in_review", "zh", req("li_trainer"))[0]
    assert "学员看到：第 2 版" in review.set_status(course_id, "published", "zh", req("li_trainer"))[0]
    note, paths = review.export(course_id, None, None, "zh", req("li_trainer"))
    assert len(paths) == 7 and "已导出 7" in note
    assert all(not p.startswith(str(ctx.settings.home)) for p in paths)
    scorm = next(p for p in paths if p.endswith(".scorm.zip"))
    assert "imsmanifest.xml" in zipfile.ZipFile(scorm).namelist()


def test_worker_studies_the_published_course(published):
    ctx, course_id, _tid = published
    review = ReviewHandlers(ctx)
    review.set_status(course_id, "in_review", "zh", req("li_trainer"))
    review.set_status(course_id, "published", "zh", req("li_trainer"))
    w = WorkerHandlers(ctx)
    table, courses, trades, _ents, _langs, _note, _shown = w.catalogue("焊工", "", "", "zh", req("wang_worker"))
    assert [v for _, v in courses["choices"]] == [course_id]
    lessons, body = w.open_course(course_id, "zh", req("wang_worker"))
    # the course opens on its key takeaways, ranked, each naming the lesson that teaches it
    (first_label, first_key), (_label, lesson_key), *_ = lessons["choices"]
    assert first_key == lessons["value"] == "key" and "核心要点" in first_label
    assert "核心要点" in body and body.count("见第 ") >= 10 and "1\\. **" in body
    body = w.read_lesson(course_id, lesson_key, "zh", req("wang_worker"))
    assert "> " in body and "焊工老师傅谈氩弧焊" in body  # where each point was said
    english = w.read_lesson(course_id, "key", "en", req("wang_worker"))
    assert "Key takeaways" in english and "lesson 1." in english and "见第" not in english
    idx, answers, *view, _res = w.start_quiz(course_id, "zh", req("wang_worker"))
    _info, draft = load(ctx, course_id, None)
    first = draft.quiz[0]
    pick = first.answer[0] if first.type != "multiple_choice" else None
    idx, answers, *view = w.move(course_id, 0, {}, pick, list(first.answer), first.answer[0], 1, "zh",
                                 req("wang_worker"))
    answers, result = w.submit_quiz(course_id, idx, answers, None, [], "", "zh", req("wang_worker"))
    assert result.startswith("### 得分 ") and "✓ 正确" in result
    history, _ = w.ask("氩弧焊用什么气体保护？", [], req("wang_worker"))
    assert history[0]["role"] == "user" and history[1]["role"] == "assistant"
    cites = [m for m in history if m.get("metadata")]
    assert cites and cites[0]["metadata"]["title"].startswith("[1]")
    assert "**" in cites[0]["content"] and cites[0]["content"] != history[1]["content"]  # the source, marked
    assert "&#" not in history[1]["content"] and "&amp;" not in history[1]["content"]  # escaped once
    assert "5 星" in w.rate(course_id, 5, "很实用", "zh", req("wang_worker"))
    table, *_rest, shown = w.catalogue("", "", "", "zh", req("wang_worker"))
    assert table["好评率"][0] == "100%（1 人评价）" and table["我的进度"][0].startswith("最高 ")
    assert shown == [course_id] and w.catalogue("", "", "en", "zh", req("wang_worker"))[-1] == []  # a Chinese course


def test_a_worker_chat_never_sees_unpublished_transcripts(published):
    ctx, course_id, _tid = published  # drafted but not published
    w = WorkerHandlers(ctx)
    history, _ = w.ask("氩弧焊用什么气体保护？", [], req("wang_worker"))
    assert not [m for m in history if m.get("metadata")]
    assert "没有涉及" in history[-1]["content"] or "not cover" in history[-1]["content"]
    table, courses, *_ = w.catalogue("", "", "", "zh", req("wang_worker"))
    assert courses["choices"] == []
    with pytest.raises(gr.Error, match="not published"):
        w.open_course(course_id, "zh", req("wang_worker"))


def test_trainer_screens_refuse_a_worker(published):
    ctx, course_id, tid = published
    with pytest.raises(gr.Error, match="没有权限"):
        TrainerHandlers(ctx).view(tid, "zh", req("wang_worker"))
    with pytest.raises(gr.Error, match="请先登录"):
        ReviewHandlers(ctx).show(course_id, 1, None, "zh", req(None))


def test_trainer_records_consent_on_the_transcript_viewer(published):
    ctx, _course_id, tid = published
    trainer = TrainerHandlers(ctx)
    meta, note = trainer.record_consent(tid, False, "zh", req("li_trainer"))
    assert "未记录师傅同意" in meta and "未同意" in note
    assert trainer.consent_value(tid, "zh", req("li_trainer"))["value"] is False
    meta, note = trainer.record_consent(tid, True, "en", req("li_trainer"))
    assert "✓ consent given" in meta and "the master agreed" in note
    assert trainer.consent_value(tid, "zh", req("li_trainer"))["value"] is True
    with pytest.raises(gr.Error, match="没有权限"):
        trainer.record_consent(tid, False, "zh", req("wang_worker"))


def test_flagged_items_block_publishing_until_accepted_in_review(published):
    from extraction.publishing import save_version

    ctx, course_id, _tid = published
    _n, draft = load(ctx, course_id, None)
    draft.quiz[0].flags = ["no key"]
    draft.modules[0].lessons[0].flags = ["empty lesson"]
    save_version(ctx, course_id, draft, "li_trainer", "validator findings")
    review = ReviewHandlers(ctx)
    review.set_status(course_id, "in_review", "zh", req("li_trainer"))
    with pytest.raises(gr.Error, match="还有 2 个条目"):
        review.set_status(course_id, "published", "zh", req("li_trainer"))
    items, *_heads = review.show(course_id, None, None, "zh", req("li_trainer"))
    keys = [v for _, v in items["choices"]]
    assert "l:0.0" in keys  # the flagged lesson is listed, so it can be accepted
    text, kind, *_rest, flags, _box = review.open_item(course_id, None, "l:0.0", "zh", req("li_trainer"))
    assert text == draft.modules[0].lessons[0].title and "空课时" in flags
    refused = review.edit(course_id, None, "l:0.0", "", None, "", "", "", "", "accept", "zh", req("li_trainer"))
    assert "接受理由" in refused[0]  # a soft flag needs a reason, said beside the button
    for key in ("l:0.0", f"q:{draft.quiz[0].id}"):
        review.edit(course_id, None, key, "", None, "", "", "", "先发布，下周补", "accept", "zh", req("li_trainer"))
    review.set_status(course_id, "in_review", "zh", req("li_trainer"))  # the accepts made a new draft version
    assert "学员看到：第 4 版" in review.set_status(course_id, "published", "zh", req("li_trainer"))[0]


def test_trainer_regenerates_a_quiz_item_offline(published):
    ctx, course_id, _transcript_id = published
    review = ReviewHandlers(ctx)
    items, *_heads = review.show(course_id, 1, None, "zh", req("li_trainer"))
    quiz_key = next(v for _, v in items["choices"] if v.startswith("q:"))
    before = load(ctx, course_id, 1)[1]
    saved, _c, v_upd, _kept = review.regenerate(course_id, 1, quiz_key, "zh", req("li_trainer"))
    assert v_upd["value"] == 2 and "重新生成" in saved
    after = load(ctx, course_id, 2)[1]
    item_id = quiz_key.split(":", 1)[1]
    old = next(q for q in before.quiz if q.id == item_id)
    new = next(q for q in after.quiz if q.id == item_id)
    assert new.stem != old.stem and not new.flags
    assert [q for q in after.quiz if q.id != item_id] == [q for q in before.quiz if q.id != item_id]
    with pytest.raises(gr.Error):
        review.regenerate(course_id, 2, quiz_key, "zh", req("wang_worker"))


def test_worker_chat_in_llm_mode_streams_the_models_words_and_cites_the_excerpt(published):
    ctx, course_id, _tid = published
    review = ReviewHandlers(ctx)
    review.set_status(course_id, "in_review", "zh", req("li_trainer"))
    review.set_status(course_id, "published", "zh", req("li_trainer"))
    chat = FakeChat(["氩弧焊用氩气保护 [1]。 气体流量要够。"])
    llm = Context(ctx.settings.model_copy(update={"qa_mode": "llm"}), chat_model=chat)  # the model, handed in
    updates = [h for h, _ in WorkerHandlers(llm).ask_stream("氩弧焊用什么气体保护？", [], req("wang_worker"))]
    assert len(chat.calls) == 1 and "氩弧焊用什么气体保护" in chat.calls[0][-1].content
    shown = [u[1]["content"] for u in updates if len(u) > 1 and u[1]["role"] == "assistant"]
    assert len(set(shown)) >= 2 and shown[-1].startswith("氩弧焊用氩气保护")  # streamed, then whole
    cites = [m for m in updates[-1] if m.get("metadata")]
    assert cites and cites[0]["metadata"]["title"].startswith("[1]")
