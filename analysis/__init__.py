"""Interview Lens analysis library: ingestion, topics, coding and aggregates.

Pure Python, no Streamlit: the app and the CLI (``python -m analysis``) run the same code.
"""
