"""Every bad input of issue 2 is refused by parse_transcript with one sentence naming the file."""

from __future__ import annotations

import io
import zipfile

import pytest

from rag.parse import DEFAULT_MAX_BYTES, parse_transcript
from shifu.errors import TranscriptError


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:t>" + b"A" * (60 * 1024 * 1024))
    return out.getvalue()


BAD = {
    "empty.txt": (b"", "empty"),
    "photo.txt": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8, "binary"),
    "notes.docx": ("问：你好\n答：你好\n".encode(), "not a Word document"),
    "bomb.docx": (_zip_bomb(), "ZIP bomb"),
    "shiftjis.txt": ("問：溶接の焼けはなぜ青くなりますか？答：シールドガスが足りません。".encode("shift_jis"), "UTF-8"),
    "broken.srt": (b"1\n00:00:01,000 --> 00:00:02,000\nQ: hi\n\n2\nnot a time\nA: hello\n", "timing line"),
    "wrong.json": (b'{"title": "t", "utterances": [{"who": "A", "said": "x"}]}', "utterances"),
    "prose.txt": ("焊缝发蓝主要是氧化造成的。保护气要足。\n".encode(), "Speaker: text"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_refused_in_one_sentence_naming_the_file(name: str) -> None:
    data, hint = BAD[name]
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(data, name)
    message = str(caught.value)
    assert message.startswith(name) or f" {name} " in f" {message} "
    assert hint in message
    assert "\n" not in message


def test_file_over_the_size_limit_names_the_limit_and_the_setting() -> None:
    data = b"Q: a\nA: b\n" * (DEFAULT_MAX_BYTES // 10 + 1)
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(data, "huge.txt")
    assert "huge.txt" in str(caught.value) and "20 MB" in str(caught.value) and "SHIFU_MAX_FILE_MB" in str(caught.value)
    with pytest.raises(TranscriptError, match=r"over the 0.001 MB limit"):
        parse_transcript(b"Q: a\nA: b\n" * 200, "small.txt", max_bytes=1049)


@pytest.mark.parametrize("name", sorted(BAD))
def test_the_app_can_show_the_refusal_in_chinese(name: str) -> None:
    """The upload screen shows the chosen language: the same refusal, in Chinese, naming the file, no command line."""
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(BAD[name][0], name)
    zh = caught.value.in_language("zh")
    assert zh != str(caught.value) and name in zh and "请" in zh
    assert "--" not in zh.replace("-->", "") and "SHIFU_" not in zh
