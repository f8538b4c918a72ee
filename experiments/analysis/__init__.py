"""Analyses of an experiment's runs.parquet: one module per experiment type, plus statistics.

Each `analyse(spec, runs, series, folder)` reads only the stored runs (never the model), writes
tables (CSV) and figures (PNG) into the folder and returns the markdown section for report.md.
"""
