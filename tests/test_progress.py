"""Learner progress storage: survives restarts and deleted or broken files, never crashes."""
import json
import os
import socket
import warnings

import pytest
from hypothesis import given, settings, strategies as st

from widgets.progress import ENV_VAR, ProgressStore, ProgressWarning, default_path

NB = "02-immune-dysregulation"


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "progress" / "progress.json"


def test_default_path_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "class"))
    assert default_path() == tmp_path / "class" / "progress.json"
    assert ProgressStore().path == tmp_path / "class" / "progress.json"
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / ".immune_balance" / "progress.json"


def test_progress_survives_a_kernel_restart(store_path):
    first = ProgressStore(store_path)
    first.mark_visited("00-start-here")
    first.record_quiz(NB, 3, 5)
    del first                                   # the kernel restarts: a brand-new store reads the file
    again = ProgressStore(store_path)
    rows = {r["notebook"]: r for r in again.summary()}
    assert rows["00-start-here"]["visited"] is True
    assert rows["00-start-here"]["quiz_best"] is None
    assert rows[NB]["visited"] is True, "taking a quiz counts as a visit"
    assert (rows[NB]["quiz_best"], rows[NB]["quiz_total"]) == (3, 5)
    assert rows[NB]["updated"]


def test_best_score_is_kept_and_last_score_and_attempts_tracked(store_path):
    store = ProgressStore(store_path)
    for score in (2, 5, 1):
        store.record_quiz(NB, score, 5)
    row = ProgressStore(store_path).summary()[0]
    assert row["quiz_best"] == 5 and row["quiz_last"] == 1 and row["attempts"] == 3
    assert row["quiz_taken"] and row["quiz_all_right"]


def test_notebook_names_are_normalised(store_path):
    store = ProgressStore(store_path)
    store.mark_visited("notebooks/02-immune-dysregulation.ipynb")
    store.record_quiz(NB + ".ipynb", 1, 4)
    assert [r["notebook"] for r in store.summary()] == [NB]


def test_summary_lists_requested_notebooks_first_even_when_untouched(store_path):
    store = ProgressStore(store_path)
    store.record_quiz("05-autoimmune-neutropenia", 2, 3)
    rows = store.summary(["00-start-here", NB])
    assert [r["notebook"] for r in rows] == ["00-start-here", NB, "05-autoimmune-neutropenia"]
    assert rows[0]["visited"] is False and rows[0]["quiz_best"] is None and rows[0]["attempts"] == 0


def test_missing_file_starts_fresh_and_deleted_file_starts_fresh(store_path):
    store = ProgressStore(store_path)
    assert store.summary() == [] and store.last_error is None
    store.record_quiz(NB, 4, 5)
    store_path.unlink()                         # the learner deletes the file
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no warning for a simply missing file
        assert ProgressStore(store_path).summary() == []
        assert store.summary() == [], "an open store must not resurrect a deleted file"
    store.record_quiz(NB, 1, 5)
    assert ProgressStore(store_path).summary()[0]["quiz_best"] == 1


@pytest.mark.parametrize("content", [
    "{not json", "", "[1, 2, 3]", '{"notebooks": []}',
    '{"notebooks": {"02-x": {"quiz_best": 9, "quiz_total": 5}}}',
    '{"notebooks": {"02-x": {"visited": "yes"}}}',
])
def test_corrupt_file_is_backed_up_and_progress_starts_fresh(store_path, content):
    store_path.parent.mkdir(parents=True)
    store_path.write_text(content)
    store = ProgressStore(store_path)
    with pytest.warns(ProgressWarning, match="starts fresh"):
        assert store.summary() == []
    backup = store_path.with_name("progress.json.corrupt")
    assert backup.read_text() == content, "the broken file must be kept for inspection"
    assert store.corrupt_backup == backup
    store.record_quiz(NB, 2, 5)                 # and saving works again afterwards
    assert json.loads(store_path.read_text())["notebooks"][NB]["quiz_best"] == 2


def test_binary_garbage_is_treated_as_corrupt(store_path):
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.warns(ProgressWarning):
        assert ProgressStore(store_path).summary() == []


def test_unwritable_location_warns_and_keeps_progress_in_memory(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the progress folder should be")
    store = ProgressStore(blocker / "progress.json")
    with pytest.warns(ProgressWarning, match="could not be saved"):
        entry = store.record_quiz(NB, 3, 4)
    assert entry["quiz_best"] == 3
    assert "could not be saved" in store.last_error
    store.mark_visited("00-start-here")        # same problem: not repeated as a new warning
    names = {r["notebook"] for r in store.summary()}
    assert names == {NB, "00-start-here"}, "progress must live on in memory for the session"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_folder_gives_a_friendly_warning_not_a_crash(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        store = ProgressStore(folder / "progress.json")
        with pytest.warns(ProgressWarning, match="could not be saved"):
            store.record_quiz(NB, 1, 2)
        assert store.summary()[0]["quiz_best"] == 1
    finally:
        folder.chmod(0o700)


def test_permission_denied_on_write_gives_a_friendly_warning(store_path, monkeypatch):
    """The read-only case as it looks to a non-root learner, simulated so it also runs as root."""
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    store = ProgressStore(store_path)
    with pytest.warns(ProgressWarning, match="Permission denied"):
        store.record_quiz(NB, 2, 2)
    assert store.summary()[0]["quiz_best"] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # the same problem is reported once, not on every click
        store.record_quiz(NB, 1, 2)
    assert store.last_error and "could not be saved" in store.last_error


def test_unreadable_file_warns_and_does_not_raise(tmp_path):
    folder = tmp_path / "p"
    (folder / "progress.json").mkdir(parents=True)   # a folder where the file should be: unreadable
    store = ProgressStore(folder / "progress.json")
    with pytest.warns(ProgressWarning, match="could not be read"):
        assert store.summary() == []


def test_writes_are_atomic_and_leave_no_temporary_files(store_path, monkeypatch):
    store = ProgressStore(store_path)
    store.record_quiz(NB, 1, 3)
    before = store_path.read_text()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.warns(ProgressWarning):
        store.record_quiz(NB, 3, 3)
    monkeypatch.undo()
    assert store_path.read_text() == before, "a failed write must leave the old file whole"
    assert sorted(p.name for p in store_path.parent.iterdir()) == ["progress.json", "progress.json.lock"]


def test_two_kernels_saving_at_once_lose_nothing(store_path):
    """Two open notebooks record quizzes at the same moment (threads stand in for kernels)."""
    import threading

    names = [f"{i:02d}-notebook" for i in range(8)]

    def work(name):
        ProgressStore(store_path).record_quiz(name, 1, 2)

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r["notebook"] for r in ProgressStore(store_path).summary()] == names


def test_bad_arguments_raise_clear_value_errors(store_path):
    store = ProgressStore(store_path)
    with pytest.raises(ValueError, match="between 0 and total"):
        store.record_quiz(NB, 6, 5)
    with pytest.raises(ValueError, match="at least 1"):
        store.record_quiz(NB, 0, 0)
    with pytest.raises(ValueError, match="whole number"):
        store.record_quiz(NB, "three", 5)
    with pytest.raises(ValueError, match="whole number"):
        store.record_quiz(NB, True, 5)
    with pytest.raises(ValueError, match="notebook"):
        store.mark_visited("  ")
    with pytest.raises(ValueError, match="notebook"):
        store.mark_visited(None)
    assert not store_path.exists(), "rejected input must not write anything"


def test_changing_quiz_size_resets_the_best_score(store_path):
    store = ProgressStore(store_path)
    store.record_quiz(NB, 5, 5)
    store.record_quiz(NB, 2, 6)                 # the quiz gained a question
    row = store.summary()[0]
    assert (row["quiz_best"], row["quiz_total"]) == (2, 6)


def test_nothing_is_sent_anywhere(store_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the progress store must never open a network connection")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    store = ProgressStore(store_path)
    store.mark_visited(NB)
    store.record_quiz(NB, 1, 1)
    store.summary()


@settings(max_examples=60, deadline=None)
@given(results=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=8),
       total=st.integers(min_value=1, max_value=12))
def test_best_score_is_the_maximum_of_valid_scores(tmp_path_factory, results, total):
    path = tmp_path_factory.mktemp("hyp") / "progress.json"
    store = ProgressStore(path)
    valid = [s for s in results if s <= total]
    for score in results:
        if score <= total:
            store.record_quiz(NB, score, total)
        else:
            with pytest.raises(ValueError):
                store.record_quiz(NB, score, total)
    rows = ProgressStore(path).summary()
    if valid:
        assert rows[0]["quiz_best"] == max(valid)
        assert rows[0]["quiz_last"] == valid[-1]
        assert rows[0]["attempts"] == len(valid)
        assert 0 <= rows[0]["quiz_best"] <= total
    else:
        assert rows == []
