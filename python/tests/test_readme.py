"""The README's Python examples run as written."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def python_blocks():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Python\n"):]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def langchain_installed():
    try:
        import langchain_community.graphs.graph_document  # noqa: F401
        import langchain_core.documents  # noqa: F401
    except ImportError:
        return False
    return True


def test_the_readme_python_section_runs(tmp_path, monkeypatch):
    blocks = python_blocks()
    assert blocks, "the README's Python section has an example"
    monkeypatch.chdir(tmp_path)
    ran = 0
    for code in blocks:
        if "langchain_community" in code and not langchain_installed():
            continue  # the LangChain example needs it (python/tests/requirements.txt installs it on 3.10+)
        exec(compile(code, str(README), "exec"), {})
        ran += 1
    assert ran >= 1
