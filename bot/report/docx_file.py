"""The report as a Word document (.docx) the facilitator completes, with python-docx.

Owns: the page (A4, margins of two centimetres, the page number in the footer), the
document's language (spelling checks in the session's language), headings in Word's own
heading styles (so the navigation pane and a table of contents find them), bullet lists,
tables with a header row that repeats on every page, pictures side by side filling the
text width, and the placeholders highlighted in yellow so the facilitator sees what is
left to write. Must not: word anything (the document holds every word).
"""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

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

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
MARGIN = Cm(2)
PICTURE_GAP = Cm(0.6)
HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2"}
TABLE_STYLE = "Light List Accent 1"
FAINT = RGBColor(0x6B, 0x6B, 0x6B)


def _runs(paragraph: DocxParagraph, runs: Inline) -> None:
    """``runs`` appended to ``paragraph``, a line break for each ``"\\n"``."""
    for run in runs:
        for i, line in enumerate(run.text.split("\n")):
            if i:
                paragraph.add_run().add_break()
            if not line:
                continue
            added = paragraph.add_run(line)
            added.bold = run.bold or None
            added.italic = run.italic or None
            if run.blank:
                added.font.highlight_color = WD_COLOR_INDEX.YELLOW


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.docx: DocxDocument = new_docx()
        self.width = PAGE_WIDTH - 2 * MARGIN
        self.height = PAGE_HEIGHT - 2 * MARGIN - Cm(1.5)

    def write(self) -> bytes:
        self._page()
        for block in self.document.blocks:
            if isinstance(block, Heading):
                style = HEADING_STYLES[min(block.level, 3)]
                _runs(self.docx.add_paragraph(style=style), block.runs)
            elif isinstance(block, Paragraph):
                _runs(self.docx.add_paragraph(), block.runs)
            elif isinstance(block, Bullets):
                for item in block.items:
                    _runs(self.docx.add_paragraph(style="List Bullet"), item)
            elif isinstance(block, Table):
                self._table(block)
            elif isinstance(block, Pictures):
                self._pictures(block)
        out = io.BytesIO()
        self.docx.save(out)
        return out.getvalue()

    def _page(self) -> None:
        properties = self.docx.core_properties
        properties.title = self.document.title
        properties.author = self.document.author or ""
        properties.language = self.document.language
        properties.last_modified_by = ""
        properties.comments = ""
        normal = self.docx.styles["Normal"]
        normal.font.size = Pt(10.5)
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), self.document.language)
        normal.element.get_or_add_rPr().append(language)
        section = self.docx.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, _, after = self.document.footer.partition("{page}")
        for text, field in ((before, False), ("", True), (after, False)):
            run = footer.add_run(text)
            run.font.size = Pt(8)
            run.font.color.rgb = FAINT
            if field:
                _page_number(run._r)

    def _table(self, block: Table) -> None:
        weights = block.weights()
        total = sum(weights) or 1.0
        widths = [Emu(int(self.width * weight / total)) for weight in weights]
        table: DocxTable = self.docx.add_table(rows=len(block.rows), cols=block.columns)
        table.style = self.docx.styles[TABLE_STYLE]
        look = table._tbl.tblPr.find(qn("w:tblLook"))
        if look is not None:  # the style's header row, with no first column set apart
            look.set(qn("w:firstColumn"), "0")
            look.set(qn("w:val"), "0420")
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        for row, added in zip(block.rows, table.rows, strict=True):
            if row.header:
                added._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            for cell, docx_cell, width in zip(row.cells, added.cells, widths, strict=False):
                docx_cell.width = width
                paragraph = docx_cell.paragraphs[0]
                if cell.number:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _runs(paragraph, cell.runs)
                for run in paragraph.runs:
                    run.font.size = Pt(9)
        for column, width in zip(table.columns, widths, strict=False):
            column.width = width
        self.docx.add_paragraph()

    def _pictures(self, block: Pictures) -> None:
        """Each row of pictures in a borderless table, every picture as wide as a column,
        or less where it is too tall; a picture alone in its row is centred."""
        room = (self.width - PICTURE_GAP * (PICTURES_PER_ROW - 1)) / PICTURES_PER_ROW
        for pictures in block.rows():
            widths = []
            for picture in pictures:
                pixels_wide, pixels_high = picture.size
                widths.append(
                    Emu(int(pixels_wide * min(room / pixels_wide, self.height / pixels_high)))
                )
            if len(pictures) == 1:
                paragraph = self.docx.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.add_run().add_picture(io.BytesIO(pictures[0].png), width=widths[0])
                continue
            row = self.docx.add_table(rows=1, cols=len(pictures))
            row.alignment = WD_TABLE_ALIGNMENT.CENTER
            row.autofit = False
            cells = row.rows[0].cells
            for picture, cell, width in zip(pictures, cells, widths, strict=True):
                cell.width = Emu(int(room + PICTURE_GAP / 2))
                paragraph = cell.paragraphs[0]
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.add_run().add_picture(io.BytesIO(picture.png), width=width)
        self.docx.add_paragraph()


def _page_number(run: object) -> None:
    """A PAGE field in ``run`` (Word and LibreOffice fill in the page's number)."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, end):
        run.append(element)  # type: ignore[attr-defined]


def write_docx(document: Document) -> bytes:
    """``document`` as a .docx."""
    return _Writer(document).write()
