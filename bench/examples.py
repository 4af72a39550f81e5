"""The example courses of docs/examples/: three interviews of ../shared/bench (a Chinese trade
interview, a Chinese VCSum panel, an English oral history) drafted offline and written as Markdown.

    python -m bench.examples [--bench ../shared/bench] [--out docs/examples] [--no-embeddings]

Run it again after a change to drafting; docs/examples/README.md says what a trainer would still edit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# (file written, transcript under the bench folder)
EXAMPLES = (
    ("zh_trade_injection_molding.md", "knowhow/zh_trade/injection_molding.txt"),
    ("vcsum_panel_13.md", "knowhow/vcsum/vcsum_13.json"),
    ("oral_history_thompson.md", "oral_history_en/thompson.txt"),
)


def draft_example(path: Path, use_embeddings: bool):
    """The offline draft of one transcript file, parsed and chunked in memory (nothing stored)."""
    from extraction.offline_engine import build_offline_draft
    from rag.chunk import chunk_transcript
    from rag.parse import parse_transcript
    from shifu.settings import load_settings

    settings = load_settings()
    t = parse_transcript(path.read_bytes(), path.name)
    t.id = "t-" + t.sha256[:12]
    chunks = chunk_transcript(t, chunk_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
    embed = None
    if use_embeddings:
        from shifu.embeddings import get_embedder

        embed = get_embedder(settings).embed
    return build_offline_draft([t], {t.id: chunks}, embed=embed).draft


def main(argv: list[str] | None = None) -> int:
    from extraction.export.markdown import render

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=Path("../shared/bench"))
    parser.add_argument("--out", type=Path, default=Path("docs/examples"))
    parser.add_argument("--no-embeddings", action="store_true", help="segment without sentence vectors (faster)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, source in EXAMPLES:
        path = args.bench / source
        if not path.is_file():
            print(f"{path} is missing: give --bench the folder that holds the shared benchmark data", file=sys.stderr)
            return 1
        start = time.perf_counter()
        draft = draft_example(path, not args.no_embeddings)
        points = sum(len(lesson.points) for m in draft.modules for lesson in m.lessons)
        header = (f"<!-- drafted offline by `python -m bench.examples` from ../shared/bench/{source}; "
                  f"regenerate, do not edit by hand -->\n\n")
        (args.out / name).write_text(header + render(draft), encoding="utf-8")
        print(f"{name}: {len(draft.modules)} modules, {points} points, {len(draft.quiz)} quiz items, "
              f"{len(draft.more_from_interview)} left out, {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
