"""Constants shared by every layer. A leaf module: it imports nothing from ``sims``."""

from __future__ import annotations

from pathlib import Path

#: The ``configs/`` folder of the source tree (the package is installed editable).
CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"



def named_configs(group: str) -> list[str]:
    """The options of a config group (``configs/<group>/*.yaml``), sorted."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


#: Version of the result-file layout (``sims.io``). 1.1 adds ``versions_json``,
#: ``input_files_json`` and the ``nonfinite`` attribute of datasets; 1.0 files stay readable.
SCHEMA_VERSION = "1.1"

#: Upper bounds of concentrations. Steroids and the drugs dissolve in water at uM at most,
#: so 1 mM is beyond any level a brain, a plasma or a bath can hold [assumption: a bound,
#: not a value]; ions stay below 1 M (extracellular Na+ ~150 mM).
STEROID_MAX_NM = 1e6
ION_MAX_MM = 1e3
