"""Reading the report's files as a reader would: the PDF's text and pages through Debian's
poppler-utils (``pdftotext``, ``pdftoppm``, installed by the test command), the .docx
through python-docx. Shared by the report's unit tests and the end-to-end ones."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import docx
from PIL import Image, ImageStat


def pdf_text(data: bytes) -> str:
    """The PDF's text in reading order, pages separated by form feeds."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def pdf_lines(data: bytes) -> list[str]:
    """The PDF's non-empty lines, whitespace folded, as ``in`` checks want them."""
    return [" ".join(line.split()) for line in pdf_text(data).splitlines() if line.strip()]


def pdf_pages(data: bytes, dpi: int = 40) -> list[Image.Image]:
    """Every page of the PDF as a greyscale picture, first page first."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), f"{folder}/page"],
            check=True,
            capture_output=True,
        )
        files = sorted(Path(folder).glob("page-*.png"), key=page_number)
        return [Image.open(file).copy() for file in files]


def page_number(file: Path) -> int:
    """``page-10.png`` → 10, so page 10 sorts after page 2 (pdftoppm pads by page count)."""
    found = re.search(r"-(\d+)\.png$", file.name)
    assert found, file
    return int(found.group(1))


def ink_share(page: Image.Image) -> float:
    """The share of the page that is not paper: 0 for a blank page."""
    dark = page.convert("L").point(lambda level: 255 if level < 200 else 0)
    return float(ImageStat.Stat(dark).mean[0] / 255)


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, one per line."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(lines)


def docx_headings(data: bytes) -> list[str]:
    """The .docx's headings (styles ``Title`` and ``Heading n``), in order."""
    document = docx.Document(io.BytesIO(data))
    return [
        p.text
        for p in document.paragraphs
        if p.style is not None
        and p.style.name is not None
        and (p.style.name == "Title" or p.style.name.startswith("Heading"))
    ]


def docx_pictures(data: bytes) -> int:
    """How many pictures the .docx holds inline."""
    return len(docx.Document(io.BytesIO(data)).inline_shapes)
