"""Chapter 10's PyTorch blocks, run on the installed torch (2.13.0): the printed numbers."""

import inspect

import numpy as np
import pytest

from xentbook import cross_entropy, focal_loss
from xentbook.book import expected_calibration_error

torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.mark.torch
def test_distillation_kl_div_batchmean_equals_cross_entropy_minus_entropy():
    torch.manual_seed(0)
    student, teacher, T = torch.randn(4, 10), 3 * torch.randn(4, 10), 4.0
    labels, lam = torch.tensor([0, 3, 7, 9]), 0.9
    soft = F.softmax(teacher / T, dim=1)
    kd = F.kl_div(F.log_softmax(student / T, dim=1), soft, reduction="batchmean") * T**2
    ce = F.cross_entropy(student / T, soft) * T**2
    h = -(soft * soft.log()).sum(dim=1).mean() * T**2
    assert f"{kd:.4f}" == "4.1169"
    assert f"{ce - h:.4f}" == "4.1169"
    loss = lam * kd + (1 - lam) * F.cross_entropy(student, labels)  # hard term at T = 1
    assert f"{loss:.4f}" == "3.9147"
    # The hard-label term is the plain mean -log p_y of the unscaled logits.
    log_p = F.log_softmax(student.double(), dim=1)
    hard = -log_p[torch.arange(4), labels].mean().item()
    np.testing.assert_allclose(F.cross_entropy(student, labels).item(), hard, rtol=1e-6)


@pytest.mark.torch
def test_focal_gradient_is_nan_for_gamma_below_one_once_pt_rounds_to_one():
    x = torch.tensor([[40.0, 0.0]], dtype=torch.float64, requires_grad=True)
    assert F.log_softmax(x, dim=1)[0, 0].item() == 0.0  # the truth is -exp(-40) = -4.2e-18
    grads = {}
    for gamma in (2.0, 0.5):
        x.grad = None
        log_pt = F.log_softmax(x, dim=1)[0, 0]
        loss = -((-torch.expm1(log_pt)) ** gamma) * log_pt
        loss.backward()
        grads[gamma] = x.grad.tolist()
    assert grads[2.0] == [[-0.0, 0.0]]
    assert np.isnan(grads[0.5]).all()


@pytest.mark.torch
def test_temperature_scaling_with_lbfgs_on_log_t():
    torch.manual_seed(0)
    logits = 4 * torch.randn(2000, 10)
    labels = torch.distributions.Categorical(logits=logits / 2).sample()

    def fit(**kwargs):
        log_t = torch.zeros(1, requires_grad=True)
        opt = torch.optim.LBFGS([log_t], max_iter=200, line_search_fn="strong_wolfe", **kwargs)

        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(logits / log_t.exp(), labels)
            loss.backward()
            return loss

        opt.step(closure)
        return log_t.exp().item()

    fitted = fit()
    assert f"{fitted:.4f}" == "1.9701"
    # Independent reference: a bounded scalar search on the float64 loss.
    from scipy.optimize import minimize_scalar

    z64 = logits.double()
    best = minimize_scalar(
        lambda lt: F.cross_entropy(z64 / np.exp(lt), labels).item(),
        bounds=(-3.0, 3.0),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert abs(fitted / np.exp(best.x) - 1) < 5e-5
    # The setting of the code published with Guo et al.: T itself from 1.5, lr = 0.01,
    # max_iter = 50, no line search, one step() call. It stops far short, still descending.
    temperature = torch.full((1,), 1.5, requires_grad=True)
    published = torch.optim.LBFGS([temperature], lr=0.01, max_iter=50)

    def published_closure():
        published.zero_grad()
        loss = F.cross_entropy(logits / temperature, labels)
        loss.backward()
        return loss

    published.step(published_closure)
    assert f"{temperature.item():.3f}" == "1.634"
    published_closure()
    assert temperature.grad is not None and temperature.grad.item() < -0.1
    nll_at = {t: F.cross_entropy(z64 / t, labels).item() for t in (1.634, fitted)}
    assert nll_at[1.634] > nll_at[fitted] + 0.01


@pytest.mark.torch
def test_label_smoothing_has_pytorch_meaning():
    rng = np.random.default_rng(10)
    z, y = rng.normal(size=(6, 5)), rng.integers(0, 5, size=6)
    expected = F.cross_entropy(torch.tensor(z), torch.tensor(y), label_smoothing=0.1).item()
    np.testing.assert_allclose(cross_entropy(z, y, label_smoothing=0.1), expected, rtol=1e-14)


@pytest.mark.torch
def test_focal_weight_mean_is_plain_unlike_torch_weighted_mean():
    rng = np.random.default_rng(10)
    z, y = rng.normal(size=(6, 4)), np.array([0, 0, 1, 2, 3, 3])
    w = np.array([0.25, 1.0, 1.0, 0.5])
    torch_mean = F.cross_entropy(torch.tensor(z), torch.tensor(y), weight=torch.tensor(w)).item()
    torch_sum = F.cross_entropy(
        torch.tensor(z), torch.tensor(y), weight=torch.tensor(w), reduction="sum"
    ).item()
    np.testing.assert_allclose(torch_mean, torch_sum / w[y].sum(), rtol=1e-14)
    # gamma = 0: same per-item terms, but the mean divides by N, not by sum(w[y])
    np.testing.assert_allclose(
        focal_loss(z, y, gamma=0.0, weight=w), torch_sum / len(y), rtol=1e-14
    )
    # With probability targets, PyTorch's weighted mean divides by N, not by sum(w[y]).
    soft = torch.nn.functional.one_hot(torch.tensor(y), 4).double()
    soft_mean = F.cross_entropy(torch.tensor(z), soft, weight=torch.tensor(w)).item()
    np.testing.assert_allclose(soft_mean, torch_sum / len(y), rtol=1e-14)


@pytest.mark.torch
def test_kl_div_log_target_takes_the_teachers_log_probabilities():
    torch.manual_seed(0)
    student, teacher, T = torch.randn(4, 10), 3 * torch.randn(4, 10), 4.0
    log_p = F.log_softmax(student / T, dim=1)
    probs = F.kl_div(log_p, F.softmax(teacher / T, dim=1), reduction="batchmean")
    logs = F.kl_div(
        log_p, F.log_softmax(teacher / T, dim=1), reduction="batchmean", log_target=True
    )
    np.testing.assert_allclose(logs.item(), probs.item(), rtol=1e-6)  # float32


@pytest.mark.torch
def test_label_smoothing_with_weights_weights_every_target_entry():
    rng = np.random.default_rng(10)
    z, y = rng.normal(size=(6, 4)), np.array([0, 0, 1, 2, 3, 3])
    w, eps = np.array([0.25, 1.0, 2.0, 0.5]), 0.1
    got = F.cross_entropy(
        torch.tensor(z), torch.tensor(y), weight=torch.tensor(w), label_smoothing=eps
    ).item()
    # Hand formula: -sum_k w_k y~_k log p_k per item, the mean divided by sum_n w[y_n].
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    target = (1 - eps) * np.eye(4)[y] + eps / 4
    expected = -(target * w * log_p).sum() / w[y].sum()
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    np.testing.assert_allclose(cross_entropy(z, y, weight=w, label_smoothing=eps), got, rtol=1e-13)


@pytest.mark.torch
def test_kl_div_zero_target_contributes_zero():
    inp = F.log_softmax(torch.tensor([[0.0, 1.0, 2.0]]), dim=1)
    teacher = torch.tensor([[-200.0, 1.0, 2.0]])  # float32: the first probability underflows
    probs = F.softmax(teacher, dim=1)
    assert probs[0, 0].item() == 0.0
    plain = F.kl_div(inp, probs, reduction="sum")
    logs = F.kl_div(inp, F.log_softmax(teacher, dim=1), reduction="sum", log_target=True)
    assert torch.isfinite(plain)
    np.testing.assert_allclose(plain.item(), logs.item(), rtol=1e-6)
    assert torch.isnan(-(probs * probs.log()).sum())  # a hand-written q log q: 0 * -inf


@pytest.mark.torch
def test_focal_gradient_nan_needs_gamma_strictly_between_zero_and_one():
    x = torch.tensor([[40.0, 0.0]], dtype=torch.float64, requires_grad=True)
    for gamma, nan in ((0.0, False), (0.999, True), (1.0, False)):
        x.grad = None
        log_pt = F.log_softmax(x, dim=1)[0, 0]
        (-((-torch.expm1(log_pt)) ** gamma) * log_pt).backward()
        assert bool(torch.isnan(x.grad).any()) is nan


@pytest.mark.torch
def test_kl_div_batchmean_divides_by_the_first_dimension_only():
    torch.manual_seed(0)
    log_p = F.log_softmax(torch.randn(2, 3, 5, dtype=torch.float64), dim=-1)
    q = F.softmax(torch.randn(2, 3, 5, dtype=torch.float64), dim=-1)
    total = (q * (q.log() - log_p)).sum().item()  # the summed divergence, by hand
    batchmean = F.kl_div(log_p, q, reduction="batchmean").item()
    np.testing.assert_allclose(batchmean, total / 2, rtol=1e-14)  # per sequence, not per token
    flat = F.kl_div(log_p.reshape(6, 5), q.reshape(6, 5), reduction="batchmean").item()
    np.testing.assert_allclose(flat, total / 6, rtol=1e-14)  # flattened: per token


@pytest.mark.torch
def test_kl_div_log_target_minus_infinity_gives_nan():
    inp = F.log_softmax(torch.tensor([[0.0, 1.0, 2.0]]), dim=1)
    masked = F.log_softmax(torch.tensor([[float("-inf"), 1.0, 2.0]]), dim=1)
    assert masked[0, 0].item() == float("-inf")
    assert torch.isnan(F.kl_div(inp, masked, reduction="sum", log_target=True))
    assert torch.isfinite(F.kl_div(inp, masked.exp(), reduction="sum"))  # xlogy: 0 at q = 0


@pytest.mark.torch
def test_binary_losses_have_no_label_smoothing_argument():
    assert "label_smoothing" not in inspect.signature(F.binary_cross_entropy_with_logits).parameters
    assert "label_smoothing" not in inspect.signature(torch.nn.BCEWithLogitsLoss).parameters
    assert "label_smoothing" in inspect.signature(F.cross_entropy).parameters
    # Smoothed by hand, eps = 0.1: the loss is flat at the logit log 19 (the C = 2 gap).
    eps = 0.1
    for y, sign in ((1.0, 1.0), (0.0, -1.0)):
        x = torch.tensor([sign * np.log(19.0)], dtype=torch.float64, requires_grad=True)
        target = torch.tensor([(1 - eps) * y + eps / 2], dtype=torch.float64)
        F.binary_cross_entropy_with_logits(x, target).backward()
        assert abs(x.grad.item()) < 1e-15


@pytest.mark.torch
def test_label_smoothing_ignored_targets_get_no_term_and_leave_the_mean():
    torch.manual_seed(0)
    x = torch.randn(5, 7, dtype=torch.float64)
    y = torch.tensor([1, -100, 3, -100, 6])
    kept = y != -100
    for w in (None, torch.linspace(0.5, 2.0, 7, dtype=torch.float64)):
        per_item = F.cross_entropy(x, y, weight=w, label_smoothing=0.1, reduction="none")
        assert per_item[1].item() == 0.0 and per_item[3].item() == 0.0
        full = F.cross_entropy(x, y, weight=w, label_smoothing=0.1)
        only_kept = F.cross_entropy(x[kept], y[kept], weight=w, label_smoothing=0.1)
        np.testing.assert_allclose(full.item(), only_kept.item(), rtol=1e-14)
        # xentbook gives the same numbers (the chapter's "in PyTorch as in xentbook").
        ours = cross_entropy(
            x.numpy(),
            y.numpy(),
            weight=None if w is None else w.numpy(),
            label_smoothing=0.1,
            ignore_index=-100,
        )
        np.testing.assert_allclose(ours, full.item(), rtol=1e-12)


@pytest.mark.torch
def test_torchmetrics_calibration_error_closes_its_bins_on_the_left():
    # The chapter quotes torchmetrics 1.9.0, pinned in the test environment.
    torchmetrics = pytest.importorskip("torchmetrics")
    from torchmetrics.functional.classification import multiclass_calibration_error

    signature = inspect.signature(torchmetrics.classification.MulticlassCalibrationError)
    assert signature.parameters["n_bins"].default == 15
    assert signature.parameters["norm"].default == "l1"
    probs = [
        [0.9, 0.05, 0.05],
        [0.6, 0.3, 0.1],
        [0.2, 0.7, 0.1],
        [0.34, 0.33, 0.33],
        [0.1, 0.1, 0.8],
    ]
    labels = [0, 1, 1, 0, 0]
    got = multiclass_calibration_error(
        torch.tensor(probs, dtype=torch.float64), torch.tensor(labels), num_classes=3, n_bins=5
    ).item()
    assert f"{got:.4f}" == "0.3320"
    # Hand binning on [(b - 1)/5, b/5): 0.34 | 0.6, 0.7 | 0.8, 0.9 (right, wrong, right, wrong).
    by_hand = (abs(1 - 0.34) + 2 * abs(0.5 - 0.65) + 2 * abs(0.5 - 0.85)) / 5
    np.testing.assert_allclose(got, by_hand, rtol=1e-6)  # float32 confidences
    # Bins closed on the right, as in the chapter, give 0.3720 on the same items.
    np.testing.assert_allclose(
        expected_calibration_error(probs, labels, n_bins=5), 0.372, rtol=1e-12
    )
