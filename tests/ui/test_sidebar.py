"""Which metadata columns may become filters and chart splits."""

from __future__ import annotations

import pandas as pd

from ui.sidebar import attribute_columns


def test_identifier_columns_are_never_groups_even_when_values_repeat() -> None:
    people = pd.DataFrame({
        "transcript_id": [f"t{i}" for i in range(6)],
        # A metadata sheet with two rows per interview: ids repeat, still not a group.
        "attr.Transcript ID": ["w1", "w1", "w2", "w2", "w3", "w3"],
        "attr.participant_id": ["p1", "p1", "p2", "p2", "p3", "p3"],
        "attr.source-file": ["a.txt", "a.txt", "b.txt", "b.txt", "c.txt", "c.txt"],
        "attr.participant_name": ["Ann", "Ann", "Bo", "Bo", "Cy", "Cy"],
        "attr.team": ["ops", "ops", "data", "data", "ops", "data"],
        "attr.company_name": ["Acme", "Acme", "Acme", "Initech", "Initech", "Initech"],
        "attr.note": [f"free text {i}" for i in range(6)],  # never repeats: not a group
    })
    assert attribute_columns(people) == ["attr.team", "attr.company_name"]
