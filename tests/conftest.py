"""Shared test set-up."""

import os

import matplotlib

# The test process never opens windows. (Do not set MPLBACKEND in os.environ: the lesson
# kernels started by nbval and papermill inherit it and would lose their inline figures.)
matplotlib.use("Agg")

# Two pytest workers each run a lesson kernel on a 2-core machine: one thread per kernel for
# OpenMP / BLAS, or their spinning threads fight over the cores and a lesson crawls.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# Lessons run unattended here: their Explore cells print one line instead of opening widgets,
# on which nbclient/papermill kernels can stall (see crm_lessons.widgets).
os.environ["CRM_LESSONS_STATIC_WIDGETS"] = "1"


def _refuse_unknown_days():
    """Fail any in-process test in which a NaN reaches pandas' float-to-time conversion.

    pandas 2.2 rounds uninitialised memory at NaN positions there (see
    ``crm_lessons.simulate._base.days_after``): whether it prints a RuntimeWarning depends on what the
    memory held, so a lesson's stderr differed between runs. Every lesson and simulator runs in-process
    in some test, so a new such call fails here instead of flaking in nbval.
    """
    import numpy as np
    import pandas.core.arrays.timedeltas as timedeltas
    import pandas.core.tools.datetimes as datetimes

    for module in (timedeltas, datetimes):
        original = getattr(module, "cast_from_unit_vectorized", None)
        if original is None:  # pandas 3 converts without uninitialised memory
            continue

        def guarded(values, *args, _original=original, **kwargs):
            if np.isnan(values).any():
                raise AssertionError("a NaN reached pandas' float-to-time conversion, which rounds uninitialised "
                                     "memory there (a RuntimeWarning on some runs): convert only the known values, "
                                     "e.g. with crm_lessons.simulate._base.days_after")
            return _original(values, *args, **kwargs)

        module.cast_from_unit_vectorized = guarded


_refuse_unknown_days()
