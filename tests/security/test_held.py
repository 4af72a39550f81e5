"""Cases the first probe found held: kept here so they stay held."""

from __future__ import annotations

import io
import zipfile

import gradio as gr
import pytest
from seckit import make_users, request

from rag.catalog import get_transcript, list_transcripts
from rag.ingest import ingest_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(document_xml: str, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels",
                         '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                         'relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        archive.writestr("word/document.xml", document_xml)
    return out.getvalue()


def _paragraphs(*texts: str, doctype: str = "") -> str:
    body = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in texts)
    return f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'


@pytest.mark.case("held: Word traps")
def test_zip_bomb_is_refused(ctx) -> None:
    bomb = _docx(_paragraphs("张师傅：" + "焊" * 20) + " " * (60 * 1024 * 1024))
    result = ingest_bytes(ctx, bomb, "bomb.docx")
    assert not result.ok and "ZIP bomb" in result.error


@pytest.mark.case("held: Word traps")
def test_xxe_reads_no_local_file(ctx) -> None:
    doctype = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    result = ingest_bytes(ctx, _docx(_paragraphs("张师傅：焊前检查气瓶。&x;", doctype=doctype)), "xxe.docx")
    if result.ok:
        assert "root:" not in get_transcript(ctx, result.transcript_id).text


@pytest.mark.case("held: Word traps")
def test_billion_laughs_does_not_expand(ctx) -> None:
    entities = '<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    doctype = f"<!DOCTYPE d [{entities}]>"
    result = ingest_bytes(ctx, _docx(_paragraphs("张师傅：焊前检查。&i;", doctype=doctype)), "laughs.docx")
    if result.ok:
        assert len(get_transcript(ctx, result.transcript_id).text) < 10_000


@pytest.mark.case("held: encodings")
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gb18030"])
def test_encodings_read_right(ctx, encoding: str) -> None:
    text = "问：焊前检查什么？\n张师傅：先看气瓶和减压阀有没有漏气。\n"
    result = ingest_bytes(ctx, text.encode(encoding), f"enc-{encoding}.txt")
    assert result.ok, result.error
    assert "先看气瓶和减压阀有没有漏气" in get_transcript(ctx, result.transcript_id).text


@pytest.mark.case("held: encodings")
def test_binary_is_refused_in_one_line(ctx) -> None:
    result = ingest_bytes(ctx, bytes(range(256)) * 40, "binary.txt")
    assert not result.ok and "\n" not in result.error and list_transcripts(ctx) == []


@pytest.mark.case("held: paths and roles")
def test_an_upload_name_cannot_leave_the_uploads_folder(ctx, tmp_path) -> None:
    from ui.web.trainer import _stored_name

    name = _stored_name(b"x", "../../../etc/cron.d/evil.txt")
    assert "/" not in name and ".." not in name.split("_", 1)[1].split(".")[0]


@pytest.mark.case("held: paths and roles")
def test_a_worker_and_a_stranger_may_not_upload(ctx, tmp_path) -> None:
    from ui.web.trainer import TrainerHandlers

    users = make_users(ctx)
    path = tmp_path / "a.txt"
    path.write_text("问：焊前检查什么？\n张师傅：先看气瓶。\n", encoding="utf-8")
    for who in (request(users["worker"]), gr.Request(username=None)):
        with pytest.raises(gr.Error):
            TrainerHandlers(ctx).upload([str(path)], "", "", "", "", True, "zh", who)
    assert list_transcripts(ctx) == []
