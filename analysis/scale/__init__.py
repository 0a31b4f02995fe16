"""Large corpora (tens of thousands of transcripts, a million answers) with bounded memory.

The in-memory pipeline (``analysis.pipeline``) keeps every frame of a project in pandas,
which is right for a few thousand transcripts and wrong for a hundred thousand. This package
streams the same stages (ingest -> segment -> embed -> topics -> codes/roles) chunk by chunk
into real DuckDB tables of the project store (``analysis.scale.schema``), so memory stays flat
as the corpus grows, an interrupted run resumes where it stopped, and the dashboard
aggregates in the database instead of copying the corpus into pandas.
"""
