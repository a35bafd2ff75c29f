"""The nbgitpuller link helper: correct target, properly encoded, friendly errors, working CLI."""
import importlib.util
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ROOT

TOOL = ROOT / "tools" / "nbgitpuller_link.py"
_spec = importlib.util.spec_from_file_location("nbgitpuller_link", TOOL)
link_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(link_tool)

HUB = "https://hub.example.edu"
REPO = "https://github.com/our-school/immune-balance"


def _query(link):
    parts = urlsplit(link)
    return parts, {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}


def test_default_link_opens_the_start_page_of_the_pulled_copy():
    link = link_tool.build_link(HUB, REPO)
    parts, query = _query(link)
    assert f"{parts.scheme}://{parts.netloc}" == HUB
    assert parts.path == "/hub/user-redirect/git-pull"
    assert query == {
        "repo": REPO,
        "branch": "main",
        "targetpath": "immune-balance",
        "urlpath": "lab/tree/immune-balance/notebooks/00-start-here.ipynb",
    }
    assert (ROOT / "notebooks" / "00-start-here.ipynb").is_file(), "the default link must point at a real notebook"


def test_every_query_value_is_percent_encoded():
    link = link_tool.build_link(HUB, REPO, branch="spring-2027")
    query = urlsplit(link).query
    assert "repo=https%3A%2F%2Fgithub.com%2Four-school%2Fimmune-balance" in query
    assert "urlpath=lab%2Ftree%2Fimmune-balance%2Fnotebooks%2F00-start-here.ipynb" in query
    assert "/" not in query and ":" not in query, "slashes and colons inside values must be encoded"


def test_awkward_characters_round_trip():
    link = link_tool.build_link(HUB, REPO, branch="week-2&notes", notebook="notebooks/02 dysregulation.ipynb")
    _, query = _query(link)
    assert query["branch"] == "week-2&notes"
    assert query["urlpath"] == "lab/tree/immune-balance/notebooks/02 dysregulation.ipynb"
    assert " " not in link


@pytest.mark.parametrize("hub", [HUB, HUB + "/", HUB + "/hub", HUB + "/hub/", HUB + "/hub/home"])
def test_hub_address_as_teachers_copy_it(hub):
    assert link_tool.build_link(hub, REPO).startswith(HUB + "/hub/user-redirect/git-pull?")


def test_hub_under_a_path_prefix_is_kept():
    link = link_tool.build_link("https://uni.example.edu/jupyter/", REPO)
    assert link.startswith("https://uni.example.edu/jupyter/hub/user-redirect/git-pull?")


@pytest.mark.parametrize("repo", ["git@github.com:our-school/immune-balance.git",
                                  "ssh://git@github.com/our-school/immune-balance.git",
                                  REPO + ".git", REPO + "/"])
def test_repository_forms_are_normalised_to_https(repo):
    _, query = _query(link_tool.build_link(HUB, repo))
    assert query["repo"] == REPO


@pytest.mark.parametrize("kwargs, message", [
    (dict(hub="hub.example.edu"), "hub URL must start with https://"),
    (dict(hub=""), "hub URL is empty"),
    (dict(hub=HUB + "/?next=x"), "must not contain"),
    (dict(repo=""), "repository URL is empty"),
    (dict(repo="ftp://example.org/x"), "must start with https://"),
    (dict(repo="https://github.com/"), "must name a repository"),
    (dict(branch="my branch"), "branch"),
    (dict(target="../elsewhere"), "target must be a simple folder name"),
    (dict(notebook="../../etc/passwd"), "inside the repository"),
])
def test_bad_input_gives_a_message_saying_what_is_wrong(kwargs, message):
    args = dict(hub=HUB, repo=REPO) | kwargs
    with pytest.raises(ValueError, match=message):
        link_tool.build_link(**args)


def _cli(*args):
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=60)


def test_cli_prints_the_link():
    done = _cli("--hub", HUB, "--repo", REPO, "--notebook", "notebooks/02-immune-dysregulation.ipynb")
    assert done.returncode == 0, done.stderr
    _, query = _query(done.stdout.strip())
    assert query["urlpath"] == "lab/tree/immune-balance/notebooks/02-immune-dysregulation.ipynb"


def test_cli_reports_bad_input_without_a_traceback():
    done = _cli("--hub", "not a url", "--repo", REPO)
    assert done.returncode == 2
    assert done.stderr.startswith("error: the hub URL") and "Traceback" not in done.stderr


def test_cli_falls_back_to_the_origin_remote(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin",
                    "git@github.com:our-school/immune-balance.git"], check=True)
    assert link_tool.https_repo_url(link_tool.origin_url(tmp_path)) == REPO
    assert link_tool.origin_url(tmp_path / "no-such-folder") is None


def test_the_example_link_in_the_jupyterhub_guide_is_what_the_tool_prints():
    guide = (ROOT / "docs" / "jupyterhub.md").read_text(encoding="utf-8")
    examples = [line.strip() for line in guide.splitlines()
                if line.strip().startswith("https://hub.example.edu/hub/user-redirect/git-pull?")]
    assert examples, "docs/jupyterhub.md should show an example link"
    for example in examples:
        expected = link_tool.build_link("https://hub.example.edu",
                                        "https://github.com/our-school/immune-balance-student")
        assert example.replace("<your-school>", "our-school") == expected
