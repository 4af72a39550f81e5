"""BEIR benchmark files (corpus.jsonl, queries.jsonl, qrels.tsv), read with errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shifu.errors import ShifuError


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a BEIR corpus or queries file; each needs `_id` and `text`, blank lines are skipped."""
    records = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ShifuError(f"{path} line {n} is not JSON ({exc.msg}); fix or remove that line") from None
            if not isinstance(record, dict) or "_id" not in record or "text" not in record:
                raise ShifuError(f"{path} line {n} has no \"_id\" or \"text\"; BEIR records need both")
            records.append(record)
    return records


def read_qrels(path: Path) -> dict[str, set[str]]:
    """query id -> relevant corpus ids (score > 0), from a BEIR qrels.tsv; its header line is skipped."""
    qrels: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            cols = line.rstrip("\n").split("\t")
            if n == 1 and cols[0] == "query-id" or not line.strip():
                continue
            if len(cols) < 3 or not _is_number(cols[2]):
                raise ShifuError(f"{path} line {n} is not `query-id<TAB>corpus-id<TAB>score`; fix that line")
            if float(cols[2]) > 0:
                qrels.setdefault(cols[0], set()).add(cols[1])
    return qrels


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
