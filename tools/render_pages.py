"""Render page 1 of each standard workbook to docs/img/ (LibreOffice + pdftoppm).

    python tools/render_pages.py [--dpi 110]

Used to check by eye that the forms look like clean official forms; the PNGs
are committed so reviewers can see them without LibreOffice.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "workbooks").glob("*.xlsx"))
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice") or "soffice"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
             "--convert-to", "pdf", "--outdir", tmp, *map(str, files)],
            check=True, capture_output=True,
        )
        for f in files:
            pdf = Path(tmp) / f"{f.stem}.pdf"
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", "1",
                 "-singlefile", str(pdf), str(out / f.stem)],
                check=True,
            )
            print(out / f"{f.stem}.png")


if __name__ == "__main__":
    main()
