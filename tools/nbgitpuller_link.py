#!/usr/bin/env python3
"""Build an nbgitpuller link that hands every student their own copy of the series.

A student who clicks the link logs in to your JupyterHub; nbgitpuller then clones the
repository into their home folder (or, on later clicks, merges in your updates without
overwriting their own edits) and opens the start page in JupyterLab.

    python tools/nbgitpuller_link.py --hub https://hub.example.edu \\
        --repo https://github.com/your-school/immune-balance --branch main

prints

    https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2F...

Without ``--repo`` the URL of this clone's ``origin`` remote is used (an SSH remote
such as ``git@github.com:owner/repo.git`` is turned into its https form, because
students pull without keys).  ``--notebook`` opens another notebook instead of the
start page.  No network access: the link is only built, never visited.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

DEFAULT_TARGET = "immune-balance"
DEFAULT_NOTEBOOK = "notebooks/00-start-here.ipynb"
DEFAULT_BRANCH = "main"

_SSH_REMOTE = re.compile(r"^(?:ssh://)?git@(?P<host>[^:/]+)[:/](?P<path>.+?)/?$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


def _http_url(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is empty: give a full address such as https://hub.example.edu")
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{what} must start with https:// (or http://) and name a server, got {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"{what} must not contain '?' or '#', got {value!r}")
    return value


def https_repo_url(repo: str) -> str:
    """``git@github.com:o/r.git`` -> ``https://github.com/o/r``; https URLs lose a trailing ``.git``/``/``."""
    if not isinstance(repo, str) or not repo.strip():
        raise ValueError("the repository URL is empty: give the address of your fork, "
                         "such as https://github.com/your-school/immune-balance")
    repo = repo.strip()
    m = _SSH_REMOTE.match(repo)
    if m:
        repo = f"https://{m.group('host')}/{m.group('path')}"
    repo = _http_url(repo, "the repository URL")
    repo = repo.rstrip("/")
    if repo.endswith(".git"):
        repo = repo[:-4]
    if not urlsplit(repo).path.strip("/"):
        raise ValueError(f"the repository URL must name a repository, not just a server, got {repo!r}")
    return repo


def hub_base_url(hub: str) -> str:
    """The hub's base address without a trailing ``/`` or ``/hub`` (both are common in copied links)."""
    hub = _http_url(hub, "the hub URL").rstrip("/")
    for suffix in ("/hub/home", "/hub/login", "/hub"):
        if hub.endswith(suffix):
            hub = hub[: -len(suffix)]
            break
    return hub.rstrip("/")


def build_link(hub: str, repo: str, branch: str = DEFAULT_BRANCH, notebook: str = DEFAULT_NOTEBOOK,
               target: str = DEFAULT_TARGET) -> str:
    """The nbgitpuller link, every query value percent-encoded (``/`` becomes ``%2F``).

    * ``hub``: your JupyterHub's address, e.g. ``https://hub.example.edu``;
    * ``repo``: the public git repository (your fork), https or SSH form;
    * ``branch``: the branch students receive (default ``main``);
    * ``notebook``: path inside the repository to open (default the start page);
    * ``target``: the folder created in each student's home (default ``immune-balance``).
    """
    base = hub_base_url(hub)
    repo_url = https_repo_url(repo)
    if not isinstance(branch, str) or not branch.strip() or any(c.isspace() for c in branch.strip()):
        raise ValueError(f"branch must be a git branch name without spaces, such as 'main', got {branch!r}")
    if not isinstance(target, str) or not _SAFE_NAME.match(target.strip()) or target.strip() in (".", ".."):
        raise ValueError(f"target must be a simple folder name (letters, digits, '.', '_', '-'), got {target!r}")
    if not isinstance(notebook, str) or not notebook.strip():
        raise ValueError("notebook must be a path inside the repository, such as notebooks/00-start-here.ipynb")
    notebook = notebook.strip().lstrip("/")
    if ".." in Path(notebook).parts:
        raise ValueError(f"notebook must stay inside the repository, got {notebook!r}")
    query = [
        ("repo", repo_url),
        ("urlpath", f"lab/tree/{target.strip()}/{notebook}"),
        ("branch", branch.strip()),
        ("targetpath", target.strip()),
    ]
    return f"{base}/hub/user-redirect/git-pull?{urlencode(query, quote_via=quote, safe='')}"


def origin_url(repo_dir: Path | None = None) -> str | None:
    """The ``origin`` remote of the clone at ``repo_dir`` (this project by default), or None."""
    repo_dir = repo_dir or Path(__file__).resolve().parents[1]
    try:
        done = subprocess.run(["git", "-C", str(repo_dir), "remote", "get-url", "origin"],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    url = done.stdout.strip()
    return url if done.returncode == 0 and url else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Print an nbgitpuller link that gives each student a copy of Immune Balance "
                    "on your JupyterHub and opens the start page.")
    parser.add_argument("--hub", required=True, help="your JupyterHub address, e.g. https://hub.example.edu")
    parser.add_argument("--repo", help="the public git repository students pull (default: this clone's origin)")
    parser.add_argument("--branch", default=DEFAULT_BRANCH, help="branch to hand out (default: main)")
    parser.add_argument("--notebook", default=DEFAULT_NOTEBOOK,
                        help="notebook to open, relative to the repository (default: the start page)")
    parser.add_argument("--target", default=DEFAULT_TARGET,
                        help="folder name in each student's home (default: immune-balance)")
    args = parser.parse_args(argv)
    repo = args.repo or origin_url()
    if not repo:
        print("error: no --repo given and this folder has no 'origin' git remote; pass "
              "--repo https://github.com/<you>/immune-balance", file=sys.stderr)
        return 2
    try:
        print(build_link(args.hub, repo, args.branch, args.notebook, args.target))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
