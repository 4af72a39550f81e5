"""Errors a user can meet. Each message is a sentence that says what to do."""


class ShifuError(Exception):
    """Base for errors shown to users as one line (no traceback).

    The message is English (the terminal's); `zh` is the same sentence in Chinese for the app,
    which shows the chosen language (`.en`, `.zh`; `.zh` is None when no one wrote it).
    """

    def __init__(self, message: str = "", zh: str | None = None) -> None:
        super().__init__(message)
        self.en = message
        self.zh = zh

    def in_language(self, lang: str) -> str:
        """The message in `lang` ('zh' or 'en'), English where no Chinese was written."""
        return (self.zh if lang == "zh" else self.en) or str(self)


class TranscriptError(ShifuError):
    """A transcript file cannot be read or is not in a supported format."""


class NotFoundError(ShifuError):
    """A transcript, course, user or template id that does not exist."""


class ConfigError(ShifuError):
    """A setting is missing or wrong; the message names the variable to set."""


class LLMError(ShifuError):
    """The LLM server failed or returned unusable output after retries."""


class PermissionDenied(ShifuError):
    """The caller's role may not do this."""


class IndexDamaged(ShifuError):
    """The search index (BM25 files or the Chroma store) cannot be read; it is rebuilt from SQL."""
