"""Triggers: share of participants per code, by group, with evidence quotes."""

from ui.facet_page import render_facet_page

render_facet_page("trigger", "Triggers")
