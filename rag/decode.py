"""Turn a transcript file's bytes into clean text, or refuse with a reason the trainer can act on.

Accepted: UTF-8 (with or without BOM), UTF-16 with a BOM, GB18030 (which covers GBK and GB2312).
Anything else is rejected rather than guessed, so no interview is ever stored as mojibake.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from shifu.errors import TranscriptError

__all__ = ["decode_transcript_bytes", "normalise_newlines"]

SAVE_AS_UTF8 = "open it in a text editor and save it as UTF-8"
SAVE_AS_UTF8_ZH = "请用文本编辑器打开它，另存为 UTF-8 编码"
EXPORT_AGAIN_ZH = "请从原始文件重新导出为 UTF-8"

# Control characters that are part of ordinary text files (form feeds etc. become newlines first).
_HARMLESS_CONTROLS = {"\t", "\n"}
# Typical UTF-8-read-as-Latin-1 pairs: "Ã©", "ç„Š", "â€™".
_MOJIBAKE = re.compile("[\u00c2-\u00ef][\u0080-\u00bf\u2018-\u203a\u0152-\u0192\u02c6\u02dc\u20ac\u2122]")


def decode_transcript_bytes(data: bytes, name: str) -> str:
    """Decode a transcript file to text with \\n newlines; raise TranscriptError if it is not text."""
    if not data.strip():
        raise TranscriptError(f"{name} is empty; export the interview again and upload the full file.",
                              zh=f"{name} 是空文件；请重新导出访谈并上传完整文件。")
    text = _decode(data, name)
    text = normalise_newlines(text)
    _check_is_text(text, name)
    return text


def normalise_newlines(text: str) -> str:
    """Use \\n for every line break (Windows, old Mac, Unicode separators, form feeds)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for sep in ("\u2028", "\u2029", "\f", "\v", "\x85"):
        text = text.replace(sep, "\n")
    # A byte-order mark inside the text comes from files pasted together; it is invisible.
    return text.replace("\ufeff", "").rstrip("\x1a")  # \x1a: DOS end-of-file mark


def _decode(data: bytes, name: str) -> str:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise TranscriptError(f"{name} is UTF-32 text, which shifu does not read; {SAVE_AS_UTF8}.",
                              zh=f"{name} 是 UTF-32 文本，师傅读不了；{SAVE_AS_UTF8_ZH}。")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name, "UTF-8 (it starts with a UTF-8 byte-order mark)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", name, "UTF-16 (it starts with a UTF-16 byte-order mark)")
    if b"\x00" in data:
        raise TranscriptError(
            f"{name} contains NUL bytes, so it is a binary file or UTF-16 without a byte-order mark, "
            f"not a text transcript; {SAVE_AS_UTF8}.",
            zh=f"{name} 含有空字节，是二进制文件或没有字节顺序标记的 UTF-16，不是文本转写稿；{SAVE_AS_UTF8_ZH}。",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as err:
        raise TranscriptError(
            f"{name} is neither UTF-8 nor GBK/GB18030 text (unreadable byte at position {err.start}); "
            f"{SAVE_AS_UTF8}.",
            zh=f"{name} 既不是 UTF-8 也不是 GBK/GB18030 文本（第 {err.start} 个字节无法识别）；{SAVE_AS_UTF8_ZH}。",
        ) from None
    _check_plausible_chinese(text, name)
    return text


def _strict(data: bytes, encoding: str, name: str, what: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise TranscriptError(
            f"{name} claims to be {what} but has invalid bytes at position {err.start}; {SAVE_AS_UTF8}.",
            zh=f"{name} 标明是 {encoding.upper()} 编码，但第 {err.start} 个字节无效；{SAVE_AS_UTF8_ZH}。",
        ) from None


def _check_plausible_chinese(text: str, name: str) -> None:
    """GB18030 decodes Big5, Shift-JIS and other byte soups too; real GBK text is almost all GB2312 characters."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    rare = sum(1 for ch in wide if not _in_gb2312(ch))
    # Names may use a few rare characters (喆, 堃); misread text is full of them. An English text
    # whose only non-ASCII bytes are Windows curly quotes reads as GBK with a rare character or two.
    mostly_ascii = len(wide) < 0.05 * len(text)
    if (rare >= 3 and rare > 0.15 * len(wide)) or (rare and mostly_ascii):
        raise TranscriptError(
            f"{name} is not UTF-8 and reads as GBK only as unusual characters, so its encoding "
            f"is something else (Windows-1252, Latin-1, Big5, Shift-JIS ...); {SAVE_AS_UTF8}.",
            zh=f"{name} 不是 UTF-8，按 GBK 读出来又全是生僻字，所以是别的编码（Windows-1252、Latin-1、Big5、"
               f"Shift-JIS 等）；{SAVE_AS_UTF8_ZH}。",
        )


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _check_is_text(text: str, name: str) -> None:
    """Refuse binaries renamed to .txt, stray control bytes and already-mangled text."""
    body = "".join(text.split())
    if not body:
        raise TranscriptError(f"{name} has only blank lines; export the interview again and upload the full file.",
                              zh=f"{name} 只有空行；请重新导出访谈并上传完整文件。")
    # Before the control check: Latin-1 mojibake is full of C1 control characters.
    if len(_MOJIBAKE.findall(body)) * 2 > 0.2 * len(body):
        raise TranscriptError(
            f"{name} looks garbled (UTF-8 text that was once read as Latin-1, e.g. 'Ã©' or 'ç„Š'); "
            f"export it again from the original file as UTF-8.",
            zh=f"{name} 是乱码（UTF-8 文本曾被当作 Latin-1 读过，例如“Ã©”“ç„Š”）；{EXPORT_AGAIN_ZH}。",
        )
    controls = [i for i, ch in enumerate(text) if _is_bad_control(ch)]
    if controls:
        line = text.count("\n", 0, controls[0]) + 1
        if len(controls) > max(5, 0.01 * len(text)):
            raise TranscriptError(
                f"{name} is not a text file (it is full of control bytes, like a program or an image "
                f"renamed to .txt); upload the transcript itself, saved as UTF-8 text.",
                zh=f"{name} 不是文本文件（满是控制字节，像是改名为 .txt 的程序或图片）；请上传转写稿本身，存为 UTF-8 文本。",
            )
        raise TranscriptError(
            f"{name} contains {len(controls)} invisible control character(s), the first on line {line}; "
            f"remove them or {SAVE_AS_UTF8} again.",
            zh=f"{name} 含有 {len(controls)} 个看不见的控制字符，第一个在第 {line} 行；请删除它们，或{SAVE_AS_UTF8_ZH}。",
        )
    bad = sum(1 for ch in body if unicodedata.category(ch) in ("Co", "Cn", "Cs"))
    if bad / len(body) > 0.02:
        raise TranscriptError(
            f"{name} decodes to mostly unassigned or private-use characters, so it is not a transcript "
            f"in a known encoding; {SAVE_AS_UTF8}.",
            zh=f"{name} 解码后大多是未分配或私用区字符，不是已知编码的转写稿；{SAVE_AS_UTF8_ZH}。",
        )
    replacement = text.count("\ufffd")
    if replacement:
        raise TranscriptError(
            f"{name} already contains {replacement} '\ufffd' character(s) from an earlier wrong conversion; "
            f"export it again from the original file as UTF-8.",
            zh=f"{name} 已含有 {replacement} 个“\ufffd”字符（之前转换编码出错留下的）；{EXPORT_AGAIN_ZH}。",
        )


def _is_bad_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in _HARMLESS_CONTROLS
