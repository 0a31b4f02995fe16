"""Reports that leave the app: a PowerPoint deck and a self-contained HTML page.

WHY a separate package: both writers take one plain ``ReportContent`` (texts, numbers and
already-rendered chart images) and know nothing about Streamlit, Altair or the pipeline, so
the app's download buttons and ``python -m analysis report`` produce the same files, and the
writers can be tested on hand-made content. Chart rendering (Altair + vl-convert) is done by
the caller (``ui.report_charts``) and handed in as PNG/SVG.
"""
