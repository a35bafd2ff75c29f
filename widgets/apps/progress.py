"""ProgressView: which notebooks a learner has opened and how their quizzes went.

    from widgets.apps.progress import ProgressView
    ProgressView()          # the table of the series, read from the learner's progress file

The progress file (see :mod:`widgets.progress`) stays on the learner's own computer;
this view only reads it.  The notebooks are discovered from the folder the notebook
runs in (so a student copy or a copy pulled onto a JupyterHub lists itself), or else
from the project's ``notebooks/`` folder.
"""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import ipywidgets as ipw

from ._base import esc, status_html

NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"
_HEADING = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _project_notebooks() -> Path:
    from widgets.data import DATA_DIR

    return Path(DATA_DIR).parent / "notebooks"


def _quiz_dir() -> Path:
    from widgets.data import DATA_DIR

    return Path(DATA_DIR) / "quizzes"


def default_notebooks_dir() -> Path:
    """The current folder when it holds the series (``NN-name.ipynb``), else the project's notebooks."""
    here = Path.cwd()
    if any(here.glob(NOTEBOOK_PATTERN)):
        return here
    return _project_notebooks()


def notebook_title(path: Path) -> str:
    """The first ``# Heading`` of the notebook's first markdown cells, or the file name."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        for cell in nb.get("cells", [])[:5]:
            if cell.get("cell_type") != "markdown":
                continue
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else str(src)
            m = _HEADING.search(src)
            if m:
                return m.group(1).strip()
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return Path(path).stem


def discover_notebooks(folder=None) -> list[dict]:
    """``[{"notebook": stem, "title": ..., "has_quiz": bool}, ...]`` in file-name order."""
    folder = Path(folder) if folder is not None else default_notebooks_dir()
    quizzes = _quiz_dir()
    found = []
    for path in sorted(folder.glob(NOTEBOOK_PATTERN)):
        if path.name.startswith("."):
            continue
        found.append({"notebook": path.stem, "title": notebook_title(path),
                      "has_quiz": (quizzes / f"{path.stem}.yaml").is_file()})
    return found


def _quiz_cell(row: dict, has_quiz: bool) -> str:
    if row["quiz_best"] is not None:
        tries = row["attempts"]
        first = row.get("quiz_first_try")
        text = ((f"first try {first} of {row['quiz_total']}, " if first is not None else "")
                + f"best {row['quiz_best']} of {row['quiz_total']}"
                f" ({tries} check{'s' if tries != 1 else ''})")
        return ("\u2714 " if row["quiz_all_right"] else "") + text
    return "not taken yet" if has_quiz else "no quiz"


class ProgressView(ipw.VBox):
    """A table of the series: opened or not, best quiz score, last activity; with Refresh.

    Public parts: ``table`` (HTML), ``headline`` (HTML one-line summary),
    ``refresh_button``, ``forget_button`` with its ``confirm_button`` and ``cancel_button``
    (shown only after *Forget*), ``status``, ``store`` (a
    :class:`widgets.progress.ProgressStore`), ``notebooks`` (what was discovered),
    ``rows`` (the rows shown).  ``refresh()`` re-reads the notebooks and the progress
    file and returns ``rows``; ``forget()`` clears the saved progress.
    """

    def __init__(self, store=None, notebooks_dir=None):
        super().__init__()
        from widgets.progress import ProgressStore

        self.store = store if store is not None else ProgressStore()
        self.notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else None
        self.notebooks: list[dict] = []
        self.rows: list[dict] = []
        self.headline = ipw.HTML()
        self.table = ipw.HTML()
        self.status = ipw.HTML(status_html())
        self.refresh_button = ipw.Button(description="Refresh", icon="refresh",
                                         tooltip="Read your saved progress again")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.forget_button = ipw.Button(description="Forget my progress", icon="trash",
                                        tooltip="Clear the saved record (asks first)")
        self.confirm_button = ipw.Button(description="Yes, forget it", button_style="danger",
                                         tooltip="Clear every saved visit and quiz score")
        self.cancel_button = ipw.Button(description="Keep it", tooltip="Keep the saved record")
        self.confirm_box = ipw.HBox([ipw.HTML("<b>Clear every saved visit and quiz score?</b>&nbsp;"),
                                     self.confirm_button, self.cancel_button],
                                    layout=ipw.Layout(display="none"))
        self.forget_button.on_click(lambda _b: self._ask_forget(True))
        self.cancel_button.on_click(lambda _b: self._ask_forget(False))
        self.confirm_button.on_click(lambda _b: self.forget())
        privacy = ipw.HTML(
            "<p style='font-size:smaller;color:#555'>Your progress is saved only on this computer, in "
            f"<code>{esc(self.store.path)}</code>. Nothing is sent anywhere. Delete that file to start "
            "again.</p>")
        self.children = [self.headline, self.table, ipw.HBox([self.refresh_button, self.forget_button]),
                         self.confirm_box, privacy, self.status]
        self.refresh()

    def _ask_forget(self, show: bool):
        self.confirm_box.layout.display = "flex" if show else "none"

    def forget(self) -> bool:
        """Clear the saved progress (what the confirm button does). True when saved."""
        self._ask_forget(False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            saved = self.store.reset()
        self.refresh()
        if saved:
            self.status.value = status_html("Your progress record was cleared.", "ok")
        return saved

    def refresh(self) -> list[dict]:
        folder = self.notebooks_dir
        try:
            if folder is None:
                folder = default_notebooks_dir()
            self.notebooks = discover_notebooks(folder)
        except Exception as exc:  # a strange folder must not break the start page
            self.notebooks = []
            self.status.value = status_html(f"The notebooks could not be listed ({exc}).", "warning")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # the store's problems are shown in the status line instead
            try:
                saved = self.store.summary([n["notebook"] for n in self.notebooks])
                problem = self.store.last_error
            except Exception as exc:          # belt and braces: the store itself never raises
                saved, problem = [], f"Your progress could not be read ({exc})."
        info = {n["notebook"]: n for n in self.notebooks}
        # the series' notebooks first; others with saved progress only when they exist here
        self.rows = [dict(r, title=info[r["notebook"]]["title"], has_quiz=info[r["notebook"]]["has_quiz"])
                     for r in saved if r["notebook"] in info]
        self._draw()
        if problem:
            self.status.value = status_html(problem, "warning")
        elif not self.notebooks:
            self.status.value = status_html(
                f"No notebooks named like '00-start-here.ipynb' were found in {folder}.", "warning")
        else:
            self.status.value = status_html()
        return self.rows

    def _draw(self):
        opened = sum(r["visited"] for r in self.rows)
        with_quiz = [r for r in self.rows if r["has_quiz"]]
        taken = sum(r["quiz_taken"] for r in with_quiz)
        self.headline.value = (f"<p role='status' aria-live='polite'><b>You have opened {opened} of "
                               f"{len(self.rows)} notebooks and checked answers in {taken} of "
                               f"{len(with_quiz)} quizzes.</b></p>")
        head = "".join(f"<th scope='col' style='text-align:left;padding:2px 10px'>{h}</th>"
                       for h in ("Notebook", "Opened", "Quiz", "Last activity"))
        body = []
        for r in self.rows:
            when = (r["updated"] or "")[:10] or "\u2014"
            seen = "\u2714 yes" if r["visited"] else "not yet"
            body.append(
                "<tr>"
                f"<td style='padding:2px 10px'><a href='{esc(r['notebook'])}.ipynb'>{esc(r['title'])}</a></td>"
                f"<td style='padding:2px 10px'>{seen}</td>"
                f"<td style='padding:2px 10px'>{esc(_quiz_cell(r, r['has_quiz']))}</td>"
                f"<td style='padding:2px 10px'>{esc(when)}</td>"
                "</tr>")
        self.table.value = ("<table><caption style='text-align:left'>Your progress through the series"
                            f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
