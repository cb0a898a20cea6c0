"""Vendor the web app's JavaScript from the npm registry: `python scripts/vendor_assets.py`.

Each package is pinned to one version and its tarball's integrity hash (the registry's
`dist.integrity`); the tarball is fetched with `npm pack`, checked against the hash, and the
files the app serves are copied to src/cskpi/web/static/vendor/ with the version in the file
name, next to the package's LICENSE. The vendored files are committed and never hand-edited:
to upgrade, change the pins here and run the script again.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "src" / "cskpi" / "web" / "static" / "vendor"


@dataclass(frozen=True)
class Pin:
    package: str
    version: str
    integrity: str  # sha512-<base64>, as the registry publishes it
    files: dict[str, str]  # path inside the tarball (under package/) -> name in vendor/


PINS = (
    Pin(
        "echarts",
        "5.6.0",
        "sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA==",
        {"dist/echarts.min.js": "echarts-{v}.min.js", "LICENSE": "echarts-{v}.LICENSE.txt"},
    ),
    # Swagger UI for /docs (FastAPI's default page loads it from a CDN; the app must not).
    Pin(
        "swagger-ui-dist",
        "5.17.14",
        "sha512-CVbSfaLpstV65OnSjbXfVd6Sta3q3F7Cj/yYuvHMp1P90LztOLs6PfUnKEVAeiIVQt9u2SaPwv0LiH/OyMjHRw==",
        {
            "swagger-ui-bundle.js": "swagger-ui-bundle-{v}.js",
            "swagger-ui.css": "swagger-ui-{v}.css",
            "LICENSE": "swagger-ui-{v}.LICENSE.txt",
        },
    ),
)


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def vendor(pin: Pin, work: Path) -> list[Path]:
    subprocess.run(
        ["npm", "pack", f"{pin.package}@{pin.version}", "--silent", "--pack-destination",
         str(work)],
        check=True, capture_output=True,
    )  # fmt: skip
    (tarball,) = work.glob(f"{pin.package}-{pin.version}.tgz")
    actual = integrity_of(tarball.read_bytes())
    if actual != pin.integrity:
        raise SystemExit(f"{pin.package}@{pin.version}: integrity {actual} != {pin.integrity}")
    written = []
    with tarfile.open(tarball) as archive:
        for inner, name in pin.files.items():
            member = archive.extractfile(f"package/{inner}")
            if member is None:
                raise SystemExit(f"{pin.package}: no {inner} in the tarball")
            target = VENDOR / name.format(v=pin.version)
            target.write_bytes(member.read())
            written.append(target)
    return written


def main() -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    keep: set[Path] = set()
    with tempfile.TemporaryDirectory() as folder:
        for pin in PINS:
            keep.update(vendor(pin, Path(folder)))
    for stale in VENDOR.iterdir():  # older versions go: one version per package
        if stale.is_file() and stale not in keep:
            stale.unlink()
    for path in sorted(keep):
        print(f"{path.relative_to(VENDOR.parent.parent)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    sys.exit(main())
