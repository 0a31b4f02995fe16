"""Team & privacy: who can open this project, withdraw a participant, read the audit trail."""

from __future__ import annotations

import streamlit as st

from ui import large_project, state, team
from ui.widgets import empty_state

st.title("Team & privacy")
team.draw_flash()
project = state.active_project()
if project is None:
    empty_state()
    st.stop()
role = team.role(project.name)
owner = role == "owner"
if role is None:
    st.info("This project is not saved in the store, so it has no members or audit trail.")
    st.stop()

st.subheader("Members")
team.draw_members(project.name, owner)
st.subheader("Withdraw a participant")
if large_project.is_open():
    team.draw_large_withdrawal(project.name, owner)
else:
    team.draw_withdrawal(project, owner)
st.subheader("Audit trail")
team.draw_audit(project.name, owner)
