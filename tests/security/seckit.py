"""Helpers of the security suite: a course drafted from a transcript, written straight into SQL."""

from __future__ import annotations

from typing import Any

from rag.visibility import sync_visibility
from shifu.auth import add_user
from shifu.context import Context
from shifu.tables import CourseRow, CourseVersionRow

PASSWORD = "secret-pw-1"


def make_course(ctx: Context, course_id: str, transcript_id: str, *, status: str = "draft",
                title: str = "焊接入门") -> str:
    """A one-version course drafted from `transcript_id`; published when status says so."""
    with ctx.unit_of_work() as s:
        s.add(CourseRow(id=course_id, title=title, status=status,
                        published_version=1 if status == "published" else None))
        s.flush()
        s.add(CourseVersionRow(course_id=course_id, number=1, status=status, data={"title": title},
                               transcript_ids=[transcript_id]))
    sync_visibility(ctx, [transcript_id])  # what publishing does: the chat's scope is a flag on each chunk
    return course_id


def make_users(ctx: Context) -> dict[str, str]:
    """One account of each role (and a second trainer); role -> username."""
    names = {"admin": "boss", "trainer": "li_trainer", "worker": "wang_worker", "trainer2": "zhao_trainer"}
    for role, name in names.items():
        add_user(ctx, name, PASSWORD, role.rstrip("2"), enterprise="温州鞋厂")
    return names


def request(user: str) -> Any:
    import gradio as gr

    return gr.Request(username=user)
