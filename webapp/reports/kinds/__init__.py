"""One module per report template: its ReportTemplate (TEMPLATE) with its collect, workbook and PDF figures.

A module here declares `TEMPLATE = ReportTemplate(code=<the module name>, ...)`; registry.py picks it up.
A template that offers pdf also needs templates/reports/print/<code>.html. Shared pieces: data.ReportData,
metrics (SR figures in SQL), workbook (Col/Book/Sheet and the shared SR sheets), pdf (text formatters).
"""
