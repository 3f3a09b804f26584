"""Validation: intake, read and check returned files -> one report (issues with stable codes)."""
