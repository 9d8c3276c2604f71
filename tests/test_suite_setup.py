"""The README's test command is what CI runs, and it runs every test: a plain `pytest` leaves
out the tests marked slow (tests/conftest.py), so the command must ask for them."""

from pathlib import Path

TOP = Path(__file__).resolve().parents[1]


def _test_command(text: str) -> str:
    lines = [line for line in text.splitlines() if "-m pytest" in line and "pip install" in line]
    assert len(lines) == 1, lines
    return lines[0].strip()


def test_the_readme_test_command_is_what_ci_runs_and_includes_the_slow_tests():
    readme = _test_command((TOP / "README.md").read_text(encoding="utf-8"))
    ci = _test_command((TOP / ".ci" / "run").read_text(encoding="utf-8"))
    assert readme == ci
    assert readme.split("-m pytest", 1)[1].split()[:1] == ["--run-slow"]
