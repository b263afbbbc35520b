"""Shared test set-up: Qt renders offscreen, GPU tests skip where there is no GPU."""

import os

# Must happen before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import explorer  # noqa: E402,F401  (before NumPy loads, as main.py: how it asks for memory)

# isort: split
import pytest  # noqa: E402
import torch  # noqa: E402

# As the program does (main.py): the tensors here are tiny, threads only add contention.
torch.set_num_threads(1)


def pytest_addoption(parser):
    # Here, not in tests/ui/conftest.py: options must be known before the tests are collected.
    parser.addoption("--leaks-fail-everywhere", action="store_true", default=False,
                     help="every UI test fails on a leak, not only those in "
                          "tests/ui/conftest.py's LEAK_CHECKED_FOLDERS")


def pytest_collection_modifyitems(config, items):
    if not any(item.get_closest_marker("gpu") for item in items):
        return
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="torch sees no CUDA device here")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)


@pytest.fixture
def gpu_device():
    """The first CUDA device (only used by tests marked ``gpu``)."""
    return torch.device("cuda", 0)
