"""The registered losses: one :class:`LossSpec` per loss, in the order the UI lists them.

The slides' seven come first. Formulas are LaTeX source for one sample
(``\\ell_n``); ``reduction`` then takes the mean or the sum over samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from explorer.losses import own
from explorer.losses.specs import InputSpec, LossSpec, OptionSpec

CLASS_INDICES, CLASS_PROBABILITIES = "class indices", "class probabilities"
TARGET_KINDS = (CLASS_INDICES, CLASS_PROBABILITIES)
"""CrossEntropyLoss's two kinds of target (its option ``target_kind``)."""
DISTANCES = ("pairwise", "cosine")
"""TripletMarginWithDistanceLoss's distances (its option ``distance``)."""

_N = (3, 1, 64)
_C = (5, 2, 32)
_D = (5, 1, 64)


def _real(name, shape=("N", "D"), grad=True, text="predictions, one row per sample"):
    return InputSpec(name, shape, "real", "float", grad, text)


def _target(shape=("N", "D"), kind="real", text="the true values"):
    dtype = "long" if kind in ("class_index", "label_list") else "float"
    return InputSpec("target", shape, kind, dtype, False, text)


def _classes(text="the true class of each sample, 0 ≤ y < C"):
    return _target(("N",), "class_index", text)


def _margin(default, text="the margin", lo=None, hi=None):
    return OptionSpec("margin", "float", default, lo, hi, text)


def _weight(dim="C", text="a rescaling weight for each class (empty = all 1)"):
    return OptionSpec("weight", "vector", None, 0.0, None, text, dim=dim)


_IGNORE = OptionSpec("ignore_index", "int", -100, None, None,
                     "a target value that is skipped (adds nothing to the loss or the mean)")
_FULL = OptionSpec("full", "bool", False, None, None, "add the constant term of the likelihood")
_ND = {"N": _N, "D": _D}
_NC = {"N": _N, "C": _C}


def _regression():
    return [
        LossSpec(
            "L1Loss", "Mean absolute error (L1)", "regression",
            r"\ell_n = \lvert x_n - y_n \rvert",
            "Regression where outliers should not dominate.",
            "The absolute difference between prediction and target. Its gradient has the same "
            "size for every error, so a few far-off points do not take over training.",
            (_real("input"), _target()), _ND, slide=True),
        LossSpec(
            "MSELoss", "Mean squared error (MSE)", "regression",
            r"\ell_n = (x_n - y_n)^2",
            "Regression; PyTorch's default choice.",
            "The squared difference between prediction and target. Large errors are punished "
            "much more than small ones, and the gradient shrinks as the error does.",
            (_real("input"), _target()), _ND, slide=True),
        LossSpec(
            "SmoothL1Loss", "Smooth L1", "regression",
            r"\ell_n = \begin{cases} 0.5 (x_n - y_n)^2 / \beta & \lvert x_n - y_n \rvert < \beta"
            r" \\ \lvert x_n - y_n \rvert - 0.5 \beta & \text{otherwise} \end{cases}",
            "Regression with outliers, e.g. bounding boxes.",
            "Squared error for small errors and absolute error for large ones, so it is smooth "
            "near zero but robust far away. beta sets where the switch happens.",
            (_real("input"), _target()), _ND,
            (OptionSpec("beta", "float", 1.0, 0.0, None, "where squared turns into absolute"),)),
        LossSpec(
            "HuberLoss", "Huber", "regression",
            r"\ell_n = \begin{cases} 0.5 (x_n - y_n)^2 & \lvert x_n - y_n \rvert < \delta"
            r" \\ \delta (\lvert x_n - y_n \rvert - 0.5 \delta) & \text{otherwise} \end{cases}",
            "Regression with outliers; like Smooth L1 scaled by delta.",
            "Squared error near zero, absolute error beyond delta. It equals Smooth L1 times "
            "delta when beta = delta.",
            (_real("input"), _target()), _ND,
            (OptionSpec("delta", "float", 1.0, 1e-12, None, "where squared turns into absolute"),)),
        LossSpec(
            "PoissonNLLLoss", "Poisson negative log-likelihood", "regression",
            r"\ell_n = e^{x_n} - y_n x_n \quad \text{(input = log rate)}",
            "Counts: events per interval, clicks, photons.",
            "The negative log-likelihood of a Poisson distribution whose rate the model "
            "predicts. With log_input the prediction is the log of the rate.",
            (_real("input", text="predicted log-rate (or rate if log_input is off)"),
             _target(kind="count", text="observed counts, ≥ 0")), _ND,
            (OptionSpec("log_input", "bool", True, None, None, "input is the log of the rate"),
             _FULL,
             OptionSpec("eps", "float", 1e-8, 0.0, None, "keeps log(rate) finite")), ),
        LossSpec(
            "GaussianNLLLoss", "Gaussian negative log-likelihood", "regression",
            r"\ell_n = \tfrac12 \left(\log \max(\sigma^2_n, \epsilon)"
            r" + \frac{(x_n - y_n)^2}{\max(\sigma^2_n, \epsilon)}\right)",
            "Regression that also predicts its own uncertainty.",
            "The model predicts a mean and a variance; errors where it claims to be sure cost "
            "more. The variance gets a gradient too.",
            (_real("input", text="predicted means"), _target(),
             InputSpec("var", ("N", "D"), "positive", "float", True, "predicted variances, ≥ 0")),
            _ND,
            (_FULL, OptionSpec("eps", "float", 1e-6, 0.0, None, "smallest variance used"))),
    ]


def _classification():
    return [
        LossSpec(
            "NLLLoss", "Negative log-likelihood", "classification",
            r"\ell_n = -w_{y_n} x_{n, y_n}",
            "Multi-class classification after LogSoftmax.",
            "Picks the log-probability of the true class and negates it. The input must already "
            "be log-probabilities: apply LogSoftmax first (CrossEntropyLoss does both).",
            (InputSpec("input", ("N", "C"), "log_probability", "float", True,
                       "log-probabilities, one row per sample"), _classes()),
            _NC, (_weight(), _IGNORE), slide=True),
        LossSpec(
            "CrossEntropyLoss", "Cross-entropy", "classification",
            r"\ell_n = -w_{y_n} \log \frac{e^{x_{n, y_n}}}{\sum_c e^{x_{n, c}}}",
            "Multi-class classification; the default classification loss.",
            "Softmax turns the raw scores (logits) into probabilities, and the loss is minus "
            "the log-probability of the true class. Pass logits, not probabilities.",
            (_real("input", ("N", "C"), text="logits (raw scores), one row per sample"),
             _classes()),
            _NC,
            (_weight(), _IGNORE,
             OptionSpec("label_smoothing", "float", 0.0, 0.0, 1.0,
                        "share of the target spread evenly over all classes"),
             OptionSpec("target_kind", "choice", CLASS_INDICES, description=(
                 "what target holds: one class index per sample, or a probability per "
                 "class (rows sum to 1)"), choices=TARGET_KINDS)),
            slide=True),
        LossSpec(
            "BCELoss", "Binary cross-entropy", "classification",
            r"\ell_n = -w_n \left[ y_n \log x_n + (1 - y_n) \log (1 - x_n) \right]",
            "Yes/no (or multi-label) targets with probabilities as input.",
            "Cross-entropy for one or more independent yes/no questions. The input must be "
            "probabilities in [0, 1], usually the output of a Sigmoid.",
            (InputSpec("input", ("N", "D"), "probability", "float", True,
                       "predicted probabilities in [0, 1]"),
             _target(kind="binary", text="true labels, 0 or 1")),
            _ND, (_weight("D", "a rescaling weight for each column (empty = all 1)"),)),
        LossSpec(
            "BCEWithLogitsLoss", "Binary cross-entropy with logits", "classification",
            r"\ell_n = -w_n \left[ p\, y_n \log \sigma(x_n) + (1 - y_n) \log (1 - \sigma(x_n))"
            r" \right]",
            "Yes/no (or multi-label) targets; numerically safer than Sigmoid + BCELoss.",
            "Applies the Sigmoid inside the loss, in a numerically stable way. pos_weight "
            "makes positive examples count more, a common fix for class imbalance.",
            (_real("input", text="logits, one row per sample"),
             _target(kind="binary", text="true labels, 0 or 1")),
            _ND,
            (_weight("D", "a rescaling weight for each column (empty = all 1)"),
             OptionSpec("pos_weight", "vector", None, 0.0, None,
                        "weight of positive examples per column (empty = all 1)", dim="D"))),
        LossSpec(
            "SoftMarginLoss", "Soft margin", "classification",
            r"\ell_n = \log\left(1 + e^{-y_n x_n}\right)",
            "Two-class classification with targets ±1 (the logistic loss).",
            "The logistic loss of the margin y·x: small when prediction and target agree in "
            "sign by a wide margin, growing linearly when they disagree.",
            (_real("input"), _target(kind="sign", text="true labels, -1 or 1")), _ND),
        LossSpec(
            "MultiMarginLoss", "Multi-class hinge (margin)", "classification",
            r"\ell_n = \frac{1}{C} \sum_{c \ne y_n} \max(0, \text{margin} - x_{n, y_n}"
            r" + x_{n, c})^p",
            "Multi-class classification, SVM style.",
            "Each wrong class whose score comes within the margin of the true class's score "
            "adds to the loss; classes far enough below add nothing.",
            (_real("input", ("N", "C"), text="scores, one row per sample"), _classes()),
            _NC,
            (OptionSpec("p", "int", 1, 1, 2, "1 for the hinge, 2 for the squared hinge"),
             _margin(1.0), _weight())),
        LossSpec(
            "MultiLabelSoftMarginLoss", "Multi-label soft margin", "classification",
            r"\ell_n = -\frac{1}{C} \sum_c w_c \left[ y_{n,c} \log \sigma(x_{n,c})"
            r" + (1 - y_{n,c}) \log (1 - \sigma(x_{n,c})) \right]",
            "Several true classes per sample (tags), each a yes/no question.",
            "One logistic (sigmoid cross-entropy) term per class, averaged over the C classes "
            "of each sample: a target row marks every class that applies with 1. It is "
            "BCEWithLogitsLoss with the mean taken over classes first, then over samples; "
            "weight scales each class's term.",
            (_real("input", ("N", "C"), text="logits, one row of class scores per sample"),
             _target(("N", "C"), "binary", "1 for every class that applies, else 0")),
            _NC, (_weight(),)),
        LossSpec(
            "MultiLabelMarginLoss", "Multi-label hinge (margin)", "classification",
            r"\ell_n = \sum_{j \in y_n} \sum_{i \notin y_n}"
            r" \frac{\max(0, 1 - (x_{n, j} - x_{n, i}))}{C}",
            "Several true classes per sample, SVM style.",
            "Every true class should score at least 1 above every other class. Each target "
            "row lists the true classes first and ends the list with -1.",
            (_real("input", ("N", "C"), text="scores, one row per sample"),
             _target(("N", "C"), "label_list",
                     "true classes of each row, then -1 (the rest is ignored)")),
            _NC),
    ]


def _ranking():
    sign = _target(("N",), "sign", "1 if the pair should be similar / ranked first, else -1")
    return [
        LossSpec(
            "HingeEmbeddingLoss", "Hinge embedding", "ranking/embedding",
            r"\ell_n = \begin{cases} x_n & y_n = 1 \\ \max(0, \Delta - x_n) & y_n = -1"
            r" \end{cases}",
            "Learning whether two inputs are similar, from a distance between them.",
            "The input is usually a distance between two embeddings. Similar pairs (y = 1) are "
            "pulled together; dissimilar pairs (y = -1) are pushed at least Δ apart.",
            (_real("input", text="distances (or scores), one row per sample"),
             _target(kind="sign", text="1 (similar) or -1 (dissimilar)")),
            _ND, (_margin(1.0, "Δ: how far apart dissimilar pairs must be"),), slide=True),
        LossSpec(
            "MarginRankingLoss", "Margin ranking", "ranking/embedding",
            r"\ell_n = \max(0, -y_n (x_{1,n} - x_{2,n}) + \text{margin})",
            "Ranking: which of two items should score higher.",
            "For y = 1 the first input should score higher than the second, for y = -1 lower, "
            "by at least the margin.",
            (_real("input1", ("N",), text="scores of the first items"),
             _real("input2", ("N",), text="scores of the second items"), sign),
            {"N": _N}, (_margin(0.0),), slide=True),
        LossSpec(
            "CosineEmbeddingLoss", "Cosine embedding", "ranking/embedding",
            r"\ell_n = \begin{cases} 1 - \cos(x_{1,n}, x_{2,n}) & y_n = 1"
            r" \\ \max(0, \cos(x_{1,n}, x_{2,n}) - \text{margin}) & y_n = -1 \end{cases}",
            "Learning embeddings whose directions say whether two things are alike.",
            "Similar pairs should point the same way; dissimilar pairs should have a cosine "
            "below the margin.",
            (_real("input1", text="first embeddings, one row per pair"),
             _real("input2", text="second embeddings, one row per pair"), sign),
            _ND, (_margin(0.0, "largest cosine allowed for dissimilar pairs", -1.0, 1.0),)),
        LossSpec(
            "TripletMarginLoss", "Triplet margin", "ranking/embedding",
            r"\ell_n = \max(0, d(a_n, p_n) - d(a_n, n_n) + \text{margin})",
            "Face recognition, retrieval: same-class embeddings closer than others.",
            "The anchor should be closer to the positive example than to the negative one, "
            "by at least the margin; d is the p-norm distance.",
            (_real("anchor", text="anchor embeddings"),
             _real("positive", text="embeddings of the same identity"),
             _real("negative", text="embeddings of a different identity")),
            _ND,
            (_margin(1.0), OptionSpec("p", "float", 2.0, 1e-6, None, "the norm of the distance"),
             OptionSpec("eps", "float", 1e-6, 0.0, None, "added inside the distance"),
             OptionSpec("swap", "bool", False, None, None,
                        "use the harder of the two negative distances"))),
        LossSpec(
            "TripletMarginWithDistanceLoss", "Triplet margin with a distance", "ranking/embedding",
            r"\ell_n = \max(0, d(a_n, p_n) - d(a_n, n_n) + \text{margin})",
            "Triplet training with the distance of your choice, e.g. cosine for text embeddings.",
            "TripletMarginLoss with the distance d as a choice: pairwise is the Euclidean "
            "distance ‖a − b‖ (nn.PairwiseDistance), cosine is 1 − cos(a, b), which looks only at "
            "directions. The anchor should be closer to the positive than to the negative by "
            "the margin; swap also tries the positive as the anchor and takes the harder case.",
            (_real("anchor", text="anchor embeddings"),
             _real("positive", text="embeddings of the same identity"),
             _real("negative", text="embeddings of a different identity")),
            _ND,
            (OptionSpec("distance", "choice", "pairwise", description=(
                "pairwise: Euclidean distance (nn.PairwiseDistance); cosine: 1 - cosine "
                "similarity"), choices=DISTANCES),
             _margin(1.0, "how much closer the positive must be (> 0)", 1e-12),
             OptionSpec("swap", "bool", False, None, None,
                        "use the harder of the two negative distances"))),
    ]


def _sequences():
    return [
        LossSpec(
            "CTCLoss", "Connectionist temporal classification (CTC)", "sequences",
            r"\ell = -\log \sum_{\pi \in \mathcal{B}^{-1}(y)} \prod_{t=1}^{T}"
            r" p_{t, \pi_t}",
            "Speech or handwriting: a label sequence with no frame-by-frame alignment.",
            "The model gives log-probabilities over C symbols at each of T time steps; symbol "
            "0 is the blank. An alignment picks one symbol per time step; collapsing it "
            "(first merge repeated symbols, then drop blanks) must give the target, so "
            "'a a - b - b' and 'a - - b - b' both read 'a b b', and a repeated target symbol "
            "needs a blank between its copies. The loss is minus the log of the summed "
            "probability of every such alignment. One sequence is shown (N = 1) as a T × C "
            "table; the evaluation and the code add the batch dim, (T, 1, C), and pass the "
            "full lengths. Its gradient is torch's, which assumes log_probs come from "
            "LogSoftmax (it is the gradient with respect to the scores before it).",
            (InputSpec("log_probs", ("T", "C"), "log_probability", "float", True,
                       "log-probabilities, one row per time step, column 0 the blank"),
             InputSpec("targets", ("S",), "class_index", "long", False,
                       "the target sequence: symbols 1 to C - 1 (no blanks)")),
            {"T": (6, 1, 64), "C": (4, 2, 32), "S": (3, 1, 32)},
            (OptionSpec("blank", "int", 0, 0, 31, "the symbol that means 'nothing new'"),
             OptionSpec("zero_infinity", "bool", False, None, None,
                        "an impossible alignment (T too short) gives 0 instead of inf"))),
    ]


def _distributions():
    return [
        LossSpec(
            "KLDivLoss", "Kullback–Leibler divergence", "distributions",
            r"\ell_n = y_n \left( \log y_n - x_n \right)",
            "Matching a predicted distribution to a target distribution.",
            "How much information is lost when the predicted distribution stands in for the "
            "target one. The input must be log-probabilities and the target probabilities; "
            "only reduction='batchmean' gives the true KL divergence.",
            (InputSpec("input", ("N", "C"), "log_probability", "float", True,
                       "predicted log-probabilities, one row per sample"),
             InputSpec("target", ("N", "C"), "probability", "float", False,
                       "target probabilities, each row sums to 1")),
            {"N": (2, 1, 64), "C": (3, 2, 32)},
            (OptionSpec("log_target", "bool", False, None, None,
                        "the target is given as log-probabilities"),),
            ("batchmean", "mean", "sum", "none"), "batchmean", slide=True),
    ]


def _imbalance():
    return [
        LossSpec(
            "FocalLoss", "Focal loss", "segmentation/imbalance",
            r"\ell_n = -\alpha\, w_{y_n} (1 - p_{n, y_n})^{\gamma} \log p_{n, y_n},"
            r" \quad p_n = \mathrm{softmax}(x_n)",
            "Class imbalance: many easy examples drown out a few hard ones.",
            "Cross-entropy multiplied by (1 - p)^γ, so examples the model already gets right "
            "count less. γ = 0 gives back cross-entropy. α is Lin et al.'s α_t for the target "
            "class: in this softmax form every sample's term is its target class's, so α "
            "scales the whole loss and its gradient (per-class balance is weight's job); "
            "α = 1 means none. Not a torch class: a few lines of torch.",
            (_real("input", ("N", "C"), text="logits (raw scores), one row per sample"),
             _classes()),
            _NC,
            (OptionSpec("gamma", "float", 2.0, 0.0, None, "how strongly easy examples are "
                        "down-weighted (0 = cross-entropy)"), _weight(),
             OptionSpec("alpha", "float", 1.0, 0.0, 1.0, "α of the target class: multiplies "
                        "every sample's term (1 = none)"))),
        LossSpec(
            "DiceLoss", "Soft Dice loss", "segmentation/imbalance",
            r"\ell_n = 1 - \frac{2 \sum_i p_{n,i} y_{n,i} + \epsilon}"
            r"{\sum_i p_{n,i} + \sum_i y_{n,i} + \epsilon}, \quad p = \sigma(x)",
            "Segmentation masks where the object covers few pixels.",
            "One minus the overlap (Dice coefficient) between the predicted mask and the true "
            "mask, per sample. Background pixels do not dominate it as they do cross-entropy. "
            "Not a torch class: a few lines of torch.",
            (_real("input", text="mask logits, one row of pixels per sample"),
             _target(kind="binary", text="true mask, 0 or 1 per pixel")),
            _ND,
            (OptionSpec("eps", "float", 1.0, 0.0, None,
                        "smoothing added to the overlap and the sizes"),)),
    ]


def _own():
    return [
        LossSpec(
            "CustomLoss", "Your own loss L(z, y)", "your own",
            r"\ell_n = L(z_n, y_n)",
            "Trying an idea: model your objective as a formula of z and y.",
            "Type any formula of the prediction z and the target y, e.g. "
            "where(y*z < 1, (1 - y*z)**2, 0) or abs(z - y)**1.5. It is applied to every "
            "element, then reduced; torch's autograd gives its gradient. Allowed: numbers, "
            "z, y, + - * / **, a comparison, where(c, a, b) and abs exp log log1p sqrt sin "
            "cos tanh sigmoid softplus relu clamp min max.",
            (_real("input", text="predictions z, one row per sample"),
             _target(text="the true values y")),
            _ND,
            (OptionSpec("expression", "expression", own.DEFAULT,
                        description="L(z, y): a formula of the prediction z and the target y",
                        variables=own.VARIABLES),)),
    ]


SPECS: dict[str, LossSpec] = {
    spec.name: spec
    for spec in (_regression() + _classification() + _ranking() + _distributions()
                 + _imbalance() + _sequences() + _own())
}
SLIDE_ORDER = ("L1Loss", "MSELoss", "NLLLoss", "CrossEntropyLoss", "HingeEmbeddingLoss",
               "MarginRankingLoss", "KLDivLoss")
ORDER = SLIDE_ORDER + tuple(name for name in SPECS if name not in SLIDE_ORDER)


_PROBABILITY_TARGET = InputSpec("target", ("N", "C"), "probability", "float", False,
                                "the probability of each class, each row sums to 1")
_PROBABILITY_FORMULA = (r"\ell_n = -\sum_c w_c\, y_{n,c} \log \frac{e^{x_{n,c}}}"
                        r"{\sum_k e^{x_{n,k}}}")


def variant(loss: LossSpec, options) -> LossSpec:
    """``loss`` as ``options`` shape it: CrossEntropyLoss with ``target_kind`` "class
    probabilities" takes an (N, C) float target of probabilities, not class indices.

    Options that are not a mapping, or not a kind there is, leave ``loss`` as it is
    (the option checks then say what is wrong).
    """
    kinds = [o for o in loss.options if o.name == "target_kind"]
    if not kinds or not isinstance(options, Mapping):
        return loss
    if options.get("target_kind") != CLASS_PROBABILITIES:
        return loss
    inputs = tuple(_PROBABILITY_TARGET if s.name == "target" else s for s in loss.inputs)
    return replace(loss, inputs=inputs, formula=_PROBABILITY_FORMULA)
