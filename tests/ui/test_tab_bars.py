"""Every tab bar of the app lists its tabs first.

The browser numbers a tab by its place among all the children of its gr.Tabs, the server among the
tabs only; a tab placed after a gr.State was drawn twice in the bar once selected (the trainer's
指派与画像). tests/e2e/test_languages_data.py sees it in Chromium; this finds it without one.
"""

from __future__ import annotations

from ui.web.app import create_app


def test_no_tab_follows_something_that_is_not_a_tab(settings):
    config = create_app(settings).get_config_file()
    kinds = {c["id"]: c["type"] for c in config["components"]}
    misplaced = []

    def walk(node: dict) -> None:
        children = node.get("children") or []
        if kinds.get(node["id"]) == "tabs":
            seen_other = False
            for child in children:
                if kinds[child["id"]] != "tabitem":
                    seen_other = True
                elif seen_other:
                    misplaced.append(child["id"])
        for child in children:
            walk(child)

    walk(config["layout"])
    assert not misplaced, f"tabs after a non-tab child of their tab bar: {misplaced}"
