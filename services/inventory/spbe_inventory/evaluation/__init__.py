"""Evaluation facts for the SPBE / Pemdi scorer, and the catalogue snapshot it reads."""
