"""What every layer shares: where cells sit, sheet names, cell-value semantics,
issues and the issue-code catalogue. Imports nothing above :mod:`xlsaddin.spec`."""
