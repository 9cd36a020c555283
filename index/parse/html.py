"""HTML: ModernGov minutes and agenda-item pages, and ordinary web pages.

Page chrome (navigation, headers, footers, scripts) is dropped; every block-level
element that holds text becomes one block, headings flagged.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from ..document import Extracted, join_runs

CHROME = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "svg"]
CHROME_CLASS = re.compile(
    r"breadcrumb|cookie|skip|menu|navigation|sidebar|mgLinks|mgFooter|mgPdfSize|mgActionList", re.I
)
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
HEADING_CLASS = re.compile(r"TitleTxt|mgSubTitle|mgAiTitle|heading", re.I)
BLOCK_TAGS = HEADING_TAGS | {
    "p", "div", "li", "ul", "ol", "table", "tr", "td", "th", "dt", "dd", "dl", "pre", "blockquote",
    "section", "article", "main", "body", "caption", "figcaption", "address", "tbody", "thead",
}  # fmt: skip
BREAKS = re.compile(r"\s*\n\s*\n\s*")
CONTENT_TAGS = {"html", "body", "main", "article"}  # a theme's class on these ("sidebar-visible") is no chrome


def _content_root(soup: BeautifulSoup) -> Tag:
    for selector in ["main", "[role=main]", "#mgContent", ".mgContent", "article", "body"]:
        found = soup.select_one(selector)
        if found is not None:
            return found
    return soup


def _is_heading(element: Tag) -> bool:
    classes = " ".join(element.get("class") or [])
    return element.name in HEADING_TAGS or bool(HEADING_CLASS.search(classes))


def _runs(element: Tag, heading: bool, out: list[tuple[str, bool, bool]]) -> None:
    """Collect (text, heading) runs: inline content gathers into one run, block elements start new ones."""
    pending: list[str] = []

    def flush() -> None:
        joined = "".join(pending)
        for paragraph in BREAKS.split(joined):
            paragraph = " ".join(paragraph.split())
            if paragraph:
                out.append((paragraph, heading, heading))
        pending.clear()

    for child in element.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                pending.append(str(child).replace("\n", " "))
        elif child.name == "br":
            pending.append("\n")
        elif child.name in BLOCK_TAGS:
            flush()
            _runs(child, heading or _is_heading(child), out)
        else:
            pending.append(child.get_text())
    flush()


def _merge_item_numbers(soup: BeautifulSoup) -> None:
    """ModernGov puts an item's number and title in two table cells: join them into one heading, "5. Title"."""
    for table in soup.select("table.mgItemTable"):
        for header in table.find_all("th"):
            header.decompose()
    for number_cell in soup.select("td.mgItemNumberCell"):
        title_cell = number_cell.find_next_sibling("td")
        title = title_cell.select_one(".mgAiTitleTxt") if title_cell else None
        number = " ".join(number_cell.get_text().split())
        if title is not None and number:
            title.insert(0, NavigableString(f"{number} "))
            number_cell.decompose()


def extract(data: bytes) -> Extracted:
    soup = BeautifulSoup(data, "html.parser")
    for element in soup(CHROME):
        element.decompose()
    for element in soup.find_all(class_=CHROME_CLASS):
        if not element.decomposed and element.name not in CONTENT_TAGS and element.get("role") != "main":
            element.decompose()
    _merge_item_numbers(soup)
    runs: list[tuple[str, bool, bool]] = []
    root = _content_root(soup)
    _runs(root, _is_heading(root), runs)
    return join_runs(runs)
