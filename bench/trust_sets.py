"""The chat judged on the project's trust sets: trade interviews of its own and the worker-worded questions over them.

    python -m bench.trust_sets [--answers-out F]

bench/trust/interviews/ holds six interviews written by the project for issue 10 (a low-voltage
switchgear electrician and a head chef in Chinese, the latter a speech-recognition transcript; a
crane rigger, a tree crew foreman, a maintenance millwright and a commercial roofer in English), trades the demo corpus and ../shared/bench never
use. bench/trust/sets/ holds one question set per interview: covered questions worded as a worker
would ask (the quote is verbatim in the transcript), near-topic ones no interview of the library
answers, safety ones, three off-topic ones. The library is those interviews plus the seven
demo interviews of corpus/, ingested into a temporary SHIFU_HOME; every question goes through
`answer_question` and is judged as `shifu eval chat` judges (rag.evaluate_chat's `judge`,
`explain`, `figures`, `summarise`). Prints each set's figures and then the figures overall and per
language, JSON last.

Since issue 10's sixth round these sets are training data of the answerability model and of the
sentence judge (rag.answerability_fit, rag.judge_fit), their thresholds chosen with each interview
left out: the figures printed here are in sample. The figures for interviews never fitted are
those fits' leave-one-interview-out figures, bench.trust_heldout and the chat trust set.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.trust_heldout import questions

REPO = Path(__file__).resolve().parent.parent
INTERVIEWS = REPO / "bench" / "trust" / "interviews"
SETS = REPO / "bench" / "trust" / "sets"


def library() -> list[Path]:
    """The seven demo interviews of corpus/ and those of bench/trust/interviews/."""
    from rag.evaluate_chat import LIBRARY_FILES

    return [REPO / f for f in LIBRARY_FILES if f.startswith("corpus/")] + sorted(INTERVIEWS.iterdir())


def run(answers_out: Path | None = None, *, k: int = 5) -> dict[str, Any]:
    """Ask every question of bench/trust/sets/ over the library; the figures overall, per language
    and per set (`sets`), with latency."""
    from rag.answer import answer_question
    from rag.evaluate_chat import _file_names, build_library, explain, figures, judge, summarise
    from shifu.context import Context
    from shifu.settings import load_settings

    items = questions(SETS)
    paths = library()
    ctx = Context(load_settings())
    rows, times = [], []
    with tempfile.TemporaryDirectory(prefix="shifu-trust-sets-") as tmp:
        scratch = build_library(ctx, Path(tmp), paths)
        titles = _file_names(paths)
        answer_question(scratch, items[0]["question"], k=k)  # load the models before timing
        for q in items:
            t0 = time.perf_counter()
            answer = answer_question(scratch, q["question"], k=k)
            times.append((time.perf_counter() - t0) * 1000)
            rows.append({**judge(q, answer, titles), **explain(scratch, q, titles, k=k)})
    if answers_out is not None:
        answers_out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = summarise(rows, times, mode=ctx.settings.qa_mode)
    out["sets"] = {name: figures([r for r in rows if r["id"].rsplit("-", 1)[0] == name])
                   for name in sorted({r["id"].rsplit("-", 1)[0] for r in rows})}
    return out


def _line(name: str, f: dict[str, Any]) -> str:
    return (f"{name:<26} n {f['n']:>3}  covered right {f['covered_right']}  near-topic refused "
            f"{f['near_topic_refused']}  off-topic refused {f['off_topic_refused']}  safety not covered refused "
            f"{f['safety_not_covered_refused']}  safety covered right {f['safety_covered_right']}  "
            f"cut {f['cut_mid_sentence']} of {f['answered']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--answers-out", type=Path, help="one JSON line per question (verdict, answer, gold rank)")
    args = parser.parse_args(argv)
    result = run(args.answers_out)
    for name, f in result["sets"].items():
        print(_line(name, f))
    for lang in ("zh", "en"):
        if lang in result:
            print(_line(f"all {lang}", result[lang]))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
