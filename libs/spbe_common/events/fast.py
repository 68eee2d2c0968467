"""A fast decoder for the hot event types, derived from the pydantic contract at import.

The pydantic models in payloads.py stay the one definition of the contract (and of its JSON
Schemas). From them this module builds msgspec Structs with the same fields, types and limits,
which decode a record about ten times faster than pydantic. The fast path is only ever a
shortcut: whatever it is not sure of goes to `from_binary` (pydantic), which decides, and which
gives the reason an event is set aside. So the fast path may be stricter than pydantic, never
more lenient, and what it accepts decodes to the same values (tests/unit/events/test_fast.py
checks that property on generated events).

Not translated, so always decoded by pydantic: any type with a validator this module does not
know (URLs, the spreadsheet dates, ...). The types the inventory receives by the hundred
thousand (asset.observed, scan.started, scan.completed) translate; a test keeps them so.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import msgspec
from pydantic import AfterValidator, AwareDatetime, BaseModel, WithJsonSchema
from pydantic.fields import FieldInfo

from .envelope import Event, Headers, InvalidEvent, attributes, from_binary
from .limits import MAX_RECORD_BYTES
from .payloads import PAYLOAD_OF_TYPE, _ip_address, _upper_mac
from .types import SCHEMA_VERSION, SPEC_VERSION, EventType


class NotTranslatable(TypeError):
    """A field whose pydantic validation this module cannot reproduce exactly."""


# Validators run after the field's own constraints that may change or refuse a value: the fast
# path keeps a value only when the validator returns it unchanged (else pydantic decides).
CHECKED_AFTER: set[Callable[[Any], Any]] = {_ip_address}
# "before" field validators that return unchanged every input the field's constraints accept
# (_upper_mac on a MAC already in upper case with colons), so skipping them changes nothing.
IDENTITY_ON_VALID: set[Callable[[Any], Any]] = {_upper_mac}

# RFC 3339 with at most microseconds: msgspec rounds a 7th digit where pydantic cuts it.
_LONG_FRACTION = re.compile(rb"\.\d{7}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)\Z")


class Received(msgspec.Struct, frozen=True):
    """What a consumer uses of a decoded event: its attributes and its data.

    `data` is the pydantic payload, or the fast decoder's Struct of the same fields. A frozen
    Struct rather than a frozen dataclass: one is built per record, at a tenth of the cost.
    """

    id: str
    type: EventType
    source: str
    time: datetime
    scanid: str | None
    scope: str | None
    subject: str | None
    data: Any

    @classmethod
    def of(cls, event: Event) -> Received:
        return cls(
            event.id,
            event.type,
            event.source,
            event.time,
            event.scanid,
            event.scope,
            event.subject,
            event.data,
        )


def _python_pattern(pattern: str) -> str:
    """pydantic matches with Rust's regex, whose `$` is the end of the text; Python's `$` also
    matches before a final newline."""
    return (
        pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    )


# annotated_types constraint -> its attribute, which is also msgspec.Meta's keyword
_LIMIT_OF: dict[type, str] = {
    annotated_types.MinLen: "min_length",
    annotated_types.MaxLen: "max_length",
    annotated_types.Ge: "ge",
    annotated_types.Le: "le",
    annotated_types.Gt: "gt",
    annotated_types.Lt: "lt",
}


def _meta(metadata: list[Any]) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for item in metadata:
        name = _LIMIT_OF.get(type(item))
        if name is not None:
            limits[name] = getattr(item, name)  # msgspec.Meta takes the same names
        elif getattr(item, "pattern", None) is not None:
            limits["pattern"] = _python_pattern(item.pattern)
        elif isinstance(item, FieldInfo):
            limits.update(_meta(item.metadata))
        elif isinstance(item, WithJsonSchema):
            continue  # documentation only
        else:
            raise NotTranslatable(f"unknown constraint {item!r}")
    return limits


class _Translator:
    def __init__(self) -> None:
        self.structs: dict[type[BaseModel], type[msgspec.Struct]] = {}
        # per Struct: (field, validator, over a list?) to check after decoding
        self.checks: dict[type[msgspec.Struct], list[tuple[str, Callable[[Any], Any], bool]]] = {}

    def model(self, model: type[BaseModel]) -> type[msgspec.Struct]:
        if model in self.structs:
            return self.structs[model]
        decorators = model.__pydantic_decorators__
        if decorators.model_validators or decorators.root_validators:
            raise NotTranslatable(f"{model.__name__} has a model validator")
        validated = {}
        for decorator in decorators.field_validators.values():
            if decorator.func not in IDENTITY_ON_VALID or decorator.info.mode != "before":
                raise NotTranslatable(f"{model.__name__} has validator {decorator.func!r}")
            validated.update(dict.fromkeys(decorator.info.fields))
        if model.model_config.get("extra") != "forbid":
            raise NotTranslatable(f"{model.__name__} does not forbid extra fields")
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        checks: list[tuple[str, Callable[[Any], Any], bool]] = []
        for name, info in model.model_fields.items():
            if info.alias or info.validation_alias:
                raise NotTranslatable(f"{model.__name__}.{name} has an alias")
            after: list[tuple[Callable[[Any], Any], bool]] = []
            kind = self.annotation(info.annotation, list(info.metadata), after)
            checks += [(name, func, in_list) for func, in_list in after]
            if info.is_required():
                fields.append((name, kind))
            elif info.default_factory is list:
                fields.append((name, kind, msgspec.field(default_factory=list)))
            elif info.default_factory is None and isinstance(info.default, str | int | Enum | None):
                fields.append((name, kind, info.default))
            else:
                raise NotTranslatable(f"{model.__name__}.{name}: default {info.default!r}")
        struct = msgspec.defstruct(
            f"Fast{model.__name__}",
            fields,
            forbid_unknown_fields=True,
            frozen=bool(model.model_config.get("frozen")),
        )
        self.structs[model] = struct
        self.checks[struct] = checks
        return struct

    def annotation(
        self,
        annotation: Any,
        metadata: list[Any],
        after: list[tuple[Callable[[Any], Any], bool]],
        in_list: bool = False,
    ) -> Any:
        origin = get_origin(annotation)
        if origin is Annotated:
            base, *extra = get_args(annotation)
            rest = []
            for item in extra:
                if isinstance(item, AfterValidator):
                    if item.func not in CHECKED_AFTER:
                        raise NotTranslatable(f"unknown validator {item.func!r}")
                    after.append((item.func, in_list))
                else:
                    rest.append(item)
            return self.annotation(base, metadata + rest, after, in_list)
        if origin in (Union, types.UnionType):
            args = get_args(annotation)
            if len(args) != 2 or type(None) not in args:
                raise NotTranslatable(f"union {annotation!r}")
            (inner,) = (a for a in args if a is not type(None))
            return self.annotation(inner, metadata, after, in_list) | None
        if origin is list:
            (item,) = get_args(annotation)
            limits = _meta(metadata)
            element = self.annotation(item, [], after, in_list=True)
            return Annotated[list[element], msgspec.Meta(**limits)] if limits else list[element]  # type: ignore[valid-type]
        if annotation is AwareDatetime:
            if metadata:
                raise NotTranslatable("constraints on a time")
            return Annotated[datetime, msgspec.Meta(tz=True)]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if metadata:
                raise NotTranslatable("constraints on a nested model")
            return self.model(annotation)
        if annotation in (str, int, bool) or (
            isinstance(annotation, type) and issubclass(annotation, Enum)
        ):
            limits = _meta(metadata)
            return Annotated[annotation, msgspec.Meta(**limits)] if limits else annotation
        raise NotTranslatable(f"type {annotation!r}")  # float, date, URLs, ...: pydantic decides

    def verifier(self, model: type[BaseModel]) -> Callable[[Any], bool] | None:
        """A function telling whether the checked validators return a value decoded into the
        translated `model` unchanged; None when it (and every model within it) has nothing to
        check."""
        checks = self.checks[self.structs[model]]
        parts = [_unchanged(name, func, in_list) for name, func, in_list in checks]
        for name, info in model.model_fields.items():
            inner = _inner_model(info.annotation)
            check = self.verifier(inner) if inner else None
            if check is not None:
                parts.append(_nested(name, check))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return lambda value: all(part(value) for part in parts)


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (itself, in a list or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _unchanged(name: str, func: Callable[[Any], Any], in_list: bool) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        found = getattr(value, name)
        if found is None:
            return True
        try:
            for item in found if in_list else (found,):
                if func(item) != item:
                    return False
        except ValueError:
            return False
        return True

    return check


def _nested(name: str, check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def nested(value: Any) -> bool:
        found = getattr(value, name)
        if found is None:
            return True
        return all(check(item) for item in found) if isinstance(found, list) else check(found)

    return nested


def _decoders() -> tuple[_Translator, dict[str, tuple[msgspec.json.Decoder[Any], Any]]]:
    translator = _Translator()
    decoders: dict[str, tuple[msgspec.json.Decoder[Any], Any]] = {}
    for name, payload in PAYLOAD_OF_TYPE.items():
        try:
            struct = translator.model(payload)
        except NotTranslatable:
            continue
        decoders[name] = (msgspec.json.Decoder(struct), translator.verifier(payload))
    return translator, decoders


_TRANSLATOR, FAST_DECODERS = _decoders()
FAST_TYPES = frozenset(FAST_DECODERS)
_TYPES = {t.value: t for t in EventType}


def _bounds(name: str) -> tuple[str, int, int]:
    low, high = 0, 1 << 62
    for item in Event.model_fields[name].metadata:
        if isinstance(item, annotated_types.MinLen):
            low = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            high = item.max_length
    return name, low, high


# the text attributes and their lengths, from the envelope model
_BOUNDS = [_bounds(n) for n in ("id", "source", "scanid", "scope", "subject", "dataschema")]


def fast_twin(payload: type[BaseModel]) -> type[msgspec.Struct] | None:
    """The Struct the fast path decodes `payload` into, if it translates."""
    return _TRANSLATOR.structs.get(payload)


def decode(headers: Headers, value: bytes) -> Received:
    """Decode and validate one record (fast when it can, else pydantic); raises InvalidEvent."""
    attrs = attributes(headers)
    fast = FAST_DECODERS.get(attrs["type"])
    if fast is not None and _plain(attrs, value):
        decoder, verify = fast
        try:
            data = decoder.decode(value)
        except msgspec.MsgspecError:
            data = None
        try:
            time = datetime.fromisoformat(attrs["time"])
        except ValueError:  # 30 February and the like
            data = None
        if data is not None and (verify is None or verify(data)):
            return Received(
                attrs["id"],
                _TYPES[attrs["type"]],
                attrs["source"],
                time,
                attrs.get("scanid"),
                attrs.get("scope"),
                attrs.get("subject"),
                data,
            )
    return Received.of(from_binary(headers, value))


def _plain(attrs: dict[str, str], value: bytes) -> bool:
    """Attributes and a value the fast path can judge alone: anything unusual goes to pydantic."""
    if attrs["specversion"] != SPEC_VERSION or len(value) > MAX_RECORD_BYTES:
        return False
    version = attrs.get("schemaversion")  # pydantic refuses an event without one
    if version is None or not (version.isdigit() and int(version) <= SCHEMA_VERSION):
        return False
    if b"\\u" in value or _LONG_FRACTION.search(value) or not _TIME.match(attrs["time"]):
        return False  # escapes (NUL, lone surrogates) and long fractions: pydantic decides
    for name, low, high in _BOUNDS:
        text = attrs.get(name)
        if text is not None and not low <= len(text) <= high:
            return False
    return True


__all__ = ["FAST_TYPES", "InvalidEvent", "Received", "decode", "fast_twin"]
