"""The README's "As a library" example runs, as written, on a store built from the reference data.

The expected outputs are the project's own results on that data (a store of the 119 Iridium-33
debris objects of CelesTrak's 2025-02 file; CARA's AlfanoTestCase01 CDM), so any change of
behaviour in ingest, SGP4, screening, Pc, the OMM codec or ranking shows up here.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _library_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## As a library\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "README has no '## As a library' section"
    blocks = re.findall(r"```python\n(.*?)```", section.group(1), re.S)
    assert blocks and all(">>> " in b for b in blocks), "the section's example is not a doctest"
    return "\n".join(blocks)


def test_readme_library_example(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWEEPERS_DATA", str(shared_data))
    test = doctest.DocTestParser().get_doctest(_library_example(), {}, "README.md", str(README), 0)
    assert len(test.examples) >= 20
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted == len(test.examples)


def test_api_names_resolve_lazily() -> None:
    import subprocess
    import sys

    code = ("import sys, sweepers, sweepers.api as sw\n"
            "heavy = [m for m in ('sqlalchemy', 'numba', 'heyoka', 'sgp4') if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "for name in sw.__all__: getattr(sw, name)\n"
            "assert sweepers.propagate is sw.propagate and sweepers.screen is sw.screen\n"
            "from sweepers import formats\n"
            "print(len(sw.__all__))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) >= 25
