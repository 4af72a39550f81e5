"""Decoding transcript bytes: the encodings trainers really have, and what must be refused."""

from __future__ import annotations

import codecs

import pytest

from rag.decode import decode_transcript_bytes
from shifu.errors import TranscriptError

TEXT = "问：焊缝发蓝是什么原因？\n张师傅：保护气不够，电流太大。\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("gbk"),
        TEXT.encode("gb18030"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "gbk", "gb18030"],
)
def test_every_accepted_encoding_gives_the_same_text(data: bytes) -> None:
    assert decode_transcript_bytes(data, "访谈.txt") == TEXT


def test_windows_and_old_mac_newlines_become_unix_newlines() -> None:
    assert decode_transcript_bytes("问：好\r\n答：嗯\r答：对".encode(), "a.txt") == "问：好\n答：嗯\n答：对"


def test_gbk_saved_with_dos_end_of_file_mark_is_read() -> None:
    assert decode_transcript_bytes(TEXT.encode("gbk") + b"\x1a", "old.txt") == TEXT


def _refusal(data: bytes, name: str = "interview.txt") -> str:
    with pytest.raises(TranscriptError) as caught:
        decode_transcript_bytes(data, name)
    message = str(caught.value)
    assert name in message
    return message


def test_empty_file_is_refused() -> None:
    assert "empty" in _refusal(b"")
    assert "empty" in _refusal(b"  \r\n \n")


def test_binary_renamed_to_txt_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    assert "binary" in _refusal(png)


def test_bytes_that_are_neither_utf8_nor_gb18030_are_refused() -> None:
    message = _refusal("Interviewer: Was kostet das? Müller: Fünf Euro, café.".encode("latin-1"))
    assert "UTF-8" in message


def test_big5_that_gbk_would_misread_is_refused() -> None:
    big5 = "問：焊縫發藍是什麼原因？張師傅：保護氣體不夠，電流太大，焊接速度太慢。".encode("big5")
    assert "UTF-8" in _refusal(big5)


def test_windows_1252_curly_quotes_are_not_read_as_chinese() -> None:
    data = "Ray: It\u2019s the capacitor, by a mile. Check it with the power off.\nKaren: Why?\n".encode("cp1252")
    assert "Windows-1252" in _refusal(data)


def test_utf16_without_bom_is_refused_not_guessed() -> None:
    assert "UTF-16" in _refusal(TEXT.encode("utf-16-le"))


def test_control_characters_are_refused_not_stripped() -> None:
    message = _refusal("问：你好\n答：好\x07的\n".encode())
    assert "line 2" in message


def test_text_garbled_by_an_earlier_wrong_conversion_is_refused() -> None:
    garbled = TEXT.encode("utf-8").decode("latin-1").encode("utf-8")
    assert "garbled" in _refusal(garbled)
    assert "\ufffd" in _refusal("问：你好\n答：焊缝\ufffd\ufffd是氧化\n".encode())


def test_invalid_utf16_after_a_bom_is_refused() -> None:
    assert "UTF-16" in _refusal(codecs.BOM_UTF16_LE + b"\x00\xd8\x41\x00")


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", "Müller: café".encode("latin-1"), "问：你好\n答：好\x07的\n".encode(),
                                  TEXT.encode("utf-8").decode("latin-1").encode("utf-8")],
                         ids=["empty", "nul", "latin1", "control", "garbled"])
def test_every_refusal_is_written_in_chinese_too(data: bytes) -> None:
    """The app shows the chosen language: a refusal carries a Chinese sentence that names the file."""
    with pytest.raises(TranscriptError) as caught:
        decode_transcript_bytes(data, "访谈.txt")
    zh = caught.value.in_language("zh")
    assert zh != caught.value.in_language("en") and "访谈.txt" in zh and "请" in zh
    assert not [w for w in zh.split() if w.isascii() and w.isalpha() and len(w) > 3], zh
