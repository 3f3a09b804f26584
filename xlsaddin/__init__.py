"""xlsaddin: standard Excel report workbooks for the 96 commune-level units of Quảng Ngãi."""

__version__ = "0.1.0"
