"""The committed generated code must match what grpcio-tools makes of protos/ now."""

import filecmp
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_protos", ROOT / "tools" / "gen_protos.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_code_is_fresh(tmp_path):
    gen = _load_generator()
    gen.generate(tmp_path)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*_pb2*.py*"))
    committed = sorted(
        p.relative_to(ROOT / "protos") for p in (ROOT / "protos").rglob("*_pb2*.py*")
    )
    assert fresh, "protoc generated nothing"
    assert fresh == committed, "generated files differ from the committed set: run `make protos`"
    stale = [str(p) for p in fresh if not filecmp.cmp(tmp_path / p, ROOT / "protos" / p, False)]
    assert not stale, f"stale generated code (run `make protos`): {stale}"


def test_grpc_tools_matches_grpcio():
    from importlib.metadata import version

    assert version("grpcio-tools") == version("grpcio")
