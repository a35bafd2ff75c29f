"""The foundation: two-command setup, pinned installs, conda/Binder sync, notebook hygiene, layering."""
import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, notebook_paths

DISCLAIMER = "Educational use only."


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(req):
    return re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].strip().lower().replace("_", "-")


def _declared():
    project = _pyproject()
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return {_name(r) for r in reqs}


def _locked():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+?)\s*\\?$", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_required_top_level_layout():
    for name in ["notebooks", "data", "widgets", "tests", "environment.yml", "README.md",
                 "pyproject.toml", "Makefile", ".ci/run", "LICENSE", "requirements.lock",
                 "requirements-runtime.lock", ".pre-commit-config.yaml"]:
        assert (ROOT / name).exists(), f"{name} is part of the project layout but is missing"
    assert (ROOT / "widgets" / "__init__.py").is_file(), "widgets must be an importable package"


def test_core_dependencies_declared_and_test_extra_present():
    declared = _declared()
    for pkg in ["jupyterlab", "ipywidgets", "pandas", "matplotlib", "nbval", "pytest"]:
        assert pkg in declared, f"{pkg} is not declared in pyproject.toml"
    assert "test" in _pyproject()["optional-dependencies"]


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-runtime.lock"])
def test_every_pin_has_hashes_and_no_machine_specific_index(lock):
    text = (ROOT / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text)
    assert len(blocks) > 20, f"{lock} holds almost no pins"
    unhashed = [b.split("==")[0] for b in blocks[1:] if "--hash=sha256:" not in b]
    assert not unhashed, f"pins without hashes in {lock}: {unhashed}"
    for host_line in ("--index-url", "--extra-index-url", "--find-links"):
        assert host_line not in text, f"{lock} must not name a machine-specific {host_line}"


def test_every_declared_package_is_pinned():
    pins = _locked()
    missing = sorted(_declared() - set(pins))
    assert not missing, f"declared but not pinned in requirements.lock: {missing}"
    assert "ipykernel" in pins and pins["ipykernel"].startswith("6."), \
        "ipykernel must stay on 6.x: 7.x hangs nbclient executions on our machines (toolchain.md)"


def _sync():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import sync_environment
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return sync_environment


def test_environment_yml_is_the_learners_set_from_the_same_pins():
    """Binder/conda get python and pip from conda-forge, the runtime pins from PyPI, no test tools."""
    sync = _sync()
    assert sync.check(ROOT) == [], "\n".join(sync.check(ROOT))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    assert conda == ["python=3.11", "pip"], \
        f"conda must provide only python and pip (versions on conda-forge cannot be checked here): {conda}"
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert pip[-1] == "-e .", "the pip section must end by installing the project"
    pinned = dict(line.split("==") for line in pip[:-1])
    runtime = {name: version for name, (version, _) in sync.locked(ROOT / "requirements-runtime.lock").items()}
    assert pinned == runtime, "environment.yml must pin exactly requirements-runtime.lock"
    full = _locked()
    assert all(full[name] == version for name, version in pinned.items())
    for tool in ["pytest", "nbval", "hypothesis", "playwright", "jupyter-repo2docker", "pre-commit",
                 "nbstripout", "sphinx"]:
        assert tool not in pinned, f"{tool} is test or site tooling, not part of the learner's environment"
    for pkg in ["jupyterlab", "ipywidgets", "ipykernel", "pandas", "matplotlib", "jupyterlab-slideshow"]:
        assert pkg in pinned, f"{pkg} is part of the learner's environment"


def _drifted_copy(tmp_path, edit):
    for name in ["pyproject.toml", "requirements.lock", "requirements-runtime.lock", "environment.yml"]:
        (tmp_path / name).write_text((ROOT / name).read_text())
    edit(tmp_path)
    return _sync().check(tmp_path)


def _replace(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_sync_check_reports_each_kind_of_drift(tmp_path):
    sync = _sync()
    version = sync.locked(ROOT / "requirements-runtime.lock")["pandas"][0]
    # environment.yml edited by hand
    problems = _drifted_copy(tmp_path, lambda d: _replace(d / "environment.yml", f"pandas=={version}", "pandas==0.1"))
    assert any("environment.yml" in p for p in problems), problems
    # the runtime lock moved on without the full lock (make lab would install another pandas)
    problems = _drifted_copy(tmp_path, lambda d: _replace(d / "requirements.lock", f"pandas=={version}", "pandas==0.1"))
    assert any("pandas" in p and "0.1" in p for p in problems), problems
    # a hash that is not the one make setup checks
    problems = _drifted_copy(tmp_path, lambda d: _replace(d / "requirements-runtime.lock", "--hash=sha256:", "--hash=sha256:0", ))
    assert any("hashes differ" in p for p in problems), problems
    # a runtime dependency added to pyproject.toml without `make lock`
    problems = _drifted_copy(tmp_path, lambda d: _replace(d / "pyproject.toml", '"pandas",', '"pandas",\n    "voila",'))
    assert any("voila" in p for p in problems), problems
    # test tooling leaking into the learner's set
    full = (ROOT / "requirements.lock").read_text()
    pytest_pin = re.search(r"^pytest==.*?(?=^\S)", full, re.S | re.M).group(0)
    problems = _drifted_copy(tmp_path, lambda d: d.joinpath("requirements-runtime.lock").write_text(
        d.joinpath("requirements-runtime.lock").read_text() + pytest_pin))
    assert any("test/site tools" in p and "pytest" in p for p in problems), problems
    assert _drifted_copy(tmp_path, lambda d: None) == [], "an unchanged copy must show no drift"


def test_readme_names_the_two_commands_and_the_disclaimer():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    assert DISCLAIMER in readme
    for bad in ("--NotebookApp.token=''", "--ServerApp.token=''", "token=''", "disable_check_xsrf"):
        assert bad not in readme, "the README must never tell users to disable authentication"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\b", ci, re.M), ".ci/run must run exactly the README's test command"
    assert "set -euo pipefail" in ci


def test_make_lab_binds_localhost_keeps_token_and_opens_start_page():
    out = subprocess.run(["make", "-n", "lab", "JUPYTER_PORT=8899"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert "--ServerApp.ip=127.0.0.1" in out
    assert "--ServerApp.port=8899" in out
    assert "notebooks/00-start-here.ipynb" in out
    assert "token=" not in out.replace("token=…", ""), "make lab must not override the token"


def test_second_setup_run_does_nothing():
    if not (ROOT / ".venv" / ".installed").exists():
        pytest.skip("the environment was not set up through make (no .venv/.installed stamp)")
    out = subprocess.run(["make", "-n", "setup"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "setup_env.sh" not in out, "with the pins unchanged, `make setup` must not reinstall anything"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_is_committed_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3", "notebooks use the python3 kernel"
    assert "widgets" not in nb["metadata"], "saved widget state must be stripped (make clean-notebooks)"
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; run `make clean-notebooks`"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_says_once_it_is_not_medical_advice(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert text.count(DISCLAIMER) == 1, f"{path.name} must carry the educational disclaimer exactly once"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_every_cell_has_slide_metadata(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    # null continues the slide above. "-" means the same to nbconvert, but jupyterlab-slideshow
    # (the live slides) reads only null as a continuation and never shows a "-" cell at all.
    allowed = {"slide", "subslide", "fragment", None, "skip", "notes"}
    cells = nb["cells"]
    missing = [i for i, c in enumerate(cells) if "slide_type" not in c.get("metadata", {}).get("slideshow", {})]
    assert not missing, f"{path.name}: cells {missing} lack metadata.slideshow.slide_type"
    dash = [i for i, c in enumerate(cells) if c["metadata"]["slideshow"]["slide_type"] == "-"]
    assert not dash, (f"{path.name}: cells {dash} have slide type '-', which the live slides never show; "
                      "use null to continue the slide above")
    bad = [i for i, c in enumerate(cells) if c["metadata"]["slideshow"]["slide_type"] not in allowed]
    assert not bad, f"{path.name}: cells {bad} have an unknown slide type"
    assert nb["cells"][0]["metadata"]["slideshow"]["slide_type"] == "slide", "the first cell is the title slide"


def test_start_here_exists_with_series_map():
    path = ROOT / "notebooks" / "00-start-here.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    others = [p.name for p in notebook_paths() if p.name != path.name]
    for name in others:
        assert name in text, f"the start page's map of the series does not link {name}"


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, alias.asname
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, None


LAYER_ORDER = ["data", "models", "charts", "display", "apps"]
SAME_LAYER_AS = {"progress": "data"}  # local storage of quiz scores: pure Python, like the data layer


def _layer(path: Path):
    rel = path.relative_to(ROOT / "widgets").parts
    name = rel[0].removesuffix(".py")
    name = SAME_LAYER_AS.get(name, name)
    return name if name in LAYER_ORDER else None


def test_layers_import_only_earlier_layers():
    problems = []
    for path in sorted((ROOT / "widgets").rglob("*.py")):
        layer = _layer(path)
        if layer is None:
            continue
        rank = LAYER_ORDER.index(layer)
        for module, alias in _imports(path):
            parts = module.split(".")
            target = SAME_LAYER_AS.get(parts[1], parts[1]) if len(parts) > 1 else None
            if parts[0] == "widgets" and target in LAYER_ORDER:
                if LAYER_ORDER.index(target) > rank:
                    problems.append(f"{path.relative_to(ROOT)} ({layer}) imports {module}")
            if layer in ("data", "models") and parts[0] in ("matplotlib", "ipywidgets"):
                problems.append(f"{path.relative_to(ROOT)} ({layer}) imports {module}")
            if layer in ("charts", "display") and parts[0] == "ipywidgets":
                problems.append(f"{path.relative_to(ROOT)} ({layer}) imports {module}")
    assert not problems, "layering broken:\n" + "\n".join(problems)


def test_ipywidgets_never_imported_as_widgets():
    offenders = []
    for path in list(ROOT.glob("widgets/**/*.py")) + list(ROOT.glob("tests/**/*.py")) + list(ROOT.glob("tools/*.py")):
        for module, alias in _imports(path):
            if module == "ipywidgets" and alias == "widgets":
                offenders.append(str(path.relative_to(ROOT)))
    for path in notebook_paths():
        if re.search(r"import\s+ipywidgets\s+as\s+widgets\b", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"`import ipywidgets as widgets` shadows the package in: {offenders}"


def test_science_layers_load_without_plotting_or_widgets():
    code = ("import sys, widgets.data, widgets.models; "
            "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"importing data and models pulled in {done.stdout or done.stderr}"


def test_no_prose_copied_from_the_seed_articles():
    tool = ROOT.parent / "shared" / "tools" / "seed_overlap.py"
    if not tool.exists():
        pytest.skip("the seed articles (../shared) are not beside this checkout")
    done = subprocess.run([sys.executable, str(tool), str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, "sentences copied from the seeds:\n" + done.stdout[-3000:]
