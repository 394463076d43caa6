"""Excel round trip of a plan's tasks: the 任务分解表 import and the task ledger (任务台账) export.

Import is all or nothing: every row is checked first (`check`) and errors are reported by row
and column in Chinese; only a file without errors is applied (`apply`), in one transaction,
through the task services.  New rows become drafts that HQ issues from the pages; rows of
existing codes update the task, and rows equal to the database change nothing, so a ledger
(`ledger`) exported and imported again is a no-op.
"""

from .apply import ImportRejected, ImportResult, import_tasks
from .cells import CODE, COLUMNS, MAX_ROWS, REQUIRED
from .check import CheckedFile, Row, RowError, check_file
from .ledger import LEDGER_COLUMNS, SHEET, export_ledger, ledger_rows, template_sheets

__all__ = [
    "CODE", "COLUMNS", "LEDGER_COLUMNS", "MAX_ROWS", "REQUIRED", "SHEET", "CheckedFile", "ImportRejected",
    "ImportResult", "Row", "RowError", "export_ledger", "import_tasks", "ledger_rows", "check_file",
    "template_sheets",
]
