"""Private projects: a user's ScopedStore sees only projects they own or were added to."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.access import AccessDenied, ScopedStore, claim_unowned, normalise_email
from analysis.store import Store
from tests.analysis.fixture_project import load_fixture_result

ANA, BEN, CAL = "ana@lab.org", "ben@lab.org", "cal@lab.org"


@pytest.fixture
def store(tmp_path: Path):
    opened = Store(tmp_path / "store.duckdb")
    yield opened
    opened.close()


def test_each_user_lists_and_opens_only_their_projects(store: Store) -> None:
    ana, ben = ScopedStore(store, ANA), ScopedStore(store, BEN)
    ana.save_result("Study", load_fixture_result())
    ben.save_result("Study", load_fixture_result())  # same name: no clash, no hint
    ben.save_result("Pilot", load_fixture_result())
    assert [p.name for p in ana.list_projects()] == ["Study"]
    assert sorted(p.name for p in ben.list_projects()) == ["Pilot", "Study"]
    assert ana.role("Study") == "owner" and ana.role("Pilot") is None
    assert ana.load_result("Pilot") is None and not ana.has_project("Pilot")
    assert ana.load_result(f"{BEN}/Pilot") is None
    assert ana.get_state(f"{BEN}/Study") is None and ana.get_codebook(f"{BEN}/Study") is None
    with pytest.raises(AccessDenied):
        ana.rename_topic(f"{BEN}/Pilot", 0, "mine now")
    ana.delete_project(f"{BEN}/Pilot")  # like an unknown project: nothing happens
    assert store.has_project(f"{BEN}/Pilot")
    assert sorted(store.member_projects(BEN)) == [f"{BEN}/Pilot", f"{BEN}/Study"]


def test_unknown_and_forbidden_projects_look_the_same(store: Store) -> None:
    ScopedStore(store, BEN).save_result("Secret", load_fixture_result())
    ana = ScopedStore(store, ANA)
    errors = []
    for name in (f"{BEN}/Secret", f"{BEN}/Nothing"):
        with pytest.raises(AccessDenied) as caught:
            ana.members(name)
        errors.append(str(caught.value).replace("Secret", "X").replace("Nothing", "X"))
    assert errors[0] == errors[1]


def test_owner_shares_and_a_removed_member_loses_access_at_once(store: Store) -> None:
    ana, ben, cal = (ScopedStore(store, u) for u in (ANA, BEN, CAL))
    ana.save_result("Study", load_fixture_result())
    assert ana.add_member("Study", "  Ben@Lab.org ") == BEN
    shared = f"{ANA}/Study"
    assert [p.name for p in ben.list_projects()] == [shared]
    assert ben.role(shared) == "member" and ben.load_result(shared) is not None
    ben.rename_topic(shared, 0, "Drafting")  # members may edit
    with pytest.raises(AccessDenied):
        ben.add_member(shared, CAL)  # only owners share
    with pytest.raises(AccessDenied):
        ben.delete_project(shared)
    assert cal.list_projects() == []
    assert ana.members("Study") == [(ANA, "owner"), (BEN, "member")]
    ana.remove_member("Study", BEN)
    assert ben.list_projects() == [] and ben.load_result(shared) is None
    with pytest.raises(ValueError):
        ana.remove_member("Study", ANA)
    ana.delete_project("Study")
    assert store.get_members(shared) == []


def test_a_member_cannot_overwrite_someone_elses_project_by_name(store: Store) -> None:
    ana, ben = ScopedStore(store, ANA), ScopedStore(store, BEN)
    ana.save_result("Study", load_fixture_result())
    ben.save_result(f"{ANA}/Study", load_fixture_result())  # lands in Ben's own namespace
    assert store.get_members(f"{ANA}/Study") == [(ANA, "owner")]
    assert f"{BEN}/{ANA}/Study" in store.member_projects(BEN)


def test_ownerless_projects_are_hidden_until_claimed(store: Store) -> None:
    store.save_result("Legacy", load_fixture_result())
    ana = ScopedStore(store, ANA)
    assert ana.list_projects() == [] and ana.load_result("Legacy") is None
    claim_unowned(store, "Legacy", ANA)
    assert [p.name for p in ana.list_projects()] == ["Legacy"]
    with pytest.raises(ValueError):
        claim_unowned(store, "Legacy", BEN)


@pytest.mark.parametrize("bad", ["", "ana", "ana@lab", "a b@lab.org", "ana/x@lab.org",
                                 "a@b@lab.org"])
def test_only_plain_email_addresses_are_members(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_email(bad)
