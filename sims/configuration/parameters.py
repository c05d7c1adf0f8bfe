"""The parameters page of the manual (``docs/parameters.md``), generated from the schemas'
declarations (:func:`sims.params.param`); ``make parameters-page`` writes it and a test
fails when the page and the schemas differ."""

from __future__ import annotations

from collections.abc import Callable

from sims.configuration.roles import key_class
from sims.configuration.schema import (
    Alpha4PolarityConfig,
    AMPAConfig,
    ConnectionConfig,
    GABAAConfig,
    HillConfig,
    NetworkConfig,
    NMDAConfig,
    PopulationConfig,
    PopulationReceptorConfig,
    ProbeConfig,
    SleepConfig,
    SleepPopulationConfig,
    SpeciesConfig,
    TonicConfig,
    UpDownConfig,
)
from sims.params import markdown_table, own_fields
from sims.slow.schemas import (
    SCENARIO_SCHEMAS,
    TREATMENT_SCHEMAS,
    ChlorideConfig,
    HomeostasisConfig,
    HPAConfig,
    InflammationConfig,
    ScenarioBase,
    SteroidKineticsConfig,
    StressLoopConfig,
    StressPulse,
    StressTest,
    TreatmentBase,
)

#: (title, schema, key prefix, module of the mechanism, config group) of each section whose
#: parameters are declared.
SECTIONS = (
    ("Network", NetworkConfig, "network", "sims/fast/network.py", "configs/network/"),
    ("Neuron populations", PopulationConfig, "network.populations.<pop>",
     "sims/fast/neurons.py", "configs/network/"),
    ("Connections", ConnectionConfig, "network.connections.<name>", "sims/fast/network.py",
     "configs/network/"),
    ("AMPA receptors", AMPAConfig, "receptors.ampa", "sims/fast/receptors.py",
     "configs/receptors/"),
    ("NMDA receptors", NMDAConfig, "receptors.nmda", "sims/fast/receptors.py",
     "configs/receptors/"),
    ("Synaptic GABA-A receptors", GABAAConfig, "receptors.gaba_a", "sims/fast/receptors.py",
     "configs/receptors/"),
    ("Tonic (extrasynaptic) GABA-A activation", TonicConfig, "receptors.tonic",
     "sims/fast/receptors.py", "configs/receptors/"),
    ("GABA-A make-up per population", PopulationReceptorConfig, "receptors.populations.<pop>",
     "sims/fast/receptors.py", "configs/receptors/"),
    ("alpha4beta2delta polarity", Alpha4PolarityConfig, "receptors.alpha4_polarity",
     "sims/fast/receptors.py", "configs/receptors/"),
    ("Receptor pharmacology: one effect per species and receptor class", HillConfig,
     "pharmacology.species.<species>.<class>", "sims/fast/pharmacology.py",
     "configs/pharmacology/"),
    ("Receptor pharmacology: species", SpeciesConfig, "pharmacology.species.<species>",
     "sims/fast/pharmacology.py", "configs/pharmacology/"),
    ("Probes", ProbeConfig, "probe", "sims/fast/probe.py", "configs/sim/"),
    ("Sleep", SleepConfig, "sleep", "sims/fast/states.py", "configs/sleep/"),
    ("NREM values per population", SleepPopulationConfig, "sleep.nrem.<pop>",
     "sims/fast/states.py", "configs/sleep/"),
    ("UP/DOWN detection", UpDownConfig, "sleep.updown", "sims/fast/metrics.py",
     "configs/sleep/"),
    ("Steroid synthesis, partition and turnover", SteroidKineticsConfig, "steroids.kinetics",
     "sims/slow/steroids.py", "configs/steroids/"),
    ("The HPA axis", HPAConfig, "hpa", "sims/slow/hpa.py", "configs/hpa/"),
    ("Subunit homeostasis", HomeostasisConfig, "homeostasis", "sims/slow/homeostasis.py",
     "configs/homeostasis/"),
    ("Inflammation", InflammationConfig, "inflammation", "sims/slow/inflammation.py",
     "configs/inflammation/"),
    ("The stress-neurosteroid loop", StressLoopConfig, "stress_loop",
     "sims/slow/stress_loop.py", "configs/stress_loop/"),
    ("Chloride (KCC2)", ChlorideConfig, "chloride", "sims/slow/chloride.py",
     "configs/chloride/"),
    ("Scenarios: what every scenario has", ScenarioBase, "scenario",
     "sims/slow/scenarios.py", "configs/scenario/"),
    ("A laboratory stress test", StressTest, "scenario.stress_tests[i]",
     "sims/slow/scenarios.py", "configs/study/"),
    *((f"Scenario `{n}`: its own values", s, "scenario", "sims/slow/scenarios.py",
       f"configs/scenario/{n}.yaml") for n, s in SCENARIO_SCHEMAS.items() if s is not
      ScenarioBase and any(f != "name" for f in own_fields(s))),
    ("An acute stressor", StressPulse, "scenario.pulses[i]", "sims/slow/scenarios.py",
     "configs/scenario/acute_stress.yaml"),
    ("Treatments: what every treatment has", TreatmentBase, "treatment",
     "sims/slow/treatments.py", "configs/treatment/"),
    *((f"Treatment `{n}`", s, "treatment", "sims/slow/treatments.py",
       f"configs/treatment/{n}.yaml") for n, s in TREATMENT_SCHEMAS.items()
      if any(f != "name" for f in own_fields(s))),
)
#: Sections of polymorphic schemas (a scenario, a treatment) list only their own fields:
#: the shared ones are in their base's section.
_OWN_ONLY = tuple(s for n, s in (*SCENARIO_SCHEMAS.items(), *TREATMENT_SCHEMAS.items())
                  if s not in (ScenarioBase, TreatmentBase))

HEAD = """# Parameters

Parameters declared with their unit, range, meaning and source in the schema of their
layer (`sims.params.param`). Validation reads each range from there (a value outside it is
refused, naming the key, the value, the range with its unit and the meaning), and this page
is generated from the same declarations (`make parameters-page`; a test fails when the page
and the schemas differ). Sections not listed here yet declare their ranges by their unit
suffixes (`sims/configuration/rules.py`) and their section checks (`sims/configuration/sections.py`,
`sims/slow/checks.py`). A config group's files may set other values; each file gives its
values' basis. A scenario's or a treatment's section lists the values it declares itself;
the ones it shares are in the section of every scenario (treatment).

Tags in the sources, as in `docs/sources.md`: [V] checked, [R] recalled, [D] derived
by us from the data named, [assumption] our choice.

The column *network* says what a key is to the compiled network, as its schema declares
it: `compiled` (a change needs a new build), `runtime` (set per probe: one build serves
every value; a cohort may vary it per individual) or `unused` (the network never reads it;
the slow layer may).
"""


#: A real key for each placeholder of a section's prefix (to read the section's roles).
_PLACEHOLDERS = {"<pop>": "X", "<name>": "X", "<species>": "X", "<class>": "delta_tonic"}


def _role_of(prefix: str) -> Callable[[str], str]:
    """Field name -> its role under ``prefix`` (:func:`~sims.configuration.roles.key_class`)."""
    for placeholder, real in _PLACEHOLDERS.items():
        prefix = prefix.replace(placeholder, real)
    return lambda name: key_class(f"{prefix}.{name}")


def page() -> str:
    """The whole page, Markdown."""
    parts = [HEAD]
    for title, schema, prefix, module, group in SECTIONS:
        only = own_fields(schema) if schema in _OWN_ONLY else None
        parts.append(f"\n## {title} (`{prefix}.*`)\n\nCode: `{module}`; config group: "
                     f"`{group}`.\n\n" + markdown_table(schema, prefix, only,
                                                        _role_of(prefix)))
    return "".join(parts)


if __name__ == "__main__":
    print(page(), end="")
