import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("STELIB_PROGRESS", "0")
