"""The session's report: what a facilitator writes after a session, as a PDF to share and a
.docx to complete (issue 19).

:func:`write_report` is the one entry point: sync, and slow for a large session (a few
seconds for 250 tables), so the shell calls it on a worker thread (``from_store``). It
tells the core's ``Report`` in four steps, one module each:

* ``wording`` gives the report's template (``templates/<lang>/report/report.html``) its
  words: prose in the session's language, numbers by Babel, dates as the language writes
  them; and chooses the plenary's pictures, drawn by ``bot.plenary_pictures.drawing``;
* ``markup`` reads the rendered template (a small HTML) into the ``document`` model:
  headings, paragraphs, lists, tables, pictures and the placeholders the facilitator
  fills in (the location, what comes next);
* ``pdf_file`` (ReportLab) and ``docx_file`` (python-docx) write that one document, so
  the two files tell the same report.

Must not: read the store (``from_store`` does), decide a figure (the core did) or send
anything.
"""

from __future__ import annotations

from bot.plenary_pictures.drawing import draw
from bot.render import Renderer
from bot.report.document import Document
from bot.report.docx_file import write_docx
from bot.report.markup import read
from bot.report.pdf_file import write_pdf
from bot.report.wording import ReportWords, render
from conversations.report import Report


def draw_pictures(report: Report, renderer: Renderer) -> list[bytes | None]:
    """The plenary's pictures as PNGs (None for one that could not be drawn)."""
    return [draw(picture) for picture in ReportWords(report, renderer).pictures()]


def compose(report: Report, renderer: Renderer, pictures: list[bytes | None]) -> Document:
    """The report as a document, with the drawn ``pictures``."""
    words = ReportWords(report, renderer)
    return Document(
        title=words.document_title,
        language=words.language_tag,
        author=report.facilitator,
        footer=words.footer,
        blocks=read(render(words, len(pictures)), pictures),
    )


def file_names(report: Report, renderer: Renderer) -> tuple[str, str]:
    """The PDF's and the .docx's names, in the session's language."""
    words = ReportWords(report, renderer)
    return words.file_name("pdf"), words.file_name("docx")


def write_report(report: Report, renderer: Renderer) -> list[tuple[str, bytes]]:
    """``[(pdf file name, pdf bytes), (docx file name, docx bytes)]``: the report of
    ``report``'s session, in its language (``verslag-sessie-7.pdf``,
    ``report-session-7.docx``). Blocking: call it from a worker thread."""
    document = compose(report, renderer, draw_pictures(report, renderer))
    pdf_name, docx_name = file_names(report, renderer)
    return [(pdf_name, write_pdf(document)), (docx_name, write_docx(document))]
