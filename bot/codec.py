"""JSON encoding of the core's events and effects, for the outbox and the event log.

Owns: turning a frozen dataclass into a JSON object (with its class name under
``kind``) and back. Must not: know what any event or effect means.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from conversations.effects import EFFECT_TYPES, Effect

T = TypeVar("T")


def encode(record: Any) -> str:
    """A dataclass instance as compact JSON (enums by value, tuples as lists)."""
    return json.dumps(_plain(record), ensure_ascii=False, separators=(",", ":"))


_FIELDS: dict[type, tuple[str, ...]] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    names = _FIELDS.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, bool | int | float | str):
        return value.value  # Enum
    return value


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def decode_effect(kind: str, payload: str) -> Effect:
    """The effect stored as ``kind`` and ``payload`` by ``encode``."""
    cls = EFFECT_TYPES[kind]
    data: dict[str, Any] = json.loads(payload)
    fields: dict[str, Any] = {k: v if isinstance(v, dict) else _tuples(v) for k, v in data.items()}
    return cls(**fields)
