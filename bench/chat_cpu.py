"""`python -m bench.chat_cpu`: the CPU one chat answer costs inside the app, and what the worker sees.

The worker's chat handler (role check, search, answer, excerpts: everything but HTTP and Gradio's
queue) is called in this process for the chat load's questions plus five the demo library does not
cover, round after round, on a library of the demo corpus (ingested and published in a temporary
SHIFU_HOME, or `--home` of an earlier run, kept with `--keep`). Printed: CPU and wall ms per answer
and a SHA-256 of every chat history shown, so two versions of the code can be compared on the same
home: the digest must not move when only the cost should. The last stdout line is JSON.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path

from bench.chat_load import QUESTIONS

NOT_COVERED = ["叉车电瓶怎么保养？", "公司食堂几点开饭？", "How do I fix a leaking faucet?", "焊工一个月工资多少？",
               "数控车床的主轴轴承多久换一次润滑脂？"]
WORKER = "cpu_worker"


class _Request:
    """What the handler reads of Gradio's request: who is asking."""

    username = WORKER


def _prepare(home: Path) -> None:
    from demo.run import draft_and_publish, ingest_corpus
    from shifu.auth import add_user
    from shifu.context import Context
    from shifu.settings import load_settings

    ctx = Context(load_settings(environ={}, home=str(home)))
    draft_and_publish(ctx, ingest_corpus(ctx, Path(__file__).resolve().parent.parent / "corpus"))
    add_user(ctx, WORKER, "chat-cpu-pw-1", "worker")


def measure(home: Path, rounds: int) -> dict:
    """CPU and wall ms per answer over `rounds` rounds of every question, after one round to warm up."""
    from shifu.context import Context
    from shifu.settings import load_settings
    from ui.web.worker import WorkerHandlers

    handlers = WorkerHandlers(Context(load_settings(environ={}, home=str(home))))
    questions = QUESTIONS + NOT_COVERED
    shown = [handlers.ask(q, [], _Request())[0] for q in questions]  # warm: models, index, caches
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for q in questions:
            handlers.ask(q, [], _Request())
    answers = rounds * len(questions)
    return {"answers": answers, "cpu_ms_per_answer": round(1000 * (time.process_time() - cpu) / answers, 2),
            "wall_ms_per_answer": round(1000 * (time.perf_counter() - wall) / answers, 2),
            "histories_sha256": hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()}


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.chat_cpu [--home DIR] [--keep] [--rounds 10]`."""
    import argparse

    parser = argparse.ArgumentParser(description="CPU per chat answer inside the app, and a digest of what it shows.")
    parser.add_argument("--home", type=Path, default=None, help="a SHIFU_HOME this command prepared before")
    parser.add_argument("--keep", action="store_true", help="keep the new home (its path is printed)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of every question")
    args = parser.parse_args(argv)
    home = args.home
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="shifu-chat-cpu-")) if args.keep else None
    if home is None:
        with tempfile.TemporaryDirectory(prefix="shifu-chat-cpu-") as tmp:
            _prepare(Path(tmp))
            report = measure(Path(tmp), args.rounds)
    else:
        if not (home / "shifu.db").exists():
            _prepare(home)
        report = {**measure(home, args.rounds), "home": str(home)}
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
