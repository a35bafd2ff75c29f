"""ProgressView: the start page's table of notebooks opened and quizzes taken."""
import json

import pytest

from widgets.apps import progress as progress_app
from widgets.apps.progress import ProgressView, discover_notebooks, notebook_title
from widgets.progress import ProgressStore

from conftest import ROOT


def _notebook(folder, stem, heading):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {heading}\n", "\n", "Intro text."]},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": "1"}]
    (folder / f"{stem}.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5,
                                                      "metadata": {}, "cells": cells}))


@pytest.fixture
def series(tmp_path, monkeypatch):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _notebook(nbs, "00-start-here", "0. Start here")
    _notebook(nbs, "01-immune-balance", "1. Immune balance")
    _notebook(nbs, "02-immune-dysregulation", "2. Dysregulation <b>both ways</b>")
    (nbs / "notes.ipynb").write_text("{}")            # not part of the numbered series
    quizzes = tmp_path / "quizzes"
    quizzes.mkdir()
    for stem in ("01-immune-balance", "02-immune-dysregulation"):
        (quizzes / f"{stem}.yaml").write_text("title: x\n")
    monkeypatch.setattr(progress_app, "_quiz_dir", lambda: quizzes)
    return nbs, ProgressStore(tmp_path / "progress" / "progress.json")


def test_fresh_learner_sees_every_notebook_as_not_yet_done(series):
    nbs, store = series
    view = ProgressView(store=store, notebooks_dir=nbs)
    assert [r["notebook"] for r in view.rows] == ["00-start-here", "01-immune-balance", "02-immune-dysregulation"]
    assert not any(r["visited"] for r in view.rows)
    assert "opened 0 of 3 notebooks" in view.headline.value
    assert "in 0 of 2 quizzes" in view.headline.value
    assert "1. Immune balance" in view.table.value
    assert view.table.value.count("not taken yet") == 2 and view.table.value.count("no quiz") == 1
    assert "notes" not in view.table.value
    assert "could not" not in view.status.value


def test_refresh_shows_progress_saved_elsewhere_for_example_by_a_quiz(series):
    nbs, store = series
    view = ProgressView(store=store, notebooks_dir=nbs)
    other = ProgressStore(store.path)        # another notebook's kernel saving a quiz score
    other.mark_visited("00-start-here")
    other.record_quiz("02-immune-dysregulation", 3, 5)
    other.record_quiz("02-immune-dysregulation", 2, 5)
    other.record_quiz("99-not-in-this-folder", 1, 1)
    assert "opened 0 of 3" in view.headline.value, "nothing changes until Refresh"
    view.refresh_button.click()
    rows = {r["notebook"]: r for r in view.rows}
    assert set(rows) == {"00-start-here", "01-immune-balance", "02-immune-dysregulation"}
    assert rows["00-start-here"]["visited"] and rows["02-immune-dysregulation"]["visited"]
    assert not rows["01-immune-balance"]["visited"]
    assert "opened 2 of 3 notebooks" in view.headline.value and "in 1 of 2 quizzes" in view.headline.value
    assert "best 3 of 5 (2 checks)" in view.table.value


def test_progress_survives_a_kernel_restart_and_a_deleted_file(series):
    nbs, store = series
    store.record_quiz("01-immune-balance", 6, 6)
    view = ProgressView(store=ProgressStore(store.path), notebooks_dir=nbs)   # a new kernel
    assert "\u2714 best 6 of 6" in view.table.value
    store.path.unlink()
    view.refresh()
    assert "opened 0 of 3" in view.headline.value and "could not" not in view.status.value


def test_corrupt_progress_file_gives_a_warning_and_a_fresh_table(series):
    nbs, store = series
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{ this is not json")
    view = ProgressView(store=store, notebooks_dir=nbs)
    assert "starts fresh" in view.status.value
    assert len(view.rows) == 3 and not any(r["visited"] for r in view.rows)
    assert store.path.with_name("progress.json.corrupt").exists()


def test_titles_are_escaped_and_link_to_the_notebook(series):
    nbs, store = series
    view = ProgressView(store=store, notebooks_dir=nbs)
    assert "&lt;b&gt;both ways&lt;/b&gt;" in view.table.value and "<b>both ways</b>" not in view.table.value
    assert "href='01-immune-balance.ipynb'" in view.table.value


def test_empty_folder_says_what_was_expected(tmp_path):
    view = ProgressView(store=ProgressStore(tmp_path / "p.json"), notebooks_dir=tmp_path)
    assert view.rows == []
    assert "No notebooks named like" in view.status.value


def test_privacy_note_names_the_local_file(series):
    nbs, store = series
    view = ProgressView(store=store, notebooks_dir=nbs)
    text = " ".join(getattr(c, "value", "") for c in view.children)
    assert str(store.path) in text and "Nothing is sent anywhere" in text


def test_default_store_and_folder_follow_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("IMMUNE_BALANCE_PROGRESS_DIR", str(tmp_path / "class"))
    monkeypatch.chdir(ROOT / "notebooks")
    view = ProgressView()
    assert view.store.path == tmp_path / "class" / "progress.json"
    assert view.rows[0]["notebook"] == "00-start-here"
    monkeypatch.chdir(tmp_path)                       # elsewhere: falls back to the project's notebooks
    assert discover_notebooks()[0]["notebook"] == "00-start-here"


def test_real_titles_come_from_the_first_heading():
    assert notebook_title(ROOT / "notebooks" / "00-start-here.ipynb").startswith("0. Start here")


def test_unreadable_notebook_falls_back_to_its_file_name(tmp_path):
    (tmp_path / "03-broken.ipynb").write_text("not json")
    assert notebook_title(tmp_path / "03-broken.ipynb") == "03-broken"


def test_forget_asks_first_and_then_clears_the_record(series):
    nbs, store = series
    store.record_quiz("01-immune-balance", 4, 8)
    view = ProgressView(store=store, notebooks_dir=nbs)
    assert view.confirm_box.layout.display == "none"
    view.forget_button.click()
    assert view.confirm_box.layout.display == "flex"
    view.cancel_button.click()
    assert view.confirm_box.layout.display == "none"
    assert ProgressStore(store.path).summary()[0]["quiz_best"] == 4, "cancel must keep the record"
    view.forget_button.click()
    view.confirm_button.click()
    assert ProgressStore(store.path).summary() == []
    assert "opened 0 of 3" in view.headline.value and "cleared" in view.status.value


def test_forget_on_an_unwritable_location_says_so(tmp_path, series):
    nbs, _ = series
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    view = ProgressView(store=ProgressStore(blocker / "progress.json"), notebooks_dir=nbs)
    assert view.forget() is False
    assert "could not be saved" in view.status.value
