"""Text that came from a returned file is data, wherever it is shown.

File and folder names, sheet names, ``_meta`` fields and cell values are chosen by
whoever sent the file. None of them may be interpreted on the way out:

* on the terminal, not as Rich console markup (``[/red]`` would raise) nor as control
  sequences (an ESC in a file name would drive the officer's terminal):
  :func:`console_text` gives a Rich ``Text`` with control characters made visible;
* in an XML document (openpyxl, python-docx), not as characters XML 1.0 cannot hold
  (they make the writer raise): :func:`xml_text`;
* as an identity in reports (JSON, workbook, audit log), file names keep one printable,
  unique spelling: :func:`visible` (a name that is not valid UTF-8 on disk keeps its
  bytes as ``\\xNN``).

Formulas are the writers' business: XlsxWriter cells are written with ``write_string``
(never ``write``), openpyxl cells are forced to the string type (``validate/annotate.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

#: C0 controls except tab and line feed, DEL, C1 controls, and lone surrogates
#: (a file name that is not valid UTF-8 decodes to those with ``surrogateescape``).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
#: Characters XML 1.0 cannot hold, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with control characters and undecodable bytes spelled out (``\\x1b``)."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (each becomes ``\\xNN``)."""
    return _NOT_XML.sub(_escape, text) if _NOT_XML.search(text) else text


def console_text(value: object, style: str = "") -> Text:
    """A Rich ``Text`` showing ``value`` literally: no markup, no emoji codes, no controls."""
    from rich.text import Text

    return Text("" if value is None else visible(str(value)), style=style)


def markup(value: object) -> str:
    """``value`` escaped for a Rich markup string (``f"[bold]{markup(path)}[/bold]"``)."""
    from rich.markup import escape

    return escape(visible(str(value)))
