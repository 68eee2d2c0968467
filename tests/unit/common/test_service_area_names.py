"""Service areas by name (the application form): every area's name and code read back as its
code, with or without "Layanan"; any other name is a sectoral public service."""

import pytest

from spbe_common.catalogue import (
    PUBLIC_SECTOR_PREFIX,
    SECTOR_SLOTS,
    SERVICE_AREA_LABELS,
    ServiceArea,
    service_area_code,
    service_area_label,
)


def test_every_area_but_the_sector_slots_has_a_name() -> None:
    assert set(SERVICE_AREA_LABELS) == set(ServiceArea) - set(SECTOR_SLOTS)


@pytest.mark.parametrize("area", list(SERVICE_AREA_LABELS))
def test_an_area_reads_back_by_its_name_code_and_indicator_name(area: ServiceArea) -> None:
    label = SERVICE_AREA_LABELS[area]
    said = [label, label.upper(), f"Layanan {label}", area.value, f" {label.lower()} "]
    assert {service_area_code(text) for text in said} == {area.value}
    assert service_area_label(area.value) == label


@pytest.mark.parametrize(
    ("said", "code", "shown"),
    [("Kesehatan", "kesehatan", "Kesehatan"), ("Informasi  Publik", "informasi_publik",
      "Informasi Publik"), ("publik_sektor:adminduk", "adminduk", "Adminduk"),
     ("Perizinan/Non-Perizinan", "perizinan_non_perizinan", "Perizinan Non Perizinan"),
     ("PPID", "ppid", "PPID"), ("Pajak PBB dan BPHTB", "pajak_pbb_dan_bphtb",
      "Pajak PBB dan BPHTB"), ("layanan UMKM", "layanan_umkm", "Layanan UMKM")],
)  # fmt: skip
def test_any_other_name_is_a_sectoral_public_service(said: str, code: str, shown: str) -> None:
    assert service_area_code(said) == f"{PUBLIC_SECTOR_PREFIX}{code}"
    assert service_area_label(service_area_code(said)) == shown
    assert service_area_code(shown) == service_area_code(said)  # what the form shows reads back
