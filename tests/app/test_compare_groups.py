"""Compare groups: switching the grouping keeps two different groups picked."""

from __future__ import annotations

from ui import state


def test_switching_groups_picks_two_different_groups_again(open_app) -> None:
    at = open_app("app_pages/compare.py", **{state.MIN_GROUP_SIZE: 1})  # the fixture is small
    groups = at.selectbox(key=state.page_key("compare", "groups"))
    first = at.selectbox(key=state.page_key("compare", "a")).value
    assert first is not None and first != at.selectbox(key=state.page_key("compare", "b")).value
    for option in [*groups.options[1:], groups.options[0]]:
        at.selectbox(key=state.page_key("compare", "groups")).set_value(option).run()
        assert not at.exception, [e.value for e in at.exception]
        info = " ".join(str(i.value) for i in at.info)
        if "Need two groups" in info:
            continue  # this grouping has fewer than two groups big enough to compare
        a = at.selectbox(key=state.page_key("compare", "a"))
        b = at.selectbox(key=state.page_key("compare", "b"))
        assert a.value in a.options and b.value in b.options, option
        assert a.value != b.value, (option, a.value)
        assert "Pick two different groups" not in info, option
