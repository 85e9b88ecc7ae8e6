"""The report as a PDF to share, laid out with ReportLab's platypus.

Owns: the page (A4, margins of two centimetres, the footer with the page number), the
fonts (DejaVu Sans from matplotlib's own package data, embedded, so every letter a
participant types shows: é, ë, ł, ş, “”, €; no system font is read), the styles of
headings, paragraphs, lists and tables, placeholders on a yellow ground, tables that run
over pages with their header repeated, and pictures side by side filling the text width
(smaller where they would not fit the page's height). The file is the same for the same
report (no time stamp, no random id). Must not: word anything (the document holds every
word) or read anything but the fonts.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

from bot.report import fonts
from bot.report.document import (
    PICTURES_PER_ROW,
    Bullets,
    Document,
    Heading,
    Inline,
    Paragraph,
    Pictures,
    Table,
)

FONT = "DejaVuSans"
FONT_FILES = {
    FONT: fonts.REGULAR,
    f"{FONT}-Bold": fonts.BOLD,
    f"{FONT}-Oblique": fonts.ITALIC,
    f"{FONT}-BoldOblique": fonts.BOLD_ITALIC,
}
MARGIN = 2 * cm
PICTURE_GAP = 0.6 * cm
INK = colors.HexColor("#1b1b1b")
ACCENT = colors.HexColor("#1f4e79")
FAINT = colors.HexColor("#6b6b6b")
RULE = colors.HexColor("#b9c3cf")
HEADER_GROUND = colors.HexColor("#e8edf3")
STRIPE = colors.HexColor("#f6f8fa")
BLANK_GROUND = "#fff1a8"
"""The ground of a placeholder the facilitator fills in."""

_NO_PADDING = [
    (f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "RIGHT", "TOP", "BOTTOM")
]
_FONTS_LOCK = threading.Lock()


def _register_fonts() -> None:
    """DejaVu Sans in four styles, registered once per process (ReportLab's registry is
    global); ``<b>`` and ``<i>`` in a paragraph pick the bold and oblique files."""
    with _FONTS_LOCK:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        for name, file_name in FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(fonts.font_file(file_name))))
        registerFontFamily(
            FONT,
            normal=FONT,
            bold=f"{FONT}-Bold",
            italic=f"{FONT}-Oblique",
            boldItalic=f"{FONT}-BoldOblique",
        )


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=10, leading=14.5, textColor=INK, spaceAfter=7
    )
    return {
        "body": body,
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=f"{FONT}-Bold",
            fontSize=20,
            leading=25,
            textColor=ACCENT,
            spaceAfter=14,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=f"{FONT}-Bold",
            fontSize=13.5,
            leading=17,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=6,
            keepWithNext=True,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=body,
            fontName=f"{FONT}-Bold",
            fontSize=11,
            leading=14.5,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=True,
        ),
        "item": ParagraphStyle(
            "item", parent=body, spaceAfter=2, leftIndent=14, bulletIndent=2, bulletFontName=FONT
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11, spaceAfter=0),
        "number": ParagraphStyle(
            "number", parent=body, fontSize=8.5, leading=11, spaceAfter=0, alignment=TA_RIGHT
        ),
        "header": ParagraphStyle(
            "header",
            parent=body,
            fontName=f"{FONT}-Bold",
            fontSize=8.5,
            leading=11,
            spaceAfter=0,
        ),
        "header_number": ParagraphStyle(
            "header_number",
            parent=body,
            fontName=f"{FONT}-Bold",
            fontSize=8.5,
            leading=11,
            spaceAfter=0,
            alignment=TA_RIGHT,
        ),
    }


def _markup(runs: Inline) -> str:
    """``runs`` as ReportLab's paragraph markup, every character of the text escaped."""
    parts = []
    for run in runs:
        text = escape(run.text).replace("\n", "<br/>")
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        if run.blank:
            text = f'<span backColor="{BLANK_GROUND}">{text}</span>'
        parts.append(text)
    return "".join(parts)


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.styles = _styles()
        self.width = A4[0] - 2 * MARGIN
        self.height = A4[1] - 2 * MARGIN - 0.6 * cm
        """The frame's height, less a little for what platypus keeps around a flowable."""

    def flowables(self) -> list[Flowable]:
        out: list[Flowable] = []
        for block in self.document.blocks:
            if isinstance(block, Heading):
                style = self.styles[f"h{min(block.level, 3)}"]
                out.append(PdfParagraph(_markup(block.runs), style))
            elif isinstance(block, Paragraph):
                out.append(PdfParagraph(_markup(block.runs), self.styles["body"]))
            elif isinstance(block, Bullets):
                out.extend(self._bullets(block))
            elif isinstance(block, Table):
                out.append(self._table(block))
            elif isinstance(block, Pictures):
                out.extend(self._pictures(block))
        return out

    def _bullets(self, block: Bullets) -> list[Flowable]:
        items: list[Flowable] = [
            PdfParagraph(_markup(item), self.styles["item"], bulletText="•") for item in block.items
        ]
        items.append(Spacer(0, 5))
        return items

    def _table(self, block: Table) -> Flowable:
        weights = block.weights()
        total = sum(weights) or 1.0
        widths = [self.width * weight / total for weight in weights]
        rows: list[list[Flowable | str]] = []
        for row in block.rows:
            cells: list[Flowable | str] = []
            for cell in row.cells:
                name = ("header" if row.header else "cell") + ("_number" if cell.number else "")
                style = self.styles["number" if name == "cell_number" else name]
                cells.append(PdfParagraph(_markup(cell.runs), style))
            cells.extend("" for _ in range(block.columns - len(cells)))
            rows.append(cells)
        headers = 0
        while headers < len(block.rows) and block.rows[headers].header:
            headers += 1
        commands: list[Any] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ("ROWBACKGROUNDS", (0, headers), (-1, -1), [colors.white, STRIPE]),
        ]
        if headers:
            commands += [
                ("BACKGROUND", (0, 0), (-1, headers - 1), HEADER_GROUND),
                ("LINEBELOW", (0, headers - 1), (-1, headers - 1), 0.75, ACCENT),
            ]
        table = PdfTable(rows, colWidths=widths, repeatRows=headers, hAlign="LEFT")
        table.setStyle(TableStyle(commands))
        table.spaceAfter = 9
        return table

    def _pictures(self, block: Pictures) -> Sequence[Flowable]:
        """Each row of pictures as a borderless table of one row (a row never splits over
        two pages), every picture as wide as a column, or less where it is too tall."""
        room = (self.width - PICTURE_GAP * (PICTURES_PER_ROW - 1)) / PICTURES_PER_ROW
        out: list[Flowable] = []
        for pictures in block.rows():
            images = []
            for picture in pictures:
                pixels_wide, pixels_high = picture.size
                scale = min(room / pixels_wide, self.height / pixels_high)
                images.append(
                    Image(io.BytesIO(picture.png), pixels_wide * scale, pixels_high * scale)
                )
            if len(images) == 1:
                images[0].hAlign = "CENTER"
                out.append(images[0])
            else:
                row = PdfTable([images], colWidths=[room] * len(images), hAlign="CENTER")
                row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING]))
                out.append(row)
            out.append(Spacer(0, PICTURE_GAP))
        return out

    def footer(self, canvas: Canvas, _doc: object) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(FAINT)
        text = self.document.footer.replace("{page}", str(canvas.getPageNumber()))
        canvas.drawCentredString(A4[0] / 2, MARGIN / 2, text)
        canvas.restoreState()


def write_pdf(document: Document) -> bytes:
    """``document`` as a PDF."""
    _register_fonts()
    writer = _Writer(document)
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=document.title,
        author=document.author or "",
        lang=document.language,
        invariant=True,
        initialFontName=FONT,
    )
    pdf.build(writer.flowables(), onFirstPage=writer.footer, onLaterPages=writer.footer)
    return out.getvalue()
