"""The user's own loss (CustomLoss): equal to the same loss written in torch, safe to type."""

import json
import subprocess
import sys
import time

import pytest
import torch
import torch.nn.functional as F

from explorer import losses
from explorer.errors import InputError
from explorer.losses.scene import LossScene

REDUCTIONS = ("mean", "sum", "none")


def _reduce(per_element, reduction):
    return {"mean": per_element.mean(), "sum": per_element.sum(), "none": per_element}[reduction]


def _hinge_squared(z, y, reduction):
    return _reduce(torch.where(y * z < 1, (1 - y * z) ** 2, torch.zeros_like(z)), reduction)


# formula -> the same loss written in torch (a torch.nn.functional loss where there is one)
TWINS = {
    "(z - y)**2": lambda z, y, r: F.mse_loss(z, y, reduction=r),
    "abs(z - y)": lambda z, y, r: F.l1_loss(z, y, reduction=r),
    "softplus(-y*z)": lambda z, y, r: F.soft_margin_loss(z, y, reduction=r),
    "where(y*z < 1, (1 - y*z)**2, 0)": _hinge_squared,
    "abs(z - y)**1.5": lambda z, y, r: _reduce(torch.abs(z - y) ** 1.5, r),
    "relu(1 - y*z)": lambda z, y, r: _reduce(torch.clamp(1 - y * z, min=0), r),
    "max(z, 0) - z*y + log1p(exp(-abs(z)))": lambda z, y, r: F.binary_cross_entropy_with_logits(
        z, y, reduction=r),
}


def _inputs(formula, seed=4):
    inputs = losses.example("CustomLoss", seed=seed, dims={"N": 4, "D": 3})
    if "y*z" in formula:  # a margin loss: targets ±1
        inputs["target"] = torch.where(inputs["target"] > 0, 1.0, -1.0)
    if "log1p" in formula:  # a logistic loss: targets 0/1
        inputs["target"] = (inputs["target"] > 0).float()
    return inputs


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("formula", list(TWINS))
def test_own_loss_equals_the_torch_loss(formula, reduction):
    inputs = _inputs(formula)
    got = losses.evaluate("CustomLoss", inputs, reduction, {"expression": formula})
    z = inputs["input"].clone().requires_grad_(True)
    want = TWINS[formula](z, inputs["target"], reduction)
    want.sum().backward()
    torch.testing.assert_close(got.value, want.detach(), rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(got.grads["input"], z.grad, rtol=1e-6, atol=1e-7)
    assert set(got.grads) == {"input"} and got.warnings == []


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_the_default_is_mse_exactly(reduction):
    inputs = losses.example("MSELoss", seed=2)
    own_result = losses.evaluate("CustomLoss", inputs, reduction)
    mse = losses.evaluate("MSELoss", inputs, reduction)
    assert losses.spec("CustomLoss").option("expression").default == "(z - y)**2"
    assert torch.equal(own_result.value, mse.value)
    assert torch.equal(own_result.grads["input"], mse.grads["input"])


def test_float64_and_spec():
    spec = losses.spec("CustomLoss")
    assert spec.family == "your own" and spec.family in losses.FAMILIES
    assert [s.name for s in spec.inputs] == ["input", "target"]
    assert spec.dims == losses.spec("MSELoss").dims and spec.reductions == REDUCTIONS
    inputs = {k: v.double() for k, v in losses.example("CustomLoss", seed=1).items()}
    result = losses.evaluate("CustomLoss", inputs, "sum", {"expression": "sigmoid(z) * y"})
    assert result.value.dtype == torch.float64
    assert losses.compatible("CustomLoss", "MSELoss")


@pytest.mark.parametrize("text", ["foo(z)", "z.real", "", "z +", 3.0, "y**z"])
def test_a_bad_expression_is_an_input_error_at_the_field(text):
    with pytest.raises(InputError) as caught:
        losses.evaluate("CustomLoss", losses.example("CustomLoss"), "mean", {"expression": text})
    assert caught.value.field == "expression"


# --- hostile texts -----------------------------------------------------------------------------
HOSTILE = {
    "attribute": "z.__class__",
    "dunder name": "__builtins__",
    "dunder call": "__import__('os')",
    "dunder method": "__import__('os').system('echo owned')",
    "class escape": "().__class__.__bases__[0].__subclasses__()",
    "open": "open('x')",
    "eval": "eval('1')",
    "lambda": "(lambda: z)()",
    "comprehension": "[z for z in y]",
    "generator": "sum(z for z in y)",
    "subscript": "z[0]",
    "string": "'a' * 10**9",
    "huge power": "9**9**9**9",
    "huge power of z": "z**99999",
    "huge number": "z * 1e400",
    "walrus": "(a := z)",
    "keyword": "clamp(z, min=0, max=1)",
    "starred": "max(*z)",
    "if-else": "z if y else 0",
    "boolean": "z and y",
    "deep brackets": "(" * 10_000 + "z" + ")" * 10_000,
    "deep brackets, short": "(" * 100 + "z" + ")" * 100,
    "deep calls": "abs(" * 60 + "z" + ")" * 60,
    "deep unary": "-" * 400 + "z",
    "deep powers": "z" + "**1" * 120,
    "many parts": "*".join(["z"] * 250),
    "long sum": " + ".join(["z"] * 5000),
    "a million characters": "z" + " + z" * 250_000,
    "statement": "import os",
    "two lines": "z\nimport os",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_expressions_are_refused_fast(text):
    example = losses.example("CustomLoss")
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        losses.evaluate("CustomLoss", example, "mean", {"expression": text})
    elapsed = time.perf_counter() - start
    assert caught.value.field == "expression"
    assert elapsed < 2.0, f"took {elapsed:.3f} s"  # refused, not run: a bound, not a speed
    with pytest.raises(InputError):
        LossScene(loss="CustomLoss", options={"expression": text}).validate()


def test_a_comment_is_refused_so_it_never_reaches_the_code_or_the_formula():
    text = 'z - y  # """ + __import__("os").system("echo owned") + """'
    with pytest.raises(InputError, match="column 8: a # .* is not allowed") as caught:
        losses.evaluate("CustomLoss", losses.example("CustomLoss"), "mean",
                        {"expression": text})
    assert caught.value.field == "expression"


# --- curve, compare chart, composite, pitfalls, formula ----------------------------------------
def test_curve_and_marker_of_the_formula():
    formula = {"expression": "where(y*z < 1, (1 - y*z)**2, 0)"}
    assert "CustomLoss" in losses.curve_names()
    curve = losses.curve("CustomLoss", 1.0, formula, -2.0, 2.0, 5)
    assert curve.loss.tolist() == [9.0, 4.0, 1.0, 0.0, 0.0]
    assert curve.grad.tolist() == [-6.0, -4.0, -2.0, 0.0, 0.0]
    point = losses.marker("CustomLoss", 0.5, 1.0, {"expression": "abs(z - y)**1.5"})
    assert point.value == pytest.approx(0.5 ** 1.5)
    assert point.slope == pytest.approx(-1.5 * 0.5 ** 0.5)
    with pytest.raises(InputError):
        losses.curve("CustomLoss", 1.0, {"expression": "foo(z)"})


def test_compare_chart_draws_the_formula_on_the_margin_axis():
    square, mine = losses.compare_curves(("square", "your loss"), n=41,
                                         expression="(1 - y*z)**2")
    assert mine.name == "your loss" and torch.allclose(mine.loss, square.loss)
    hinge, mine = losses.compare_curves(("hinge", "your loss"), n=41, expression="relu(1 - y*z)")
    assert torch.allclose(mine.loss, hinge.loss)
    with pytest.raises(InputError):
        losses.compare_curves(("your loss",), expression="z.x")


def test_composite_term_takes_its_formula_from_its_options():
    inputs = losses.example("MSELoss", seed=3)
    terms = [{"loss": "CustomLoss", "weight": 0.5, "options": {"expression": "abs(z - y)"}},
             {"loss": "MSELoss", "weight": 2.0},
             {"loss": "CustomLoss", "weight": 1.0}]
    result = losses.evaluate("Composite", inputs, "mean", {"terms": terms})
    want = (0.5 * F.l1_loss(inputs["input"], inputs["target"])
            + 3.0 * F.mse_loss(inputs["input"], inputs["target"]))
    torch.testing.assert_close(result.value, want)
    assert [t.loss for t in result.terms] == ["CustomLoss", "MSELoss", "CustomLoss"]
    assert "def custom_loss(z, y)" in result.code and "def custom_loss_2(z, y)" in result.code
    bad = [{"loss": "CustomLoss", "weight": 1.0, "options": {"expression": "open('x')"}}]
    with pytest.raises(InputError) as caught:
        losses.evaluate("Composite", inputs, "mean", {"terms": bad})
    assert caught.value.field == "expression"


def test_pitfalls_name_the_entry():
    inputs = {"input": torch.tensor([[0.5, -2.0, 1.0]]), "target": torch.tensor([[1.0, 0.0, 1.0]])}
    result = losses.evaluate("CustomLoss", inputs, "mean", {"expression": "log(z)"})
    assert result.value.isnan()
    assert [p.code for p in result.pitfalls] == ["own-not-finite"]
    assert "input[0, 1]" in result.warnings[0] and "z = -2" in result.warnings[0]
    slope = losses.evaluate("CustomLoss", inputs, "sum", {"expression": "sqrt(abs(z - y))"})
    assert [p.code for p in slope.pitfalls] == ["own-slope-not-finite"]
    assert "input[0, 2]" in slope.warnings[0]
    flat = losses.evaluate("CustomLoss", inputs, "mean", {"expression": "y**2"})
    assert [p.code for p in flat.pitfalls] == ["own-no-z"]
    assert flat.grads["input"].eq(0).all()


def test_formula_is_latex_of_the_typed_formula():
    assert losses.formula("MSELoss") == losses.spec("MSELoss").formula
    assert losses.formula("CustomLoss") == r"L(z, y) = \left(z - y\right)^{2}"
    latex = losses.formula("CustomLoss", {"expression": "where(y*z < 1, (1 - y*z)**2, 0)"})
    assert r"\begin{cases}" in latex and r"y \cdot z < 1" in latex


# --- the code twin ------------------------------------------------------------------------------
def test_code_twin_prints_the_pages_value(tmp_path):
    cases = []
    for formula in ("where(y*z < 1, (1 - y*z)**2, 0)", "abs(z - y)**1.5", "softplus(-y*z)",
                    "clamp(z, -1, 1) * y + min(z, 0.5) / 3", "y**2"):
        for reduction in REDUCTIONS:
            cases.append(losses.evaluate("CustomLoss", _inputs(formula), reduction,
                                         {"expression": formula}))
    for i, result in enumerate(cases):
        (tmp_path / f"case_{i:02d}.py").write_text(result.code)
    runner = (
        "import contextlib, io, json, pathlib, runpy, sys\n"
        "out = {}\n"
        "for path in sorted(pathlib.Path(sys.argv[1]).glob('case_*.py')):\n"
        "    buffer = io.StringIO()\n"
        "    with contextlib.redirect_stdout(buffer):\n"
        "        names = runpy.run_path(str(path), run_name='__main__')\n"
        "    grad = names['input'].grad\n"
        "    out[path.stem] = [buffer.getvalue(), None if grad is None else grad.tolist()]\n"
        "print(json.dumps(out))\n")
    (tmp_path / "runner.py").write_text(runner)
    done = subprocess.run([sys.executable, str(tmp_path / "runner.py"), str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout)
    for i, result in enumerate(cases):
        stdout, grad = printed[f"case_{i:02d}"]
        assert stdout == result.output + "\n", result.code
        if grad is not None:
            assert torch.equal(torch.tensor(grad), result.grads["input"]), result.code
    assert "def custom_loss(z, y):" in cases[0].code
    assert "torch.where(y * z < 1, (1 - y * z) ** 2, 0)" in cases[0].code
    assert "output = custom_loss(input, target).mean()" in cases[0].code


# --- the scene ------------------------------------------------------------------------------------
def test_scene_keeps_the_formula_and_refuses_a_bad_one():
    scene = LossScene(loss="CustomLoss", options={"expression": "abs(z - y)**1.5"},
                      compare=("hinge", "your loss"))
    again = LossScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again == scene and again.options["expression"] == "abs(z - y)**1.5"
    with pytest.raises(InputError) as caught:
        LossScene.from_dict({**scene.to_dict(), "options": {"expression": "__import__('os')"}})
    assert caught.value.field == "expression"


@pytest.mark.gpu
def test_own_loss_on_the_gpu_equals_the_cpu(gpu_device):
    formula = {"expression": "where(y*z < 1, (1 - y*z)**2, 0) + clamp(z, -1, 1) * min(y, 0.5)"}
    inputs = _inputs("y*z")
    cpu = losses.evaluate("CustomLoss", inputs, "mean", formula)
    gpu = losses.evaluate("CustomLoss", inputs, "mean", formula, device=gpu_device)
    assert gpu.value.device.type == "cuda" and "device=device" in gpu.code
    torch.testing.assert_close(gpu.value.cpu(), cpu.value)
    torch.testing.assert_close(gpu.grads["input"].cpu(), cpu.grads["input"])
    namespace = {}
    exec(compile(gpu.code.replace("print(", "str("), "twin", "exec"), namespace)  # noqa: S102
    torch.testing.assert_close(namespace["output"].detach().cpu(), cpu.value)
