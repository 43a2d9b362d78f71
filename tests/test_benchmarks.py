"""The benchmark runner: a module that crashes becomes a FAILED row, the others' figures are
still printed and written, and the exit status says something failed. Benchmarks import
nothing from tests/ (they must run from a checkout without the test suite)."""

from __future__ import annotations

import ast
import json
import types
from pathlib import Path

import pytest

import benchmarks.__main__ as runner
from benchmarks._harness import Figure

ROOT = Path(__file__).resolve().parents[1]


def _fake(name: str, run) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.run = run  # type: ignore[attr-defined]
    return mod


def test_a_crashing_module_is_a_row_and_the_rest_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(quick: bool) -> list[Figure]:
        raise ValueError("too many values to unpack (expected 2)")

    fakes = {
        "benchmarks.bench_a": _fake("a", lambda q: [Figure("a figure", 1.5, "s", 2.0)]),
        "benchmarks.bench_b": _fake("b", boom),
        "benchmarks.bench_c": _fake("c", lambda q: [Figure("c figure", 3.0, "dB")]),
    }
    monkeypatch.setattr(
        runner.pkgutil,
        "iter_modules",
        lambda here: [types.SimpleNamespace(name=n.split(".")[-1]) for n in fakes],
    )
    monkeypatch.setattr(runner.importlib, "import_module", lambda n: fakes[n])
    out = tmp_path / "bench.json"
    assert runner.main(["--quick", "--json", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "a figure" in printed and "c figure" in printed
    assert "bench_b: did not finish" in printed and "FAILED" in printed
    assert "too many values to unpack" in printed
    data = json.loads(out.read_text())  # strict JSON: no NaN
    verdicts = {f["name"]: f["verdict"] for f in data["figures"]}
    assert verdicts == {
        "a figure": "pass",
        "bench_b: did not finish": "FAILED",
        "c figure": "info",
    }
    assert next(f for f in data["figures"] if f["error"])["value"] is None


def test_benchmarks_import_nothing_from_tests() -> None:
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            assert not any(n == "tests" or n.startswith("tests.") for n in names), path.name
