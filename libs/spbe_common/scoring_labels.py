"""What people read for the scorer's English values: Bahasa Indonesia, with the domain's own terms
(OPD, SPBE, Pusat Data) kept as they are. The API and the database keep the English values.

Shared by the inventory's pages and the scorer's workbooks (the scorer does not import the
inventory, the inventory does not import the scorer): one table of names for both.
"""

from __future__ import annotations

SCORING: dict[str, dict[str, str]] = {
    "framework": {
        "spbe-2020": "Indeks SPBE 2020",
        "spbe-2018": "Indeks SPBE 2018",
        "pemdi-2026": "Indeks Pemdi 2026",
    },
    "source": {
        "derived": "Diturunkan dari katalog",
        "manual": "Penilaian evaluator",
        "override": "Penilaian evaluator (mengganti nilai turunan)",
        "external_default": "Nilai bawaan indeks eksternal",
        "not_assessed": "Belum dinilai",
        "proposed": "Usulan katalog (belum diterima evaluator)",
    },
    "trigger": {
        "cli": "Baris perintah",
        "api": "Permintaan API",
        "schedule": "Terjadwal",
        "period": "Usulan untuk periode evaluasi",
    },
    "evidence": {
        "opd": "OPD",
        "application": "Aplikasi",
        "facility": "Fasilitas",
        "site": "Lokasi OPD",
        "service_bus": "Sistem penghubung layanan",
        "review": "Reviu",
        "audit": "Audit TIK",
        "asset_management": "Manajemen aset",
        "asset": "Aset",
    },
    # The groups of a framework, as a run's summary names them.
    "group": {"domain": "Domain", "aspect": "Aspek"},
    # The evaluation workspace (issue 12).
    "worksheet_status": {
        "not_started": "Belum dimulai",
        "draft": "Draf",
        "submitted": "Diajukan",
        "verified": "Terverifikasi",
        "returned": "Dikembalikan",
    },
    "worksheet_source": {
        "accepted": "Diterima dari usulan",
        "override": "Ditetapkan evaluator",
        "manual": "Manual",
    },
    "period_status": {"open": "Dibuka", "closed": "Ditutup"},
    "worksheet_action": {
        "created": "Dibuat",
        "assigned": "Penugasan diubah",
        "saved": "Disimpan",
        "accepted": "Usulan diterima",
        "overridden": "Tingkat ditetapkan evaluator",
        "submitted": "Diajukan untuk ditinjau",
        "verified": "Diverifikasi",
        "returned": "Dikembalikan",
        "document_added": "Bukti dukung ditambahkan",
        "document_removed": "Bukti dukung dihapus",
        "asesor": "Nilai asesor dicatat",
    },
}

# Evidence rows that name no catalogue record: their id is a word (shown in Bahasa Indonesia,
# never linked); "more" is the row that counts the applications beyond the named ones.
EVIDENCE_WORDS: dict[tuple[str, str], str] = {
    ("application", "more"): "",
    ("asset_management", "programme"): "program",
    ("asset_management", "guideline"): "pedoman",
    ("asset_management", "register"): "daftar aset",
}


def self_assessment_coverage(levelled: int, total: int, minimum: int) -> str:
    """What the self-assessment index counts: an indicator without a level counts at the
    scale's minimum (PermenPANRB 59/2020 knows no level 0), said on the page and the workbook."""
    if levelled >= total:
        return f"Semua {total} indikator sudah bertingkat."
    return (
        f"{levelled} dari {total} indikator sudah bertingkat; indikator lain dihitung "
        f"tingkat {minimum}."
    )


def scoring_label(kind: str, value: object) -> str:
    """The Indonesian label of one of the scorer's values; an unknown one is shown as it is."""
    if value is None or value == "":
        return "-"
    return SCORING[kind].get(str(value), str(value))


def _text(value: object) -> str:
    return "" if value is None else str(value)


def evidence_record(kind: object, record: object) -> tuple[str, str, bool]:
    """(kind in words, record id or its word, whether the id names a catalogue record) of one
    evidence row: ('Aplikasi', '12', True), ('Manajemen aset', 'daftar aset', False)."""
    kind, record = _text(kind), _text(record)
    word = EVIDENCE_WORDS.get((kind, record))
    return scoring_label("evidence", kind), record if word is None else word, word is None


def evidence_line(evidence: dict[str, object]) -> str:
    """'Aplikasi 12: tingkat 3', 'OPD DINKES: pemanfaatan Pusat Data': one evidence row as the
    run's page prints it, without the link."""
    kind, record, _ = evidence_record(evidence.get("kind"), evidence.get("id"))
    said = f"{kind} {record}" if record else kind
    return f"{said}: {evidence.get('detail', '')}"
