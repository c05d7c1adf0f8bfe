"""Constants shared by every layer. A leaf module: it imports nothing from ``sims``."""

from __future__ import annotations

from pathlib import Path

#: The ``configs/`` folder of the source tree (the package is installed editable).
CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"

#: Version of the result-file layout (``sims.io``). 1.1 adds ``versions_json``,
#: ``input_files_json`` and the ``nonfinite`` attribute of datasets; 1.0 files stay readable.
SCHEMA_VERSION = "1.1"
