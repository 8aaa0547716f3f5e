"""Shared test fixtures."""

import os

import matplotlib

matplotlib.use("Agg")  # tests never open windows
os.environ.setdefault("MPLBACKEND", "Agg")
