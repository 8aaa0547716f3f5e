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
