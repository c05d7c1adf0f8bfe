"""The repository carries its own science reference: every file a comment, config or doc
cites exists, every cited section of docs/science.md exists, and every author-year
citation has an entry in docs/references.bib."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCIENCE = ROOT / "docs/science.md"
BIB = ROOT / "docs/references.bib"


def _tracked(*suffixes: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    return [ROOT / f for f in out if f.endswith(suffixes) and not f.endswith(".lock")]


TEXT = _tracked(".py", ".yaml", ".md", ".bib", ".csv", "Makefile")
CITING = [p for p in TEXT if p.suffix in (".py", ".yaml", ".md")]


def _bib_entries() -> dict[str, str]:
    text = BIB.read_text()
    return {m.group(1): m.group(2) for m in re.finditer(r"@\w+\{(\w+),(.*?)\n\}", text, re.S)}


def _norm(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z]", "", plain).lower()


def test_cited_files_exist():
    missing = []
    for p in CITING:
        for m in re.finditer(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.(?:md|bib))\b", p.read_text()):
            name = m.group(1)
            if not ((ROOT / name).exists() or (p.parent / name).exists()):
                missing.append(f"{p.relative_to(ROOT)}: {name}")
    assert missing == []


def _sections() -> set[str]:
    heads = re.findall(r"^#{2,3} (\d+(?:\.\d+)?)[. ]", SCIENCE.read_text(), flags=re.M)
    return set(heads)


def test_cited_sections_of_the_science_reference_exist():
    sections = _sections()
    assert {"1.2", "2.1", "4", "5.1", "6.1", "7.1", "10"} <= sections
    bad = []
    for p in CITING:
        for m in re.finditer(r"science\.md §([\d.,\- ]+(?:row \d+)?)", p.read_text()):
            for sec in re.findall(r"\d+(?:\.\d+)?", m.group(1).split("row")[0]):
                if sec not in sections:
                    bad.append(f"{p.relative_to(ROOT)}: §{sec}")
        if p == SCIENCE:
            for sec in re.findall(r"\(§(\d+(?:\.\d+)?)\)", p.read_text()):
                if sec not in sections:
                    bad.append(f"docs/science.md: §{sec}")
    assert bad == []


AUTHOR_YEAR = re.compile(
    r"((?:[A-Z][\w'\-]+, )*)([A-Z][\w'\-]+)"
    r"(?: et al\.?| (?:&|and) [A-Z][\w'\-]+)?,? \(?((?:19|20)\d\d)\b")


def test_every_author_year_citation_has_a_bibliography_entry():
    keys = [k.lower() for k in _bib_entries()]
    missing = set()
    for p in CITING:
        if p == BIB:
            continue
        for m in AUTHOR_YEAR.finditer(p.read_text()):
            first = (m.group(1).split(",")[0] or m.group(2)).strip()
            year = m.group(3)
            name = _norm(first)
            if not any(name in k and k.endswith(year) for k in keys):
                missing.add(f"{first} {year} ({p.relative_to(ROOT)})")
    assert sorted(missing) == []


@pytest.mark.parametrize("key", sorted(_bib_entries()))
def test_every_bibliography_entry_is_complete(key):
    body = _bib_entries()[key]
    for field in ("author", "title", "year"):
        assert re.search(rf"\b{field}\s*=", body), f"{key}: no {field}"
    assert re.search(r"\b(journal|howpublished)\s*=", body), key
    assert re.search(r"note\s*=\s*\{\[(V|R)", body), f"{key}: no [V]/[R] tag"
    year = re.search(r"year\s*=\s*\{(\d{4})\}", body).group(1)
    assert key.endswith(year), key
