import pytest
import torch

from explorer import devices
from explorer.errors import InputError


def test_cpu_is_always_available():
    assert devices.available()[0] == "cpu"
    assert devices.resolve(None) == torch.device("cpu")
    assert devices.choose("cpu").message == ""


def test_unknown_device_is_an_input_error():
    with pytest.raises(InputError, match="not a device"):
        devices.resolve("banana")


def test_unusable_device_falls_back_to_cpu_with_a_message():
    missing = "cuda:7" if torch.cuda.device_count() < 8 else "mps"
    choice = devices.choose(missing)
    assert choice.device == torch.device("cpu")
    assert "CPU" in choice.message


@pytest.mark.gpu
def test_cuda_is_chosen_when_present():
    choice = devices.choose("cuda")
    assert choice.device.type == "cuda" and choice.message == ""
