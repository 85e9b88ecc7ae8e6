"""The facilitator's export (``/export``): one ZIP a person can open and read and a tool
can parse. ``archive`` lays out the ZIP and builds it in the unit of work, ``tables``
says what each table holds in the session's words, ``formats`` writes the CSVs and
``session.json`` for tools, ``workbook`` the spreadsheet for people. docs/export.md
describes every file and column; ``session.schema.json`` is the JSON Schema of
``session.json``.
"""

from bot.export.archive import Exporter, build_export

__all__ = ["Exporter", "build_export"]
