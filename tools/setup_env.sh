#!/usr/bin/env bash
# Create the project's virtual environment and install the pinned dependencies.
# Called by `make setup` (and so by `make lab` and `make test`); safe to run again.
set -euo pipefail
python=${1:-python3}
venv=${2:-.venv}

if [ -z "$python" ] || ! command -v "$python" >/dev/null 2>&1; then
    echo "Immune Balance needs Python 3.11, and no python3 was found on PATH." >&2
    echo "On Debian or Ubuntu: sudo apt-get install python3 python3-venv" >&2
    exit 1
fi
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$version" != "3.11" ]; then
    echo "Immune Balance is tested with Python 3.11, but '$python' is Python $version." >&2
    echo "Install Python 3.11 and run: make PYTHON=/path/to/python3.11 setup" >&2
    exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "==> Creating the virtual environment in $venv"
    if ! "$python" -m venv "$venv"; then
        rm -rf "$venv"
        echo "Could not create a virtual environment with $python." >&2
        echo "On Debian or Ubuntu install the venv module first: sudo apt-get install python3-venv" >&2
        exit 1
    fi
fi

echo "==> Installing the pinned dependencies (requirements.lock, hash-checked)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
# Packages the pins have dropped, removed from environments made before (pip install -r only adds):
# jupyterlab-slideshow replaced jupyterlab-rise and its jupyterlab-mathjax3 for live slides;
# sphinxcontrib-bibtex (and what only it needed) was never used: references come from data/sources.csv.
for dropped in jupyterlab-rise jupyterlab-mathjax3 sphinxcontrib-bibtex pybtex-docutils pybtex latexcodec; do
    if "$venv/bin/python" -m pip show --quiet "$dropped" >/dev/null 2>&1; then
        echo "==> Removing $dropped (no longer pinned)"
        "$venv/bin/python" -m pip uninstall --quiet --yes "$dropped"
    fi
done
echo "==> Installing the immune-balance package (editable)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .

# JupyterLab settings for this environment: start the kernel without asking, no news or update pop-ups.
settings="$venv/share/jupyter/lab/settings"
mkdir -p "$settings"
cp tools/lab-overrides.json "$settings/overrides.json"

"$venv/bin/python" -m pip check
echo "==> Environment ready: $venv"
