"""Evaluation frameworks (Indeks SPBE 2018/2020, Indeks Pemdi 2026) as validated data files."""

from .loader import (
    FrameworkError,
    FrameworkFileError,
    UnknownFrameworkError,
    list_frameworks,
    load_framework,
    read_framework,
)
from .schemas import Aspect, Band, Domain, Framework, Indicator, Scale

__all__ = [
    "Aspect",
    "Band",
    "Domain",
    "Framework",
    "FrameworkError",
    "FrameworkFileError",
    "Indicator",
    "Scale",
    "UnknownFrameworkError",
    "list_frameworks",
    "load_framework",
    "read_framework",
]
