"""Every loss's code snippet, run as a standalone script, prints exactly ``.output``.

All snippets run in ONE subprocess (runpy, stdout captured per snippet), which
keeps this fast; each also leaves its tensors behind, so the gradients the
snippet's ``backward()`` produces are compared with ``.grads`` too.
"""

import json
import subprocess
import sys
import textwrap

import pytest
import torch

from explorer import losses

RUNNER = textwrap.dedent("""
    import contextlib, io, json, pathlib, runpy, sys, warnings
    import torch
    torch.set_num_threads(1)  # tiny tensors: threads only add contention on a shared machine
    warnings.simplefilter("ignore")
    results = {}
    for path in sorted(pathlib.Path(sys.argv[1]).glob("case_*.py")):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            names = runpy.run_path(str(path), run_name="__main__")
        grads = {key: value.grad.cpu().tolist() for key, value in names.items()
                 if isinstance(value, torch.Tensor) and value.grad is not None}
        results[path.stem] = {"stdout": buffer.getvalue(), "grads": grads}
    print(json.dumps(results))
""")

COMPOSITE = {"terms": [{"loss": "MSELoss", "weight": 1.0},
                       {"loss": "HuberLoss", "weight": 0.25, "options": {"delta": 0.5}},
                       {"loss": "DiceLoss", "weight": 2.0}]}
FOCAL_CE = {"terms": [{"loss": "CrossEntropyLoss", "weight": 0.5,
                       "options": {"label_smoothing": 0.1}},
                      {"loss": "FocalLoss", "weight": 1.5,
                       "options": {"gamma": 1.0, "weight": [1.0, 2.0, 0.5, 1.0, 1.0]}}]}


def _cases():
    cases = []
    for name in losses.names():
        loss = losses.spec(name)
        cases.append((name, losses.example(name), loss.default_reduction, None))
        for reduction in loss.reductions:
            cases.append((name, losses.example(name, seed=3), reduction, None))
    cases += [
        ("NLLLoss", losses.example("NLLLoss"), "mean",
         {"weight": [0.5, 1.0, 2.0, 1.0, 1.0], "ignore_index": 0}),
        ("BCEWithLogitsLoss", losses.example("BCEWithLogitsLoss", seed=1), "sum",
         {"pos_weight": [2.0, 1.0, 0.5, 1.0, 3.0]}),
        ("TripletMarginLoss", losses.example("TripletMarginLoss", seed=1), "mean",
         {"margin": 0.5, "p": 1.0, "swap": True}),
        ("KLDivLoss", {k: v.double() for k, v in losses.example("KLDivLoss", seed=2).items()},
         "batchmean", None),
        ("Composite", losses.example("MSELoss", seed=2).__or__(
            {"target": (losses.example("MSELoss", seed=2)["target"] > 0).float()}),
         "mean", COMPOSITE),
        ("Composite", losses.example("CrossEntropyLoss", seed=2), "none", FOCAL_CE),
    ]
    return cases + TRANSFORM_CASES


# The transform step as the slides write it: m = nn.LogSoftmax(dim=1); loss_fn(m(input), target).
TRANSFORM_CASES = [
    ("NLLLoss", losses.example("NLLLoss"), "mean", None, "log_softmax"),  # the slide itself
    ("NLLLoss", losses.example("NLLLoss", seed=3), "none", None, "log_softmax"),
    ("KLDivLoss", losses.example("KLDivLoss", seed=1), "batchmean", None, "log_softmax"),
    ("MSELoss", losses.example("MSELoss", seed=1), "sum", None, "softmax"),
    ("BCELoss", losses.example("BCEWithLogitsLoss", seed=1), "mean", None, "sigmoid"),
    ("FocalLoss", losses.example("FocalLoss", seed=1), "mean", {"gamma": 2.0}, "softmax"),
    ("CustomLoss", losses.example("CustomLoss", seed=1), "mean", None, "sigmoid"),
]


def _run_all(tmp_path, cases, device=None):
    results = []
    for i, (name, inputs, reduction, options, *transform) in enumerate(cases):
        result = losses.evaluate(name, inputs, reduction, options, device=device,
                                 transform=transform[0] if transform else None)
        (tmp_path / f"case_{i:03d}.py").write_text(result.code)
        results.append(result)
    (tmp_path / "runner.py").write_text(RUNNER)
    done = subprocess.run([sys.executable, str(tmp_path / "runner.py"), str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return results, json.loads(done.stdout)


def _compare(results, printed):
    for i, result in enumerate(results):
        got = printed[f"case_{i:03d}"]
        assert got["stdout"] == result.output + "\n", result.code
        for key, grad in result.grads.items():
            torch.testing.assert_close(torch.tensor(got["grads"][key], dtype=grad.dtype),
                                       grad.cpu(), rtol=0, atol=0)


def test_every_snippet_prints_its_output_and_gives_the_same_grads(tmp_path):
    cases = _cases()
    results, printed = _run_all(tmp_path, cases)
    assert len(printed) == len(cases)
    _compare(results, printed)


def test_snippet_reads_like_the_slides():
    result = losses.evaluate("L1Loss", losses.example("L1Loss"))
    code = result.code
    assert code.startswith("import torch\nimport torch.nn as nn\n")
    assert "requires_grad=True" in code and "nn.L1Loss()" in code
    assert "output.backward()" in code and "print('output: ', output)" in code
    assert result.output == "output:  tensor(1.2850, grad_fn=<MeanBackward0>)"
    kl = losses.evaluate("KLDivLoss", losses.example("KLDivLoss", seed=0), "batchmean").code
    assert "nn.KLDivLoss(reduction='batchmean')" in kl
    none = losses.evaluate("MSELoss", losses.example("MSELoss"), "none").code
    assert "output.sum().backward()" in none
    focal = losses.evaluate("FocalLoss", losses.example("FocalLoss"), options={"gamma": 1.0})
    assert "def focal_loss(" in focal.code and "gamma=1.0" in focal.code


def test_long_targets_are_written_as_long():
    inputs = {**losses.example("NLLLoss", seed=3), "target": torch.tensor([1, 0, 4])}
    code = losses.evaluate("NLLLoss", inputs).code
    assert "target = torch.tensor([1, 0, 4], dtype=torch.long)" in code


def test_the_slides_tensors_are_written_as_the_slide_wrote_them():
    nll = losses.evaluate("NLLLoss", losses.example("NLLLoss"), transform="log_softmax").code
    assert ("torch.manual_seed(85924)" in nll
            and "input = torch.randn(3, 5, requires_grad=True)\n"
                "target = torch.tensor([1, 0, 4])\n" in nll)
    ce = losses.evaluate("CrossEntropyLoss", losses.example("CrossEntropyLoss")).code
    assert "target = torch.empty(3, dtype=torch.long).random_(5)" in ce
    ranking = losses.evaluate("MarginRankingLoss", losses.example("MarginRankingLoss")).code
    assert "input2 = torch.randn(3, requires_grad=True)" in ranking
    assert "target = torch.randn(3).sign()" in ranking
    edited = losses.example("NLLLoss")
    edited["input"][0, 0] += 1  # one cell typed: the tensors are no longer the slide's
    code = losses.evaluate("NLLLoss", edited, transform="log_softmax").code
    assert "manual_seed" not in code and "input = torch.tensor([[" in code
    as_double = {k: v.double() if v.is_floating_point() else v
                 for k, v in losses.example("L1Loss").items()}
    assert "manual_seed" not in losses.evaluate("L1Loss", as_double).code


@pytest.mark.gpu
def test_gpu_snippets_print_their_output(tmp_path, gpu_device):
    cases = [(name, losses.example(name, seed=3), losses.spec(name).default_reduction, None)
             for name in ("L1Loss", "CrossEntropyLoss", "FocalLoss", "KLDivLoss")]
    results, printed = _run_all(tmp_path, cases, device=gpu_device)
    assert "device='cuda:0'" in results[0].output
    _compare(results, printed)


def test_the_transform_reads_like_the_slide():
    result = losses.evaluate("NLLLoss", losses.example("NLLLoss"), transform="log_softmax")
    code = result.code
    assert "m = nn.LogSoftmax(dim=1)\nloss_fn = nn.NLLLoss()\n" in code
    assert "output = loss_fn(m(input), target)" in code
    assert result.output == "output:  tensor(2.9472, grad_fn=<NllLossBackward0>)"
    focal = losses.evaluate("FocalLoss", losses.example("FocalLoss"), transform="softmax").code
    assert "m = nn.Softmax(dim=1)" in focal and "focal_loss(m(input), target" in focal
    own = losses.evaluate("CustomLoss", losses.example("CustomLoss"), transform="sigmoid").code
    assert "m = nn.Sigmoid()" in own and "m(input)" in own
