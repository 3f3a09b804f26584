"""Demo data: 96 realistic returned workbooks per appendix with a documented set of mistakes."""

from xlsaddin.demo.run import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo"]
