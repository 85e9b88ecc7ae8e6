"""Rendering words from ``templates/``: jinja2 message templates and plain labels.

Owns: the jinja2 environments (autoescape on, ``StrictUndefined``), one folder per
language with a fallback language, ``labels.toml`` per language for button labels and
short answers to taps (with more ``*.toml`` files of labels beside it, such as the
export's headers in ``export_labels.toml``; a key defined twice is refused), and the
filters that write numbers and lists as each language does, with Babel (``decimal``:
"1,2" in Dutch, "1.2" in English; ``names``: "Hamid, Rosa en Tineke", "Hamid, Rosa, and
Tineke"; ``date``: "9 juli 2012", "July 9, 2012"). Must not: know effects, Telegram or the
database.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from bot.resources import shipped

TEMPLATES_DIR = shipped("templates")
LABELS_FILE = "labels.toml"


class Renderer:
    def __init__(self, templates_dir: Path = TEMPLATES_DIR, fallback: str = "en") -> None:
        self.templates_dir = templates_dir
        self.fallback = fallback
        self.locales = tuple(
            sorted(p.name for p in templates_dir.iterdir() if (p / LABELS_FILE).is_file())
        )
        if fallback not in self.locales:
            raise ValueError(f"no templates for the fallback language {fallback!r}")
        self._envs = {locale: self._environment(locale) for locale in self.locales}
        self._labels = {locale: _read_labels(templates_dir / locale) for locale in self.locales}

    def _environment(self, locale: str) -> jinja2.Environment:
        folders = [self.templates_dir / locale]
        if locale != self.fallback:
            folders.append(self.templates_dir / self.fallback)
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # templates ship with the program: no stat() per message
        )
        environment.filters["decimal"] = lambda value, digits=1: self.number(locale, value, digits)
        environment.filters["names"] = lambda values: format_list(list(values), locale=locale)
        environment.filters["date"] = lambda day, style="long": self.date(locale, day, style)
        return environment

    def _locale(self, locale: str) -> str:
        return locale if locale in self._envs else self.fallback

    def render(self, locale: str, name: str, /, **context: Any) -> str:
        """The message ``<name>.html`` in ``locale`` (Telegram HTML), trimmed."""
        locale = self._locale(locale)
        template = self._envs[locale].get_template(f"{name}.html")
        text = template.render(label=lambda key, **p: self.label(locale, key, **p), **context)
        return "\n".join(line.rstrip() for line in text.strip().splitlines())

    def label(self, locale: str, key: str, /, **params: Any) -> str:
        """A short plain-text string (a button, an answer to a tap)."""
        labels = self._labels[self._locale(locale)]
        text = labels.get(key)
        if text is None:
            text = self._labels[self.fallback][key]
        return str(text).format(**params) if params else str(text)

    def number(self, locale: str, value: float, digits: int = 0) -> str:
        """``value`` with ``digits`` decimals as ``locale`` writes it (Babel): "1,5" and
        "1.250" in Dutch, "1.5" and "1,250" in English."""
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return str(format_decimal(value, format=pattern, locale=self._locale(locale)))

    def date(self, locale: str, day: date | datetime, style: str = "long") -> str:
        """``day`` as ``locale`` writes a date (Babel): "9 juli 2012" in Dutch, "July 9,
        2012" in English (``style`` "long"; "medium", "short" and "full" too)."""
        return str(format_date(day, format=style, locale=self._locale(locale)))

    def labels(self, locale: str, prefix: str) -> dict[str, str]:
        """Every label whose key starts with ``prefix``, unformatted (a web page fills in
        the ``{placeholders}``), with the fallback language's where ``locale`` has none."""
        chosen = {**self._labels[self.fallback], **self._labels[self._locale(locale)]}
        return {key: str(text) for key, text in chosen.items() if key.startswith(prefix)}

    def template_names(self, locale: str) -> list[str]:
        return sorted(p.stem for p in (self.templates_dir / locale).glob("*.html"))

    def label_keys(self, locale: str) -> set[str]:
        return set(self._labels[locale])


def _read_labels(folder: Path) -> dict[str, Any]:
    """Every label in ``folder``'s TOML files (``labels.toml`` and the ones beside it)."""
    labels: dict[str, Any] = {}
    for path in sorted(folder.glob("*.toml")):
        more = tomllib.loads(path.read_text("utf-8"))
        twice = sorted(labels.keys() & more.keys())
        if twice:
            raise ValueError(f"{path}: labels defined in another file too: {twice}")
        labels.update(more)
    return labels
