"""Plain text and Markdown: the file's own text, paragraphs split on blank lines."""

from __future__ import annotations

import re

from ..document import Block
from ..structure import looks_like_heading

BLANK_LINES = re.compile(r"\n[ \t\u00a0\u2000-\u200b\u3000]*\n\s*")


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


def _line_blocks(text: str, start: int, end: int) -> list[Block]:
    """Lines of one paragraph, each a block of its own while they read as headings."""
    blocks: list[Block] = []
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        if newline == -1 or not looks_like_heading(text[position:newline]):
            blocks.append(Block(position, end))
            break
        blocks.append(Block(position, newline))
        position = newline + 1
    return blocks


def paragraph_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    position = 0
    for separator in [*BLANK_LINES.finditer(text), None]:
        end = separator.start() if separator else len(text)
        if text[position:end].strip():
            blocks.extend(_line_blocks(text, position, end))
        position = separator.end() if separator else len(text)
    return blocks


def extract(data: bytes) -> tuple[str, list[Block]]:
    text = decode(data)
    return text, paragraph_blocks(text)


def extract_markdown(data: bytes) -> tuple[str, list[Block]]:
    text = decode(data)
    blocks = [
        Block(block.start, block.end, heading=text.startswith("#", block.start)) for block in paragraph_blocks(text)
    ]
    return text, blocks
