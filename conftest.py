"""Process-wide state that no test may change for the tests after it.

``mpmath.mp.dps`` and numpy's print options are global. A test that needs more digits uses
``mpmath.workdps`` and one that needs other print options uses ``np.printoptions``, both local.
A test under ``tests/`` that leaks either fails at teardown; a doctest that leaks is put back
silently, so the next test starts from the defaults either way. Figures a doctest leaves open
(the plotting examples draw and return an axes) are closed after it.
"""

import sys

import mpmath
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _no_leaked_global_state(request):
    dps, printoptions = mpmath.mp.dps, np.get_printoptions()
    yield
    leaked = [
        name
        for name, changed in (
            ("mpmath.mp.dps", mpmath.mp.dps != dps),
            ("numpy print options", np.get_printoptions() != printoptions),
        )
        if changed
    ]
    mpmath.mp.dps = dps
    np.set_printoptions(**printoptions)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if leaked and request.node.path.parent.name == "tests":
        pytest.fail(f"the test changed {' and '.join(leaked)} for every later test")
