"""Learner progress: which notebooks were opened and the best quiz score in each.

Storage only (no ipywidgets, no matplotlib).  Progress lives in one small JSON file
on the learner's own computer and is **never sent anywhere**: this module opens no
network connection.

    from widgets.progress import ProgressStore
    store = ProgressStore()                       # ~/.immune_balance/progress.json
    store.mark_visited("02-immune-dysregulation")
    store.record_quiz("02-immune-dysregulation", score=4, total=5)
    store.summary()                               # one dict per notebook

Where the file lives:

* ``ProgressStore(path)`` -- exactly that file;
* otherwise ``$IMMUNE_BALANCE_PROGRESS_DIR/progress.json`` when that variable is set
  (tests and shared machines use it);
* otherwise ``~/.immune_balance/progress.json``.

Robustness rules (a learner must never see a traceback because of this file):

* a missing file means "nothing done yet";
* a file that is not valid progress JSON is moved aside to ``progress.json.corrupt``
  and progress starts fresh;
* a file or folder that cannot be read or written gives a :class:`ProgressWarning`
  (and ``store.last_error`` says what happened); progress is then kept in memory for
  the rest of the session;
* every write goes to a temporary file in the same folder first and then replaces the
  old file in one step (``os.replace``), so a crash mid-write never leaves half a file;
* a small ``progress.json.lock`` file beside it lets two open notebooks save at the same
  moment without one losing the other's update.

Bad *arguments* (an empty notebook name, a score larger than the total) are a
programming mistake and raise ``ValueError`` with a message saying what is allowed.
"""
from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
import warnings
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["ENV_VAR", "FILE_NAME", "FORMAT_VERSION", "ProgressStore", "ProgressWarning", "default_path"]

ENV_VAR = "IMMUNE_BALANCE_PROGRESS_DIR"
FILE_NAME = "progress.json"
FORMAT_VERSION = 1


class ProgressWarning(UserWarning):
    """Progress could not be read or saved; the notebook carries on regardless."""


def default_path() -> Path:
    """``$IMMUNE_BALANCE_PROGRESS_DIR/progress.json`` or ``~/.immune_balance/progress.json``."""
    folder = os.environ.get(ENV_VAR, "").strip()
    if folder:
        return Path(folder).expanduser() / FILE_NAME
    return Path.home() / ".immune_balance" / FILE_NAME


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _empty() -> dict:
    return {"version": FORMAT_VERSION, "notebooks": {}}


def notebook_key(notebook) -> str:
    """``"02-immune-dysregulation"`` from that name, ``"02-immune-dysregulation.ipynb"`` or a path."""
    if isinstance(notebook, os.PathLike):
        notebook = os.fspath(notebook)
    if not isinstance(notebook, str):
        raise ValueError(f"notebook must be a notebook name such as '02-immune-dysregulation', "
                         f"got {notebook!r} ({type(notebook).__name__})")
    name = notebook.strip()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    if name.endswith(".ipynb"):
        name = name[: -len(".ipynb")]
    if not name:
        raise ValueError(f"notebook must be a non-empty notebook name such as '02-immune-dysregulation', "
                         f"got {notebook!r}")
    return name


def _whole_number(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ValueError(f"{what} must be a whole number, got {value!r}")
    return int(value)


def _valid_entry(entry) -> bool:
    if not isinstance(entry, dict):
        return False
    if not isinstance(entry.get("visited", False), bool):
        return False
    for key in ("quiz_best", "quiz_last", "quiz_total", "attempts", "quiz_first_try"):
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            return False
    best, total = entry.get("quiz_best"), entry.get("quiz_total")
    if best is not None and (total is None or best > total):
        return False
    first = entry.get("quiz_first_try")
    if first is not None and (total is None or first > total):
        return False
    return all(isinstance(entry.get(k), (str, type(None))) for k in ("updated", "first_visit", "first_attempt"))


def _valid_document(doc) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("notebooks"), dict)
            and all(isinstance(k, str) and k and _valid_entry(v) for k, v in doc["notebooks"].items()))


class ProgressStore:
    """Read and update one learner's progress file (see the module docstring).

    ``last_error`` is ``None`` after a clean read or write, otherwise a plain-language
    sentence saying what went wrong (the same text is issued as a ProgressWarning).
    ``corrupt_backup`` is the path a broken file was moved to, if that happened.
    """

    def __init__(self, path=None):
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.last_error: str | None = None
        self.corrupt_backup: Path | None = None
        self._memory: dict | None = None   # used once the file cannot be read or written

    def __repr__(self):
        return f"ProgressStore({str(self.path)!r})"

    # -- reading ----------------------------------------------------------
    def _problem(self, message: str):
        repeated = message == self.last_error
        self.last_error = message
        if not repeated:                    # say it once, not on every click
            warnings.warn(message, ProgressWarning, stacklevel=3)

    def load(self) -> dict:
        """The whole progress document (a copy): ``{"version": 1, "notebooks": {...}}``.

        Never raises: a missing file gives an empty document; a corrupt one is backed
        up and replaced by an empty document; an unreadable one gives a warning.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return copy.deepcopy(self._memory) if self._memory is not None else _empty()
        except (OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                return self._start_fresh("it is not text")
            self._problem(f"Your progress file {self.path} could not be read ({exc.strerror or exc}); "
                          "progress is kept only until this notebook is closed.")
            if self._memory is None:
                self._memory = _empty()
            return copy.deepcopy(self._memory)
        try:
            doc = json.loads(text)
        except ValueError:
            return self._start_fresh("it is not valid JSON")
        if not _valid_document(doc):
            return self._start_fresh("its contents are not in the expected shape")
        doc.setdefault("version", FORMAT_VERSION)
        self.last_error = None
        return doc

    def _start_fresh(self, why: str) -> dict:
        backup = self.path.with_name(self.path.name + ".corrupt")
        try:
            os.replace(self.path, backup)
            self.corrupt_backup = backup
            kept = f"the old file was kept as {backup.name}"
        except OSError:
            kept = "the old file could not be moved aside"
        self._problem(f"Your progress file {self.path} could not be used because {why}, so progress "
                      f"starts fresh ({kept}).")
        self._memory = None
        return _empty()

    # -- writing ----------------------------------------------------------
    def _save(self, doc: dict) -> bool:
        """Write ``doc`` atomically; on failure keep it in memory and warn. True when saved."""
        self._memory = copy.deepcopy(doc)
        tmp_name = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(doc, handle, indent=1, sort_keys=True)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self.path)
            tmp_name = None
        except OSError as exc:
            self._problem(f"Your progress could not be saved to {self.path} ({exc.strerror or exc}); "
                          "it is kept only until this notebook is closed.")
            return False
        finally:
            if tmp_name is not None:
                try:
                    os.unlink(tmp_name)
                except OSError:
                    pass
        self._memory = None
        self.last_error = None
        return True

    @contextlib.contextmanager
    def _locked(self):
        """Hold an advisory lock while reading and rewriting the file.

        Two open notebooks (two kernels) may save at the same moment; the lock keeps one
        from overwriting the other's update.  Where locking is impossible (no fcntl, a
        read-only folder) the update simply goes ahead unlocked.
        """
        handle = None
        try:
            import fcntl

            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path.with_name(self.path.name + ".lock"), "a")
            fcntl.flock(handle, fcntl.LOCK_EX)
        except (ImportError, OSError):
            if handle is not None:
                handle.close()
            handle = None
        try:
            yield
        finally:
            if handle is not None:
                handle.close()          # closing releases the lock

    def _update(self, notebook, change) -> dict:
        key = notebook_key(notebook)
        with self._locked():
            doc = self.load()
            entry = doc["notebooks"].setdefault(key, {"visited": False})
            change(entry)
            entry["updated"] = _now()
            self._save(doc)
        return dict(entry)

    def mark_visited(self, notebook) -> dict:
        """Remember that ``notebook`` was opened; returns its entry."""
        def change(entry):
            if not entry.get("visited"):
                entry["first_visit"] = _now()
            entry["visited"] = True
        return self._update(notebook, change)

    def record_quiz(self, notebook, score, total, first_try=None, attempt=None) -> dict:
        """Save a quiz result; the best score so far is kept. Returns the notebook's entry.

        ``score`` and ``total`` are whole numbers with ``0 <= score <= total`` and
        ``total >= 1``. A quiz taken counts as a visit.

        ``first_try`` (optional): how many questions were right at the learner's first
        answer, and ``attempt`` a text naming the sitting it comes from (one per opened
        quiz). Only the first sitting's first-try score is kept, beside the best score, so
        that trying again until everything is right never hides how the first try went.
        """
        key = notebook_key(notebook)
        total = _whole_number(total, "total (the number of questions)")
        score = _whole_number(score, "score (questions answered right)")
        if total < 1:
            raise ValueError(f"total (the number of questions) must be at least 1, got {total}")
        if not 0 <= score <= total:
            raise ValueError(f"score must be between 0 and total ({total}), got {score}")
        if first_try is not None:
            first_try = _whole_number(first_try, "first_try (questions right at the first answer)")
            if not 0 <= first_try <= total:
                raise ValueError(f"first_try must be between 0 and total ({total}), got {first_try}")

        def change(entry):
            if entry.get("quiz_total") not in (None, total):
                # the quiz changed size since last time: old scores are no longer comparable
                entry.pop("quiz_best", None)
                entry.pop("quiz_first_try", None)
                entry.pop("first_attempt", None)
            if first_try is not None and entry.get("first_attempt") in (None, str(attempt)):
                entry["quiz_first_try"] = first_try
                entry["first_attempt"] = str(attempt)
            if not entry.get("visited"):
                entry["first_visit"] = _now()
            entry["visited"] = True
            entry["quiz_total"] = total
            entry["quiz_last"] = score
            entry["quiz_best"] = max(score, entry.get("quiz_best") or 0)
            entry["attempts"] = int(entry.get("attempts") or 0) + 1
        return self._update(key, change)

    def reset(self) -> bool:
        """Forget all progress (writes an empty file). True when saved."""
        return self._save(_empty())

    # -- reporting --------------------------------------------------------
    def entry(self, notebook) -> dict:
        """The saved entry of one notebook (empty dict if nothing is saved)."""
        return dict(self.load()["notebooks"].get(notebook_key(notebook), {}))

    def summary(self, notebooks=None) -> list[dict]:
        """One row per notebook: ``notebook``, ``visited``, ``quiz_best``, ``quiz_first_try``,
        ``quiz_total``, ``quiz_last``, ``attempts``, ``quiz_taken``, ``quiz_all_right``, ``updated``.

        ``notebooks`` (optional): names to list first and in this order, even when
        nothing is saved for them yet; notebooks with saved progress but not in the
        list follow, sorted by name.
        """
        saved = self.load()["notebooks"]
        order = [notebook_key(n) for n in notebooks] if notebooks is not None else []
        order = list(dict.fromkeys(order))
        order += sorted(k for k in saved if k not in order)
        rows = []
        for key in order:
            entry = saved.get(key, {})
            best, total = entry.get("quiz_best"), entry.get("quiz_total")
            rows.append({
                "notebook": key,
                "visited": bool(entry.get("visited", False)),
                "quiz_best": best,
                "quiz_first_try": entry.get("quiz_first_try"),
                "quiz_total": total,
                "quiz_last": entry.get("quiz_last"),
                "attempts": int(entry.get("attempts") or 0),
                "quiz_taken": best is not None,
                "quiz_all_right": best is not None and total is not None and best == total,
                "updated": entry.get("updated"),
            })
        return rows
