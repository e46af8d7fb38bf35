"""The vendored front-end assets are exactly what `make vendor` wrote (tools/vendor.py)."""

import base64
import hashlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("vendor_tool", ROOT / "tools" / "vendor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_vendored_file_matches_its_recorded_checksum():
    assert _tool().problems() == []


def test_a_changed_vendored_file_is_reported(tmp_path, monkeypatch):
    tool = _tool()
    (tmp_path / "a.css").write_text("body{}")
    sums = tmp_path / "sums"
    digest = hashlib.sha256(b"body{}").hexdigest()
    sums.write_text(f"{digest}  a.css\n{digest}  gone.js\n")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "SUMS", sums)
    assert tool.problems() == ["gone.js: missing"]
    (tmp_path / "a.css").write_text("body{color:red}")
    assert tool.problems() == [
        "a.css: changed since `make vendor` wrote it",
        "gone.js: missing",
    ]


def test_a_tarball_not_matching_its_pinned_integrity_is_refused():
    tool = _tool()
    good = "sha512-" + base64.b64encode(hashlib.sha512(b"tarball").digest()).decode()
    tool.check_integrity(b"tarball", good)
    with pytest.raises(SystemExit, match="integrity mismatch"):
        tool.check_integrity(b"tampered", good)
    with pytest.raises(SystemExit, match="only sha512"):
        tool.check_integrity(b"tarball", "sha1-abc")
