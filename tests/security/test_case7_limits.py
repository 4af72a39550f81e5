"""Cases 7 and 8: limits on the work one upload may cause, numbers checked at parse, refused uploads gone."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
from seckit import make_users, request

import rag.ingest as ingest
from rag.catalog import list_transcripts
from rag.ingest import ingest_bytes
from rag.parse_docx import MAX_DOCUMENT_XML_BYTES

DOC_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body>')


def _docx(document_xml: bytes, compression: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml)
    return out.getvalue()


@pytest.mark.case("7 unbounded work")
def test_a_word_file_with_too_much_xml_is_refused_at_once(ctx) -> None:
    import os

    paragraph = b"<w:p><w:r><w:t>" + os.urandom(3000).hex().encode() + b"</w:t></w:r></w:p>"
    xml = DOC_HEAD.encode() + paragraph * (MAX_DOCUMENT_XML_BYTES // len(paragraph) + 10) + b"</w:body></w:document>"
    started = time.perf_counter()
    result = ingest_bytes(ctx, _docx(xml), "huge.docx")
    assert not result.ok and "document XML" in result.error and "split" in result.error
    assert time.perf_counter() - started < 5
    assert list_transcripts(ctx) == []


@pytest.mark.case("7 unbounded work")
def test_too_many_turns_or_chunks_or_seconds_are_refused_before_the_lock(ctx, monkeypatch) -> None:
    text = "".join(f"问：第{i}个问题？\n张师傅：第{i}条经验，焊前要检查气瓶。\n" for i in range(60)).encode()
    monkeypatch.setattr(ingest, "MAX_TURNS", 100)
    result = ingest_bytes(ctx, text, "long.txt")
    assert not result.ok and "120 turns" in result.error and "split" in result.error
    monkeypatch.setattr(ingest, "MAX_TURNS", 10_000)
    monkeypatch.setattr(ingest, "MAX_CHUNKS", 1)
    result = ingest_bytes(ctx, text, "long.txt")
    assert not result.ok and "chunks" in result.error
    monkeypatch.setattr(ingest, "MAX_CHUNKS", 10_000)
    monkeypatch.setattr(ingest, "MAX_PREPARE_S", 0.0)
    result = ingest_bytes(ctx, text, "long.txt")
    assert not result.ok and "s limit" in result.error
    assert list_transcripts(ctx) == []


@pytest.mark.case("8 numbers at parse")
@pytest.mark.parametrize("turns, said", [
    ([{"speaker": "王师傅", "text": "先预热。", "start": 0, "end": 1e309}], "finite"),
    ([{"speaker": "王师傅", "text": "先预热。", "start": float("nan")}], "finite"),
    ([{"speaker": "王师傅", "text": "先预热。", "start": 9, "end": 3}], "before start"),
    ([{"speaker": "王师傅", "text": "先预热。", "start": 50}, {"speaker": "王师傅", "text": "再焊。", "start": 10}],
     "order"),
])
def test_json_timestamps_are_finite_and_ordered(ctx, turns: list, said: str) -> None:
    data = json.dumps({"title": "t", "turns": turns}).replace("Infinity", "1e309").replace("NaN", "NaN")
    result = ingest_bytes(ctx, data.encode(), "bad.json")
    assert not result.ok and said in result.error and "\n" not in result.error
    assert list_transcripts(ctx) == []


@pytest.mark.case("8 refused uploads deleted")
def test_refused_uploads_are_not_kept(ctx, tmp_path) -> None:
    from ui.web.trainer import TrainerHandlers

    users = make_users(ctx)
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "t", "turns": [{"speaker": "A", "text": "x", "end": 1e309}]}')
    _msg, table, _ = TrainerHandlers(ctx).upload([str(bad)], "", "", "", "", False, "zh", request(users["trainer"]))
    from ui.web.common import column

    assert table.iloc[0][column("status")] == "failed"
    assert not ctx.settings.uploads_dir.exists() or list(ctx.settings.uploads_dir.iterdir()) == []
