"""Simulation models and clinical rules (numpy and pandas only; no plotting, no ipywidgets).

* ``balance``  -- immune balance ODE model: infection, effectors, regulation, self-damage.
* ``igg``      -- immunoglobulin G replacement pharmacokinetics (IVIG vs SCIG) and trough-risk curve.
* ``clinical`` -- educational clinical rules: ANC, immunoglobulin reference ranges, ALPS and CVID criteria.

Submodules are imported lazily so ``import widgets.models`` stays light.
See ``widgets/models/README.md`` (the model card) for equations, parameters, sources and limits.
"""
from importlib import import_module

_LAZY = {
    "simulate_scenario": "balance",
    "scenario_summary": "balance",
    "SCENARIOS": "balance",
    "SCENARIO_INFO": "balance",
    "igg_levels": "igg",
    "steady_state": "igg",
    "pneumonia_rate": "igg",
    "pk_defaults": "igg",
    "IMMUNOMODULATORY_REGIMENS": "igg",
    "anc_from_cbc": "clinical",
    "classify_anc": "clinical",
    "classify_immunoglobulin": "clinical",
    "check_alps_criteria": "clinical",
    "check_cvid_criteria": "clinical",
}

__all__ = sorted(_LAZY) + ["balance", "igg", "clinical"]


def __getattr__(name):
    if name in ("balance", "igg", "clinical"):
        return import_module(f"{__name__}.{name}")
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
