"""Safety: nothing a learner types is run as code, no data file is unpickled, and
text from our data never becomes an inline event handler in a page.

(`make lab` keeping token auth on 127.0.0.1 is tested in test_foundation.py and
test_lab_server.py; remote assets in the decks and site in test_site_static.py.)
"""
import ast
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import widgets.data as data
from conftest import ROOT, notebook_paths

CODE_DIRS = ("widgets", "tools")


# ----------------------------------------------------------------------------- code scan
def _python_sources():
    """(label, source) for every .py file of the package and tools and every notebook code cell."""
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in notebook_paths():
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                # IPython magics and shell escapes are not Python: blank them for the parser
                src = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                                for line in cell.source.splitlines())
                yield f"{path.relative_to(ROOT)} cell {i}", src


def _dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


UNSAFE_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__", "os.system", "os.popen",
                "pd.read_pickle", "pandas.read_pickle", "yaml.unsafe_load", "yaml.full_load",
                "yaml.unsafe_load_all", "yaml.full_load_all"}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "yaml.SafeLoader", "yaml.CSafeLoader"}


def problems_in(label: str, source: str) -> list[str]:
    """Unsafe constructs in one piece of Python source, as readable findings."""
    found = []
    tree = ast.parse(source, filename=label)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in UNSAFE_MODULES:
                    found.append(f"{label}:{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
            found.append(f"{label}:{node.lineno}: imports from {node.module}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            keywords = {k.arg: k.value for k in node.keywords}
            if name in UNSAFE_CALLS:
                found.append(f"{label}:{node.lineno}: calls {name}()")
            if name in ("yaml.load", "yaml.load_all"):
                loader = keywords.get("Loader", node.args[1] if len(node.args) > 1 else None)
                if loader is None or _dotted(loader) not in SAFE_LOADERS:
                    found.append(f"{label}:{node.lineno}: {name}() without SafeLoader")
            if name.endswith(("np.load", "numpy.load")) and "allow_pickle" in keywords:
                value = keywords["allow_pickle"]
                if not (isinstance(value, ast.Constant) and value.value is False):
                    found.append(f"{label}:{node.lineno}: numpy load with allow_pickle")
            shell = keywords.get("shell")
            if shell is not None and not (isinstance(shell, ast.Constant) and shell.value is False):
                found.append(f"{label}:{node.lineno}: {name}(shell=...) runs a shell")
    return found


def test_the_scan_catches_what_it_looks_for():
    """The scanner itself: each unsafe construct is reported, safe twins are not."""
    bad = {
        "eval(text)": "eval",
        "exec(code)": "exec",
        "import pickle": "pickle",
        "from pickle import loads": "pickle",
        "import pandas as pd\npd.read_pickle('x')": "read_pickle",
        "import yaml\nyaml.load(s)": "SafeLoader",
        "import yaml\nyaml.load(s, Loader=yaml.Loader)": "SafeLoader",
        "import subprocess\nsubprocess.run(cmd, shell=True)": "shell",
        "import os\nos.system(cmd)": "os.system",
        "import numpy as np\nnp.load(f, allow_pickle=True)": "allow_pickle",
    }
    for source, word in bad.items():
        found = problems_in("example", source)
        assert found and word in " ".join(found), f"not caught: {source!r} -> {found}"
    safe = ["import yaml\nyaml.safe_load(s)", "import yaml\nyaml.load(s, Loader=yaml.SafeLoader)",
            "import re\nre.compile('a')", "import subprocess\nsubprocess.run(['ls'], check=True)",
            "model.evaluate(x)", "import numpy as np\nnp.load(f)"]
    for source in safe:
        assert problems_in("example", source) == [], source


def test_no_code_runs_what_a_learner_types_or_unpickles_data():
    sources = list(_python_sources())
    assert len(sources) > 30, "the scan found too little code to be meaningful"
    found = [p for label, src in sources for p in problems_in(label, src)]
    assert not found, "unsafe constructs:\n" + "\n".join(found)


def test_data_folder_holds_only_text_formats():
    """Tables are CSV, quizzes YAML, docs Markdown: nothing that needs unpickling to read."""
    allowed = {".csv", ".yaml", ".yml", ".md"}
    odd = [str(p.relative_to(ROOT)) for p in data.DATA_DIR.rglob("*") if p.is_file() and p.suffix not in allowed]
    assert not odd, f"unexpected file types in data/: {odd}"


# ----------------------------------------------------------------------------- inline event handlers
class _Handlers(HTMLParser):
    """Collects on* attributes (onclick=, onerror=, ...) of every element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def inline_handlers(markup: str) -> list[str]:
    parser = _Handlers()
    parser.feed(markup)
    parser.close()
    return parser.found


def _widget_html(page: str):
    """HTML strings inside the saved widget state (rendered as HTML by the widget manager)."""
    for block in re.findall(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>',
                            page, flags=re.S):
        state = json.loads(block)
        for model in state.get("state", {}).values():
            value = model.get("state", {}).get("value")
            if isinstance(value, str) and "<" in value:
                yield value


def test_the_handler_finder_finds_handlers():
    assert inline_handlers('<p>ok</p><img src="x" onerror="alert(1)">') == ["<img onerror='alert(1)'>"]
    assert inline_handlers("<p>onion=&lt;b onclick=x&gt; is text</p>") == []


@pytest.fixture(scope="module")
def site(built_site):
    """The decks and the site, built once per test session from the current notebooks."""
    return built_site


@pytest.mark.parametrize("kind", ["html", "slides"])
def test_built_pages_have_no_inline_event_handlers(site, kind):
    pages = sorted(p for p in (site / kind).rglob("*.html") if "_static" not in p.parts)
    assert pages, f"nothing built in build/{kind}"
    checked_widget_html = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = inline_handlers(text)
        assert not found, f"{page.name}: inline event handlers {found[:5]}"
        for fragment in _widget_html(text):
            checked_widget_html += 1
            found = inline_handlers(fragment)
            assert not found, f"{page.name}: a widget's HTML has inline event handlers {found[:5]}"
    if kind == "html":
        assert checked_widget_html > 0, "no widget HTML was found to check"


HOSTILE = '<img src=x onerror="alert(1)"><b onclick=steal()>x</b>'


def test_text_from_data_is_escaped_in_apps_and_tables(tmp_path, monkeypatch):
    """A data cell holding markup is shown as text by every panel that displays data."""
    from widgets import Glossary, References, SymptomTreatmentExplorer
    from widgets.display import show_table
    import csv, io

    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy)

    def poison(name, column, row=1):
        path = copy / f"{name}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        rows[row][rows[0].index(column)] = HOSTILE
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        return rows[row]

    g_row = poison("glossary", "definition")
    s_row = poison("sources", "title")
    d_row = poison("disorders", "summary")
    monkeypatch.setattr(data, "DATA_DIR", copy)

    term = g_row[0]
    shown = {
        "glossary": Glossary([term]).html.value,
        "references": References([s_row[0]]).html.value,
        "explorer": SymptomTreatmentExplorer(disorder_id=d_row[0]).info.value,
        "table": show_table("disorders", where={"disorder_id": d_row[0]})._repr_html_(),
    }
    for where, markup in shown.items():
        assert "onerror" in markup, f"{where}: the poisoned text is not shown at all"
        assert inline_handlers(markup) == [], f"{where} turns data into an event handler"


# ----------------------------------------------------------------------------- environment
def test_pip_check_passes():
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=300,
                          env={"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PATH": "/usr/bin:/bin", "PIP_NO_INDEX": "1"})
    if "No module named pip" in done.stderr:
        pytest.skip("pip is not installed in this environment")
    assert done.returncode == 0, f"pip check found broken requirements:\n{done.stdout}{done.stderr}"
