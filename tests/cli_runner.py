"""Run ``xlsaddin.cli.app`` in this process and capture what it prints (as a user sees it)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str
    output: str
    """stdout and stderr interleaved, in the order they were written."""


class _Tee(io.StringIO):
    def __init__(self, both: io.StringIO) -> None:
        super().__init__()
        self._both = both

    def write(self, text: str) -> int:
        self._both.write(text)
        return super().write(text)


class CliRunner:
    """``CliRunner().invoke(app, ["validate", path])``: exit code and output of one command."""

    def invoke(self, app: Callable[[Sequence[str]], int], args: Sequence[str]) -> Result:
        both = io.StringIO()
        out, err = _Tee(both), _Tee(both)
        with redirect_stdout(out), redirect_stderr(err):
            code = app([str(a) for a in args])
        sys.stdout.flush()
        return Result(code, out.getvalue(), err.getvalue(), both.getvalue())
