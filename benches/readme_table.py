#!/usr/bin/env python3
"""Copies the table of a results file into README.md, between the markers
<!-- bench-table:begin --> and <!-- bench-table:end -->.

    python3 benches/readme_table.py benches/results/2026-11-28-100k.md [more.md ...]
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"


def excerpt(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    title = lines[0].lstrip("# ").replace("quiver side-by-side benchmark: ", "")
    meta = lines[2]
    table = [l for l in lines if l.startswith("|")]
    rel = os.path.relpath(path, ROOT)
    return [f"**{title}** — {meta} Full notes: [`{rel}`]({rel}).", ""] + table + [""]


def main():
    out = []
    for p in sys.argv[1:]:
        out += excerpt(p)
    readme = os.path.join(ROOT, "README.md")
    text = open(readme, encoding="utf-8").read()
    i, j = text.index(BEGIN) + len(BEGIN), text.index(END)
    text = text[:i] + "\n" + "\n".join(out) + text[j:]
    open(readme, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main()
