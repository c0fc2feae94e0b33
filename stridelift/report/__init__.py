"""The recovery-versus-load report: `data` reads one athlete's range from the database,
`render` turns it into one self-contained HTML page (Plotly inlined, opens offline)."""

from jobs.report_rows import ReportData, load_report
from stridelift.report.render import render

__all__ = ["ReportData", "load_report", "render"]
