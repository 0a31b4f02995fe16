"""Streamlit-facing helpers: chart builders (``ui.charts``), session state, caches, widgets.

Everything that touches Streamlit or draws lives here or in ``app_pages/``; the pure data work
stays in ``analysis``. ``ui.charts`` itself calls no ``st.*`` so it can be tested and used
headless (the exporter renders its charts to PNG/SVG with vl-convert).
"""
