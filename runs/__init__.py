"""Replicated runs of one scenario: output tables, figures, provenance, report statistics and the
declared limits (used by the CLI, the dashboard, the notebooks and the experiment layer)."""
