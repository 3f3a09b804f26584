Attribute VB_Name = "xlsaddin_nut_bam"
' Buttons of the xlsaddin workbooks. Each only calls Python through xlwings'
' RunPython; all logic lives in the xlsaddin package (xlsaddin/excel.py).

Sub KiemTra()
    RunPython "import xlsaddin.excel as x; x.validate()"
End Sub

Sub TongHop()
    RunPython "import xlsaddin.excel as x; x.consolidate()"
End Sub

Sub LapBaoCao()
    RunPython "import xlsaddin.excel as x; x.report()"
End Sub

Sub DanhSachChuaNop()
    RunPython "import xlsaddin.excel as x; x.missing()"
End Sub
