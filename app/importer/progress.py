"""A one-line progress bar on stderr (redrawn in a terminal, one line per step otherwise)."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    def __init__(self, total: int, label: str, stream: TextIO | None = None, width: int = 30):
        self._total = max(total, 1)
        self._label = label
        self._stream = stream or sys.stderr
        self._width = width
        self._live = self._stream.isatty()

    def show(self, done: int, note: str = "") -> None:
        filled = self._width * done // self._total
        bar = "#" * filled + "." * (self._width - filled)
        line = f"{self._label} [{bar}] {done}/{self._total}" + (f" {note}" if note else "")
        if self._live:
            self._stream.write("\r\x1b[K" + line)
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._live:
            self._stream.write("\n")
            self._stream.flush()
