"""One rule language (declared in mappings/) compiled to Python checks and Excel formulas."""
