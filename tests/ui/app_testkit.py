"""Helpers for the app tests: accounts and courses written straight into the real SQL store."""

from __future__ import annotations

from pathlib import Path

from extraction.course import CourseDraft, Lesson, Module, Point, QuizItem, Source
from rag.visibility import sync_visibility
from shifu.auth import add_user
from shifu.context import Context
from shifu.models import Citation
from shifu.store import session_scope
from shifu.tables import CourseRow, CourseVersionRow

PASSWORD = "secret-pw-1"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def make_users(settings) -> dict[str, str]:
    """One account of each role; returns role -> username."""
    names = {"admin": "boss", "trainer": "li_trainer", "worker": "wang_worker"}
    ctx = Context(settings)
    for role, name in names.items():
        add_user(ctx, name, PASSWORD, role, enterprise="温州鞋厂")
    return names


def sample_draft(title: str = "TIG 焊接入门") -> CourseDraft:
    cite = Citation(transcript_id="t1", chunk_id="c1", quote="焊前先把坡口打磨干净", start=0, end=10)
    return CourseDraft(
        title=title, language="zh", sources=[Source(transcript_id="t1", title="王师傅访谈", expert="王师傅")],
        modules=[Module(title="焊前准备", lessons=[Lesson(
            title="清理坡口", content_md="焊前先清理。![x](http://evil.example/x.png)",
            points=[Point(kind="step", text="焊前先把坡口打磨干净", skills=["坡口"], citations=[cite])])])],
        quiz=[
            QuizItem(id="q1", type="single_choice", stem="焊前第一步做什么？", options=["打磨坡口", "喷水", "加大电流"],
                     answer=["打磨坡口"], explanation="王师傅说焊前先把坡口打磨干净", citations=[cite]),
            QuizItem(id="q2", type="true_false", stem="焊前不用清理坡口。", answer=["false"], citations=[cite]),
            QuizItem(id="q3", type="multiple_choice", stem="要去掉哪些？", options=["油污", "铁锈", "焊丝"],
                     answer=["油污", "铁锈"], citations=[cite]),
            QuizItem(id="q4", type="short_answer", stem="焊前要把什么打磨干净？", answer=["坡口"], citations=[cite]),
            QuizItem(id="q5", type="single_choice", stem="薄板用什么电流？", options=["小电流", "大电流"],
                     answer=["小电流"], citations=[cite]),
        ],
    )


def make_course(settings, course_id: str, *, status: str = "published", title: str = "TIG 焊接入门",
                trade: str = "焊工", enterprise: str = "温州鞋厂", transcript_ids: list[str] | None = None) -> str:
    """A course with one version; published when status says so."""
    draft = sample_draft(title)
    with session_scope(settings) as s:
        s.add(CourseRow(id=course_id, title=title, trade=trade, enterprise=enterprise, status=status,
                        published_version=1 if status == "published" else None))
        s.flush()
        s.add(CourseVersionRow(course_id=course_id, number=1, status=status, data=draft.model_dump(mode="json"),
                               transcript_ids=transcript_ids or ["t1"], template_versions={"draft_units": "abc123"}))
    sync_visibility(Context(settings), transcript_ids or ["t1"])  # what publishing does for the chat's scope
    return course_id


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(settings):
    """Launch the app on a free loopback port in this process; returns (url, app). Close with app.close()."""
    from ui.web.app import launch_app

    port = free_port()
    app = launch_app(settings, port=port, block=False)
    return f"http://127.0.0.1:{port}", app
