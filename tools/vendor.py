"""Vendor the front-end assets pinned in tools/vendor.toml (``make vendor``), or check the
written files against tools/vendor.sums with no network (``make vendor-check``).

Each package's tarball comes from the npm registry and must match the pinned sha512 before a
byte of it is written; the files listed are extracted to their destinations (an icon sprite
is built from the icons listed), and the sha256 of every written file goes to vendor.sums.
Standard library only: it runs before the virtualenv exists.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import re
import sys
import tarfile
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tools" / "vendor.toml"
SUMS = ROOT / "tools" / "vendor.sums"
REGISTRY = "https://registry.npmjs.org"


def tarball_url(name: str, version: str) -> str:
    return f"{REGISTRY}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise SystemExit(f"only sha512 integrity is accepted, not {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"integrity mismatch: expected {integrity}, got sha512-{actual}")


def sprite(archive: tarfile.TarFile, source: str, icons: list[str]) -> bytes:
    """One <svg> of <symbol id="NAME">s, each an icon's own drawing and presentation."""
    symbols = []
    for name in sorted(set(icons)):
        member = archive.extractfile(f"package/{source.format(name=name)}")
        if member is None:
            raise SystemExit(f"icon {name!r} is not in the package")
        svg = member.read().decode()
        opening = re.search(r"<svg\b([^>]*)>", svg)
        if opening is None:
            raise SystemExit(f"icon {name!r} is not an SVG")
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', opening.group(1)))
        kept = " ".join(
            f'{key}="{attributes[key]}"'
            for key in (
                "viewBox",
                "fill",
                "stroke",
                "stroke-width",
                "stroke-linecap",
                "stroke-linejoin",
            )
            if key in attributes
        )
        body = svg[opening.end() : svg.rindex("</svg>")].strip()
        # The icon set's invisible 24x24 frame is not drawn; the rest on one line.
        body = re.sub(r'<path stroke="none" d="M0 0h24v24H0z" fill="none"\s*/>', "", body)
        body = re.sub(r">\s+<", "><", body).strip()
        symbols.append(f'<symbol id="{name}" {kept}>{body}</symbol>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg">\n' + "\n".join(symbols) + "\n</svg>\n"
    ).encode()


def vendor() -> None:
    config = tomllib.loads(CONFIG.read_text())
    written: dict[str, str] = {}
    for package in config["package"]:
        name, version = package["name"], package["version"]
        url = tarball_url(name, version)
        print(f"{name}@{version}: {url}")
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (https, pinned)
            data = response.read()
        check_integrity(data, package["integrity"])
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            outputs: dict[str, bytes] = {}
            for source, target in package.get("files", {}).items():
                member = archive.extractfile(f"package/{source}")
                if member is None:
                    raise SystemExit(f"{source} is not in {name}@{version}")
                outputs[target] = member.read()
            if "sprite" in package:
                spec = package["sprite"]
                outputs[spec["target"]] = sprite(archive, spec["source"], spec["icons"])
        for target, content in outputs.items():
            path = ROOT / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            written[target] = hashlib.sha256(content).hexdigest()
            print(f"  {target} ({len(content):,} bytes)")
    SUMS.write_text(
        "# sha256 of every vendored file, written by `make vendor` (tools/vendor.py)\n"
        + "".join(f"{digest}  {target}\n" for target, digest in sorted(written.items()))
    )


def problems() -> list[str]:
    """The vendored files that are missing or differ from what `make vendor` wrote."""
    found = []
    for line in SUMS.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        digest, target = line.split(maxsplit=1)
        path = ROOT / target
        if not path.exists():
            found.append(f"{target}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            found.append(f"{target}: changed since `make vendor` wrote it")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check the files, offline")
    args = parser.parse_args()
    if args.check:
        found = problems()
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    vendor()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
