"""Write the OpenAPI document the app serves (``make openapi``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.main import create_app


def export(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = create_app().openapi()
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


if __name__ == "__main__":
    export(Path(sys.argv[1] if len(sys.argv) > 1 else "openapi/openapi.json"))
