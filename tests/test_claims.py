"""The claim register: every number a notebook states in its prose comes from a data row or
from data/claims.csv, with a source (data/README.md, "The claim register")."""
import importlib.util
import json
import shutil

import pytest

from conftest import ROOT, notebook_paths
from widgets.data import load

_spec = importlib.util.spec_from_file_location("check_claims", ROOT / "tools" / "check_claims.py")
check_claims = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_claims)


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_every_number_in_the_prose_has_a_data_row_or_a_registered_claim(path):
    missing = check_claims.unsourced(path)
    assert not missing, (
        f"{path.name} states {', '.join(missing)} in its prose, but no data table and no row of "
        "data/claims.csv holds it: take it from a data row or register it with its source "
        "(python tools/check_claims.py lists them)")


def test_registered_numbers_appear_in_their_notebooks():
    """No stale register rows: a claim with numbers is stated in the notebook(s) it names."""
    claims = load("claims")
    stems = {p.stem: p for p in notebook_paths()}
    for row in claims.itertuples():
        numbers = {check_claims.normalise(n) for n in row.numbers.split(";") if n.strip()}
        targets = [s.strip() for s in row.notebook.split(";")]
        if row.notebook == "*" or not numbers:
            continue
        unknown = [s for s in targets if s not in stems]
        assert not unknown, f"claim {row.claim_id}: no notebook called {unknown}"
        stated = set().union(*(check_claims.numbers_in(check_claims.learner_text(stems[s])) for s in targets))
        stated |= set().union(*(check_claims._all_numbers(check_claims.learner_text(stems[s])) for s in targets))
        assert numbers & stated, f"claim {row.claim_id}: none of {sorted(numbers)} is stated in {targets}"


def test_a_new_unsourced_number_is_caught(tmp_path):
    """Write a number no source holds into a copy of a notebook: the check names it."""
    source = next(p for p in notebook_paths() if p.stem.startswith("05-"))
    nb = json.loads(source.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = "".join(cell["source"]) + "\n\nAbout 31,337 infants a year are affected.\n"
    copy = tmp_path / source.name
    copy.write_text(json.dumps(nb), encoding="utf-8")
    assert "31337" in check_claims.unsourced(copy)
    # registering it (with a source) makes it pass
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with (data / "claims.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"test_claim,{source.stem},A made-up figure for this test.,31337,medscape_ain\n")
    assert "31337" not in check_claims.unsourced(copy, data_dir=data)


@pytest.mark.parametrize("text, expected", [
    ("CD4 counts below 200 per µL", {"200"}),
    ("IL-10 above 20 pg/mL and 22q11.2 deletion", {"20"}),
    ("an ANC of 1,500 per microlitre", {"1500"}),
    ("0.4 g/kg every 3 weeks in 2017", {"0.4"}),
    ("see [notebook 5](05-autoimmune-neutropenia.ipynb), about 25% of people", {"25"}),
    ("`show_table(x, 99)` and $x^{42}$", set()),
])
def test_numbers_are_read_as_a_person_reads_them(text, expected):
    assert check_claims.numbers_in(text) == expected


def test_the_checker_command_reports_success():
    assert check_claims.main([]) == 0
