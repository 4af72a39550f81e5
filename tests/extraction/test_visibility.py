"""Publishing sets what the worker's chat may search, on both sides of the index, as a flag per chunk."""

from __future__ import annotations

from extraction.course import CourseDraft
from extraction.publishing import create_course, save_version, set_status, unpublish
from rag.answer import answer_question
from rag.ingest import ingest_bytes
from rag.retrieve import reader_index, search
from shifu.context import Context

WELD = ("问：焊前检查什么？\n张师傅：先看气瓶和减压阀有没有漏气，用肥皂水抹一圈接头。\n"
        "问：然后呢？\n张师傅：再把工件预热到一百度，坡口打磨干净。\n")
SHOE = ("问：顾客试鞋要注意什么？\n李师傅：让他站起来走两步，看脚后跟是否打滑。\n"
        "问：鞋楦呢？\n李师傅：鞋楦要按脚长选，脚背高的换宽楦。\n")


def _shown(ctx: Context) -> tuple[set[str], set[str]]:
    """Transcripts the chat's search may return, on the lexical side and in Chroma."""
    index = reader_index(ctx)
    lexical = index.lexical.refresh(force=True)
    allowed = lexical.allowed(published_only=True)
    chroma = index.collection.get(where={"published": True}, include=["metadatas"])["metadatas"]
    return ({t for t, ok in zip(lexical.transcripts, allowed, strict=True) if ok},
            {m["transcript_id"] for m in chroma})


def test_publish_unpublish_and_republish_move_the_chats_scope(ctx) -> None:
    weld = ingest_bytes(ctx, WELD.encode(), "weld.txt", consent=True)
    shoe = ingest_bytes(ctx, SHOE.encode(), "shoe.txt", consent=True)
    assert weld.ok and shoe.ok
    draft = CourseDraft(title="焊前检查")
    course_id, _ = create_course(ctx, draft, transcript_ids=[weld.transcript_id], created_by="trainer1")
    assert _shown(ctx) == (set(), set())
    assert search(ctx, "焊前检查", k=3, published_only=True) == []

    set_status(ctx, course_id, "in_review", "trainer1")
    set_status(ctx, course_id, "published", "trainer1")
    assert _shown(ctx) == ({weld.transcript_id}, {weld.transcript_id})
    worker = Context(ctx.settings)  # another context (as another process would) sees it too
    hits = search(worker, "焊前检查 顾客试鞋 脚后跟", k=5, published_only=True)
    assert hits and {h.chunk.transcript_id for h in hits} == {weld.transcript_id}
    assert all(c.transcript_id == weld.transcript_id
               for c in answer_question(worker, "顾客试鞋要注意什么？", scope="published").citations)

    # a new version drawn from the other interview replaces the live one: the scope moves with it
    with ctx.unit_of_work() as s:
        from shifu.tables import CourseVersionRow

        save_version(ctx, course_id, draft, "trainer1", "now from the shoe interview")
        s.query(CourseVersionRow).filter_by(course_id=course_id, number=2).update(
            {"transcript_ids": [shoe.transcript_id]})
    set_status(ctx, course_id, "in_review", "trainer1")
    set_status(ctx, course_id, "published", "trainer1")
    assert _shown(ctx) == ({shoe.transcript_id}, {shoe.transcript_id})

    unpublish(ctx, course_id, "trainer1")
    assert _shown(ctx) == (set(), set())
    assert search(worker, "顾客试鞋", k=3, published_only=True) == []
    assert search(worker, "顾客试鞋", k=3)  # a trainer's search still finds it


def test_a_publish_cut_off_before_chroma_followed_is_found_and_repaired(ctx) -> None:
    from rag.ingest import check_consistency, repair_or_rebuild, writing

    weld = ingest_bytes(ctx, WELD.encode(), "weld.txt", consent=True)
    course_id, _ = create_course(ctx, CourseDraft(title="焊前检查"), transcript_ids=[weld.transcript_id])
    set_status(ctx, course_id, "in_review", "trainer1")
    set_status(ctx, course_id, "published", "trainer1")
    assert check_consistency(ctx)["consistent"]
    with writing(ctx, repair_first=False) as writer:  # as if the process died before Chroma was told
        writer.index.show_to_workers([weld.transcript_id], published=set())
    report = check_consistency(ctx)
    assert not report["consistent"] and report["visibility_differs"] == [weld.transcript_id]
    assert "visibility of 1 transcript" in repair_or_rebuild(ctx)
    assert check_consistency(ctx)["consistent"]
    assert _shown(ctx) == ({weld.transcript_id}, {weld.transcript_id})
