"""OPD spreadsheet registers (XLSX/CSV, Bahasa Indonesia headers) imported as declared events."""
