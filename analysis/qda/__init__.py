"""REFI-QDA exchange: hand codebooks and coded projects to NVivo, ATLAS.ti and MAXQDA.

The REFI-QDA standard (www.qdasoftware.org) has two file types: a Codebook Exchange file
(``.qdc``, one XML ``<CodeBook>``) and a Project Exchange file (``.qdpx``, a ZIP of
``project.qde`` plus the text sources). Writing both lets a researcher continue by hand in
the tool they already use; reading a ``.qdc`` lets them bring a codebook made there.
"""

from analysis.qda.codebook_xml import QdcImport, codebook_to_qdc, qdc_to_codebook_yaml
from analysis.qda.project_xml import build_qdpx
from analysis.qda.safe_xml import QdaError
from analysis.qda.validate import check_qdc, check_qdpx

__all__ = [
    "QdaError",
    "QdcImport",
    "build_qdpx",
    "check_qdc",
    "check_qdpx",
    "codebook_to_qdc",
    "qdc_to_codebook_yaml",
]
