"""`make demo`: ingest the demo corpus, draft and publish a course per interview, create one
account of each role, print how to log in, and serve the app.

Safe to run again: unchanged files are not re-ingested, an interview that already has a
course is not drafted twice, and the demo accounts get fresh passwords.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# Subtitles carry no header lines, so the trainer fills these in on upload; the demo does the same.
SUBTITLE_DETAILS = {
    "鞋店店长谈脚型测量与试穿.srt": {"trade": "鞋店导购", "enterprise": "鹿城步步高鞋业连锁店",
                              "interview_date": "2026-03-18"},
}
DEMO_USERS = (("admin", "admin", None), ("trainer", "trainer", "温州瓯江阀门有限公司"),
              ("worker", "worker", "温州瓯江阀门有限公司"))


def say(message: str) -> None:
    print(message, flush=True)


def ingest_corpus(ctx, corpus: Path) -> list[str]:
    """Ingest every demo interview with the masters' consent recorded; returns transcript ids."""
    from rag.catalog import update_metadata
    from rag.ingest import ingest_paths

    def shown(result, done: int, total: int) -> None:
        what = f"{result.turns} turns, {result.chunks} chunks" if result.status != "failed" else result.error
        say(f"  [{done}/{total}] {result.file}: {result.status} ({what})")

    say(f"1. ingesting {corpus} (consent recorded) ...")
    results = ingest_paths(ctx, [corpus], progress=shown, consent=True)
    for result in results:
        details = SUBTITLE_DETAILS.get(Path(result.file).name)
        if details and result.transcript_id:
            update_metadata(ctx, result.transcript_id, **details)
    return [r.transcript_id for r in results if r.status != "failed" and r.transcript_id]


def draft_and_publish(ctx, transcript_ids: list[str]) -> list[str]:
    """One published course per interview (skipping interviews that already have one)."""
    from extraction.drafting import draft_course
    from extraction.publishing import WorkflowError, list_courses, set_status
    from shifu.errors import ShifuError

    done = {tuple(c.transcript_ids) for c in list_courses(ctx)}
    say("2. drafting and publishing a course per interview ...")
    courses = []
    for tid in transcript_ids:
        if (tid,) in done:
            say(f"  {tid[:8]}: already has a course")
            continue
        try:
            course_id, _version, draft = draft_course(ctx, [tid], created_by="trainer")
        except ShifuError as exc:  # a transcript too short to teach from, for instance
            say(f"  {tid[:8]}: not drafted ({exc})")
            continue
        try:
            set_status(ctx, course_id, "in_review", by="trainer")
            set_status(ctx, course_id, "published", by="trainer")
        except WorkflowError as exc:  # flagged items wait for a trainer's review
            say(f"  {draft.title}: drafted, left in review, not published ({exc})")
            continue
        say(f"  {draft.title}: {sum(len(m.lessons) for m in draft.modules)} lessons, "
            f"{len(draft.quiz)} quiz items, published")
        courses.append(course_id)
    return courses


def ask_an_example(ctx, question: str = "焊缝发蓝是什么原因？") -> None:
    """Show what a worker's question gets: the master's words with where they were said."""
    from rag.answer import answer_question

    answer = answer_question(ctx, question, scope="published", asked_by="demo")
    say(f"   a worker asks: {question}")
    say(f"   shifu answers: {' '.join(answer.answer.split())}")
    for c in answer.citations[:2]:
        say(f"     [{c.n}] {c.transcript_title} · {c.speaker}: {' '.join(c.quote.split())[:60]}")


def demo_accounts(ctx) -> dict[str, tuple[str, str]]:
    """admin / trainer / worker with fresh random passwords; returns role -> (username, password)."""
    from shifu.auth import add_user, get_user, set_password

    out = {}
    for username, role, enterprise in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        if get_user(ctx, username) is None:
            add_user(ctx, username, password, role, enterprise)
        else:
            set_password(ctx, username, password)
        out[role] = (username, password)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.run", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SHIFU_DEMO_PORT", "7860")))
    parser.add_argument("--no-serve", action="store_true", help="prepare everything, then exit")
    args = parser.parse_args(argv)

    from shifu.context import Context
    from shifu.errors import ShifuError
    from shifu.settings import load_settings

    ctx = Context(load_settings())
    try:
        ids = ingest_corpus(ctx, args.corpus)
        draft_and_publish(ctx, ids)
        from extraction.learning import catalogue

        say(f"   {len(catalogue(ctx))} published course(s) in the catalogue")
        ask_an_example(ctx)
        accounts = demo_accounts(ctx)
    except ShifuError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    say("3. demo accounts (passwords are new each run):")
    for role, (username, password) in accounts.items():
        say(f"   {role:<8} username: {username:<8} password: {password}")
    say(f"4. open http://{args.host}:{args.port} and log in with one of them "
        "(the worker studies, the trainer reviews, the admin curates prompts); Ctrl+C stops the app.")
    if args.no_serve:
        return 0
    from ui.web.app import launch_app
    from ui.web.jobs import shutdown

    try:
        launch_app(ctx.settings, host=args.host, port=args.port)
    finally:
        shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
