"""What every layer shares: sheet names, cell-value semantics, issues and the
issue-code catalogue. The bottom layer: imports nothing else of xlsaddin.

(Where cells sit on a sheet is computed from the spec alone: :mod:`xlsaddin.spec.layout`.)
"""
