"""No unpickling (T14): a static scan of the code, and a pickle upload is refused unread."""

from __future__ import annotations

import ast
import io
import pickle
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from ui import state
from ui.upload import parse_uploads

SCANNED = ("analysis", "ui", "app_pages", "scripts", "bench")
BANNED_CALLS = {
    ("pickle", "load"), ("pickle", "loads"), ("pickle", "Unpickler"),
    ("_pickle", "load"), ("_pickle", "loads"), ("joblib", "load"), ("torch", "load"),
    ("pd", "read_pickle"), ("pandas", "read_pickle"), ("shelve", "open"),
    ("BERTopic", "load"),
}
"""(module or class, attribute) calls that deserialise arbitrary objects."""
NUMPY_LOADS = {("np", "load"), ("numpy", "load")}
"""Allowed only with an explicit ``allow_pickle=False`` (the default has changed before)."""
BANNED_MODULES = {"dill", "cloudpickle", "shelve", "marshal", "jsonpickle"}
BANNED_KEYWORDS = {("allow_pickle", True), ("trust_remote_code", True)}


def _dotted(node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.Attribute):
        base = node.value
        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
        return name, node.attr
    return None


def offences(source: str, filename: str = "<src>") -> list[str]:
    """Every banned call, import or keyword in ``source``, as ``file:line what``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} import {a.name}" for a in node.names
                      if a.name.split(".")[0] in BANNED_MODULES]
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or "").split(".")[0]
            if module in BANNED_MODULES:
                found.append(f"{where} from {module} import")
            found += [f"{where} from {module} import {a.name}" for a in node.names
                      if (module, a.name) in BANNED_CALLS or a.name == "read_pickle"]
        elif isinstance(node, ast.Call):
            dotted = _dotted(node.func)
            if dotted in BANNED_CALLS or (dotted and dotted[1] == "read_pickle"):
                found.append(f"{where} {dotted[0]}.{dotted[1]}()")
            explicit = {(k.arg, getattr(k.value, "value", None)) for k in node.keywords}
            if dotted in NUMPY_LOADS and ("allow_pickle", False) not in explicit:
                found.append(f"{where} np.load() without allow_pickle=False")
            for keyword in node.keywords:
                value = keyword.value
                if isinstance(value, ast.Constant) and (keyword.arg, value.value) in (
                        BANNED_KEYWORDS):
                    found.append(f"{where} {keyword.arg}={value.value}")
    return found


def _sources() -> list[Path]:
    files = [p for d in SCANNED if (PROJECT_ROOT / d).is_dir()
             for p in (PROJECT_ROOT / d).rglob("*.py")]
    return [*files, PROJECT_ROOT / "app.py"]


def test_no_code_path_can_deserialise_objects() -> None:
    sources = _sources()
    assert len(sources) > 40  # the scan really covers the package, the UI and the pages
    found = [o for path in sources
             for o in offences(path.read_text(encoding="utf-8"), str(path.relative_to(
                 PROJECT_ROOT)))]
    assert found == []


@pytest.mark.parametrize(
    "snippet",
    [
        "import pickle\npickle.loads(b)",
        "import pickle as p\nwith open(f, 'rb') as h:\n    pickle.load(h)",
        "from pickle import loads",
        "import joblib\njoblib.load('m.joblib')",
        "import torch\ntorch.load(path)",
        "import numpy as np\nnp.load(path, allow_pickle=True)",
        "import numpy as np\nnp.load(path)",
        "import pandas as pd\npd.read_pickle(path)",
        "df = frame.read_pickle(path)",
        "import dill",
        "from cloudpickle import loads",
        "import shelve\nshelve.open(path)",
        "AutoModel.from_pretrained(name, trust_remote_code=True)",
        "BERTopic.load(path)",
    ],
)
def test_the_scan_catches_each_banned_pattern(snippet: str) -> None:
    assert offences(snippet), snippet


@pytest.fixture
def payload_runs(monkeypatch) -> list[str]:
    """Records every time the pickle payload's ``os.system`` would have run."""
    import os
    import posix

    calls: list[str] = []
    monkeypatch.setattr(posix, "system", lambda command: calls.append(command) or 0)
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)
    assert pickle.loads(PAYLOAD) == 0 and calls == ["echo pwned"]  # the payload is live
    calls.clear()
    return calls


@pytest.fixture
def no_unpickling(monkeypatch, payload_runs) -> list[str]:
    """Also every unpickler in reach raises and records (outside Streamlit, whose own
    ``st.cache_data`` pickles the app's values)."""
    calls = payload_runs

    def refuse(name):
        def _refuse(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} was called on an upload")
        return _refuse

    monkeypatch.setattr(pickle, "load", refuse("pickle.load"))
    monkeypatch.setattr(pickle, "loads", refuse("pickle.loads"))
    monkeypatch.setattr(pickle, "Unpickler", refuse("pickle.Unpickler"))
    import pandas as pd

    monkeypatch.setattr(pd, "read_pickle", refuse("pd.read_pickle"))
    return calls


class Boom:
    """Unpickling this would run ``os.system`` (the classic pickle payload)."""

    def __reduce__(self):
        import os

        return (os.system, ("echo pwned",))


PAYLOAD = pickle.dumps(Boom(), protocol=4)
GOOD = (PROJECT_ROOT / "tests" / "fixtures" / "app" / "interview_nurse.txt").read_bytes()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_pickle_uploads_are_rejected_unread(no_unpickling) -> None:
    batch = parse_uploads([
        ("model.pkl", PAYLOAD), ("model.joblib", PAYLOAD), ("weights.pt", PAYLOAD),
        ("topic_embeddings.bin", PAYLOAD), ("disguised.txt", PAYLOAD),
        ("bundle.zip", _zip({"inner.pkl": PAYLOAD, "ok.txt": GOOD})),
        ("interview_nurse.txt", GOOD),
    ])
    reasons = dict(zip(batch.files["file"], batch.files["reason"], strict=True))
    assert reasons["model.pkl"] == "unsupported file type '.pkl'"
    assert reasons["model.joblib"] == "unsupported file type '.joblib'"
    assert reasons["weights.pt"] == "unsupported file type '.pt'"
    assert reasons["topic_embeddings.bin"] == "unsupported file type '.bin'"
    assert reasons["disguised.txt"] == "binary file, not text"
    assert reasons["bundle.zip/inner.pkl"] == "unsupported file type '.pkl'"
    assert batch.n_parsed == 2  # the good file, alone and inside the ZIP
    assert no_unpickling == []


def test_the_upload_page_refuses_a_pickle_alone_or_inside_a_zip(open_app, payload_runs) -> None:
    at = open_app("app_pages/upload.py")
    # Streamlit's own type allowlist refuses the file before the app sees it; the page
    # shows only the generic (detail-free) error.
    at.file_uploader(key=state.UPLOAD_FILES).set_value(
        [("model.pkl", PAYLOAD, "application/octet-stream")]).run()
    assert [e.message.startswith("This app has encountered an error") for e in at.exception] \
        == [True]
    assert state.UPLOAD_BATCH not in at.session_state
    # Inside an archive the app's own allowlist refuses it, with the reason listed.
    at = open_app("app_pages/upload.py")
    at.file_uploader(key=state.UPLOAD_FILES).set_value(
        [("bundle.zip", _zip({"model.pkl": PAYLOAD, "nurse.txt": GOOD}), "application/zip")]
    ).run()
    assert not at.exception
    rejected = at.dataframe[0].value
    assert list(rejected["file"]) == ["bundle.zip/model.pkl"]
    assert list(rejected["reason"]) == ["unsupported file type '.pkl'"]
    assert payload_runs == []
