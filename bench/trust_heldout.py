"""The chat judged on question sets it was never fitted on: bench/trust/held_out/*.json.

    python -m bench.trust_heldout [--answers-out F]

Each set was written over a demo interview in a worker's words (covered questions with a verbatim
quote, near-topic ones the interview does not answer) and is kept out of the answerability
training data (rag.answerability_fit reads bench/trust/*.json, not this folder). The library is
the seven demo interviews of corpus/, ingested into a temporary SHIFU_HOME; every question goes through
`answer_question` and is judged as `shifu eval chat` judges the chat trust set (covered: answered,
citing the gold transcript, a cited quote holding half the quote's characters; not covered:
refused). Prints the figures per language, JSON last.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HELD_OUT = REPO / "bench" / "trust" / "held_out"


def questions(folder: Path = HELD_OUT) -> list[dict[str, Any]]:
    """The questions of the sets in `folder` in the chat trust set's fields (id, lang, question,
    covered, ...). A set names a covered question's transcript as `gold_transcript` or `source`,
    and says why a question is not covered in `note` (an off-topic one starts "off-topic") or `kind`."""
    from rag.language import detect_language

    out = []
    for path in sorted(folder.glob("*.json")):
        for n, item in enumerate(json.loads(path.read_text("utf-8"))["questions"], 1):
            out.append({"id": f"{path.stem}-{n}", "lang": "en" if detect_language(item["q"]) == "en" else "zh",
                        "question": item["q"], "covered": item["covered"], "safety": bool(item.get("safety")),
                        "gold_transcript": item.get("gold_transcript") or item.get("source"),
                        "gold_quote": item.get("quote"), "note": item.get("note") or item.get("kind", "")})
    return out


def run(answers_out: Path | None = None) -> dict[str, Any]:
    """Ask every held-out question over corpus/ and return the figures (overall and per language)."""
    from rag.answer import answer_question
    from rag.evaluate_chat import LIBRARY_FILES, _file_names, build_library, judge, summarise
    from shifu.context import Context
    from shifu.settings import load_settings

    items = questions()
    paths = [REPO / f for f in LIBRARY_FILES if f.startswith("corpus/")]  # the seven demo interviews
    ctx = Context(load_settings())
    with tempfile.TemporaryDirectory(prefix="shifu-heldout-") as tmp:
        scratch = build_library(ctx, Path(tmp), paths)
        titles = _file_names(paths)
        rows = [judge(q, answer_question(scratch, q["question"]), titles) for q in items]
    if answers_out is not None:
        answers_out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return summarise(rows, [], mode="offline")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers-out", type=Path, help="one JSON line per question")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.answers_out), ensure_ascii=False))


if __name__ == "__main__":
    main()
