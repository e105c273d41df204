"""Shared test configuration: a non-interactive matplotlib backend, closed figures, and the
hypothesis profile for mutation testing."""

import os

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# `make mutation` runs the tests many times in one process (mutmut forks from it), which
# hypothesis flags as differing executors; it also wants the same examples in every run, so that
# a mutant's fate does not depend on the draw.
settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.differing_executors],
)
settings.load_profile(os.environ.get("XENTBOOK_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
