"""Plain text and Markdown: the file's own text, one block per line, paragraphs split on blank lines.

A Markdown file copied from a website may open with front matter (`---` … `---`): its fields are kept apart
from the minutes, since a web post's date is when it was posted, not when the meeting was held.
"""

from __future__ import annotations

import re

from ..document import Block, Extracted

BLANK_LINES = re.compile(r"\n[ \t\u00a0\u2000-\u200b\u3000]*\n\s*")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<fields>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$", re.MULTILINE)
MARKDOWN_HEADING = re.compile(r"#{1,6}\s")
MARKDOWN_BOLD_LINE = re.compile(r"(?:\*\*|__)[^*_].*(?:\*\*|__)[:.]?$")


class NotText(ValueError):
    """Raised for bytes that are not text in any encoding councils use."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; refuses binary junk."""
    if b"\x00" in data[:8192]:
        raise NotText("it is binary, not text")
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = data.decode("cp1252", errors="replace")
    control = sum(1 for char in decoded[:8192] if ord(char) < 32 and char not in "\n\r\t\f" or char == "\ufffd")
    if control > max(8, len(decoded[:8192]) // 100):
        raise NotText("it is binary, not text")
    return decoded.replace("\r\n", "\n").replace("\r", "\n")


def line_blocks(text: str, start: int = 0) -> list[Block]:
    """A block for each line from `start`: a line after a blank line begins a paragraph, the others continue it."""
    blocks: list[Block] = []
    position = start
    for separator in [*BLANK_LINES.finditer(text, start), None]:
        end = separator.start() if separator else len(text)
        first = True
        for line in re.finditer(r"[^\n]+", text[position:end]):
            if line.group().strip():
                blocks.append(Block(position + line.start(), position + line.end(), continues=not first))
                first = False
        position = separator.end() if separator else len(text)
    return blocks


def extract(data: bytes) -> Extracted:
    text = decode(data)
    return Extracted(text, line_blocks(text))


def extract_markdown(data: bytes) -> Extracted:
    text = decode(data)
    front = FRONT_MATTER.match(text)
    fields = (
        {match["key"].lower(): match["value"].strip("\"'") for match in FIELD.finditer(front["fields"])}
        if front
        else {}
    )
    blocks = []
    for block in line_blocks(text, front.end() if front else 0):
        line = text[block.start : block.end].strip()
        prominent = bool(MARKDOWN_HEADING.match(line))
        bold = bool(MARKDOWN_BOLD_LINE.match(line))
        blocks.append(
            Block(
                block.start,
                block.end,
                heading=prominent or bold,
                prominent=prominent,
                continues=block.continues and not prominent,
            )
        )
    return Extracted(text, blocks, front_matter=fields)
