"""The fields of the record forms: which fields each form has, how their text becomes the input
of the API's request models, and how a record's values are shown in them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlmodel import SQLModel

from spbe_common.api import INT64_MAX, INT64_MIN
from spbe_common.catalogue import service_area_code, service_area_label
from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetKind,
    Lifecycle,
    Platform,
)
from spbe_common.registers import values

from .typed_input import whole_number


class Kind(Enum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"  # a checkbox: sent when ticked
    LINES = "lines"  # a list, one item per line
    WORDS = "words"  # a list, items apart by spaces, commas or lines
    IDS = "ids"  # a list of record ids
    AREAS = "areas"  # service areas, one per line by name ("Kepegawaian", "Kesehatan")
    RUPIAH = "rupiah"  # an amount as people write it: "Rp 15.000.000", "15.000.000,00"


T, N, B, L, W = Kind.TEXT, Kind.INT, Kind.BOOL, Kind.LINES, Kind.WORDS
SPLIT = re.compile(r"[\s,;]+")
LINE_FIELDS = frozenset({"urls", "service_areas"})  # one item per line: messages name the line


@dataclass(frozen=True)
class Spec:
    """One form: its template, fields (name -> kind), OPD field and what its 409 means."""

    template: str
    kinds: Mapping[str, Kind]
    opd_field: str
    conflict: str
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def edited(self, *fixed: str) -> Spec:
        kinds = {k: v for k, v in self.kinds.items() if k not in fixed}
        return Spec(self.template, kinds, self.opd_field, self.conflict)


ASSET = Spec(
    "form_aset.html",
    {"name": T, "kind": T, "hostname": T, "mac": T, "serial": T, "addresses": W, "opd_code": T,
     "location": T, "owner": T, "facility_id": N, "lifecycle": T, "asset_code": T,
     "manufacturer": T, "model": T, "procurement_year": N, "condition": T,
     "acquisition_cost": Kind.RUPIAH,
     "funding_source": T, "warranty_until": T, "notes": T},
    "opd_code",
    "MAC, nomor seri, atau alamat IP ini milik aset OPD lain. Tidak ada yang tersimpan.",
    {"kind": AssetKind.OTHER.value, "lifecycle": Lifecycle.ACTIVE.value},
)  # fmt: skip
APPLICATION = Spec(
    "form_aplikasi.html",
    {"name": T, "opd_code": T, "description": T, "kind": T, "platform": T, "hosting": T,
     "facility_id": N, "status": T, "function_level": N, "uses_service_bus": B, "urls": L,
     "service_areas": Kind.AREAS, "asset_ids": Kind.IDS, "licence": T, "licence_until": T},
    "opd_code",
    "Aplikasi dengan nama ini sudah ada di OPD tersebut. Tidak ada yang tersimpan.",
    {"kind": ApplicationKind.SPECIAL.value, "platform": Platform.WEB.value,
     "status": ApplicationStatus.ACTIVE.value},
)  # fmt: skip
FACILITY = Spec(
    "form_fasilitas.html",
    {"name": T, "kind": T, "location": T, "tier": T, "owner_opd_code": T, "operator": T,
     "intranet_mbps": N, "internet_mbps": N, "has_sop": B, "pdn_interconnected": B},
    "owner_opd_code",
    "Fasilitas dengan nama ini sudah ada. Tidak ada yang tersimpan.",
    {"kind": "pusat_data_pemda"},
)  # fmt: skip
LINK = Spec(
    "form_jaringan.html",
    {"opd_code": T, "site": T, "media": T, "bandwidth_mbps": N, "owner": T, "operator": T,
     "on_intra_network": B, "jip_interconnected": B},
    "opd_code",
    "Lokasi ini sudah memiliki sambungan jaringan intra. Tidak ada yang tersimpan.",
    {"media": "fibre", "on_intra_network": True},
)  # fmt: skip
ASSET_EDIT = ASSET.edited("mac", "addresses")
APPLICATION_EDIT = APPLICATION.edited("name", "opd_code")


def _number(text: str) -> int | str:
    """An integer when it is one; otherwise the text, which the model refuses (int_parsing)."""
    number = whole_number(text, INT64_MIN, INT64_MAX)
    return text if number is None else number


def _parse_one(raw: str, kind: Kind) -> Any:
    if kind in (Kind.LINES, Kind.AREAS):
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        return [service_area_code(line) for line in lines] if kind is Kind.AREAS else lines
    if kind in (Kind.WORDS, Kind.IDS):
        items = [item for item in SPLIT.split(raw) if item]
        return [_number(item) for item in items] if kind is Kind.IDS else items
    if not raw:
        return None
    if kind is Kind.RUPIAH:
        try:
            return values.rupiah(raw, None)  # as the registers read a cost
        except ValueError:
            return raw  # the model refuses it, with the field's message
    return _number(raw) if kind is Kind.INT else raw


def parse(form: Mapping[str, str], spec: Spec) -> dict[str, Any]:
    """Model input from the posted fields; an empty field is None (create: left to the default)."""
    values: dict[str, Any] = {}
    for name, kind in spec.kinds.items():
        if kind is Kind.BOOL:
            values[name] = name in form
        else:
            values[name] = _parse_one(form.get(name, "").strip(), kind)
    return values


def shown(record: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    """A record's values as the form's fields show them."""
    out: dict[str, Any] = {}
    for name, kind in spec.kinds.items():
        value = record.get(name)
        if kind is Kind.BOOL:
            out[name] = bool(value)
        elif kind is Kind.AREAS:
            out[name] = "\n".join(service_area_label(code) for code in value or [])
        elif isinstance(value, list):
            out[name] = "\n".join(str(item) for item in value)
        else:
            out[name] = "" if value is None else str(value)
    return out


def typed(form: Mapping[str, str], spec: Spec) -> dict[str, Any]:
    """What the user typed, to show again with the messages."""
    return {
        name: (name in form) if kind is Kind.BOOL else form.get(name, "")
        for name, kind in spec.kinds.items()
    }


def create_input(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def update_input(
    values: dict[str, Any], current: Mapping[str, Any], model: type[SQLModel]
) -> dict[str, Any]:
    """Only what the user changed: a field sent in a PATCH becomes declared (scans keep off it)."""
    not_null: frozenset[str] = getattr(model, "not_null", frozenset())
    return {
        k: v for k, v in values.items() if v != current.get(k) and not (v is None and k in not_null)
    }
