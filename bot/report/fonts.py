"""Where the report's PDF finds its fonts: DejaVu Sans, as matplotlib ships it.

Owns: the folder of the TrueType files in matplotlib's own package data, so the PDF
embeds the same fonts on every machine (covering every letter a participant may type:
é, ë, ł, ş, “”, €) and reads no system font. Must not: register or lay out anything
(``pdf_file``).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
ITALIC = "DejaVuSans-Oblique.ttf"
BOLD_ITALIC = "DejaVuSans-BoldOblique.ttf"


def font_file(name: str) -> Path:
    """One of the font files above, from matplotlib's ``fonts/ttf``."""
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    if not path.is_file():
        raise FileNotFoundError(f"matplotlib ships no {name} at {path}")
    return path
