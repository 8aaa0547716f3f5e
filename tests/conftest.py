"""Shared test set-up."""

import matplotlib

# The test process never opens windows. (Do not set MPLBACKEND in os.environ: the lesson
# kernels started by nbval and papermill inherit it and would lose their inline figures.)
matplotlib.use("Agg")
