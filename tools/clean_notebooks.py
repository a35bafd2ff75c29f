"""Strip outputs, execution counts and saved widget state from notebooks.

Usage: python tools/clean_notebooks.py [PATH ...]   (default: notebooks/)

Notebooks are committed clean so that diffs stay readable and nbval starts from a
blank slate; `tests/test_foundation.py` fails when a notebook still carries outputs.
"""
import json
import sys
from pathlib import Path

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def clean(nb: dict) -> dict:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    meta = nb.setdefault("metadata", {})
    meta.pop("widgets", None)
    meta["kernelspec"] = dict(KERNELSPEC)
    return nb


def notebooks(paths):
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb":
            yield path


def main(argv):
    changed = 0
    for path in notebooks(argv or ["notebooks"]):
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        new = json.dumps(clean(nb), indent=1, ensure_ascii=False) + "\n"
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
            print(f"cleaned {path}")
    print(f"{changed} notebook(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
