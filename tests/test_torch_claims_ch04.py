"""Chapter 4's statements about PyTorch's optimizers, GaussianNLLLoss and BatchNorm (torch 2.13)."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _one_step(optimizer_class, **kwargs):
    """One step from theta = 1 on a loss with zero gradient: only the decay moves theta."""
    theta = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    opt = optimizer_class([theta], lr=0.1, **kwargs)
    (0.0 * theta).sum().backward()
    opt.step()
    return theta.item()


@pytest.mark.torch
class TestWeightDecay:
    def test_sgd_weight_decay_is_the_l2_gradient(self):
        # theta - lr * lambda * theta = 1 - 0.1 * 0.01
        assert _one_step(torch.optim.SGD, weight_decay=0.01) == pytest.approx(0.999, rel=1e-15)

    def test_adam_weight_decay_goes_through_the_preconditioner(self):
        # coupled: the gradient is lambda * theta, and Adam's first step moves by about lr
        got = _one_step(torch.optim.Adam, weight_decay=0.01)
        np.testing.assert_allclose(got, 1 - 0.1 * 0.01 / (0.01 + 1e-8), rtol=1e-12)

    @pytest.mark.parametrize(
        ("cls", "kwargs"),
        [(torch.optim.AdamW, {}), (torch.optim.Adam, {"decoupled_weight_decay": True})],
    )
    def test_decoupled_decay_multiplies_by_one_minus_lr_lambda(self, cls, kwargs):
        got = _one_step(cls, weight_decay=0.01, **kwargs)
        np.testing.assert_allclose(got, 1 - 0.1 * 0.01, rtol=1e-15)

    def test_decoupled_decay_follows_the_scheduled_learning_rate(self):
        theta = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
        opt = torch.optim.AdamW([theta], lr=0.1, weight_decay=0.01)
        for group in opt.param_groups:
            group["lr"] = 0.05  # what a scheduler does
        (0.0 * theta).sum().backward()
        opt.step()
        np.testing.assert_allclose(theta.item(), 1 - 0.05 * 0.01, rtol=1e-15)


@pytest.mark.torch
class TestGaussianNllLoss:
    mu = torch.zeros(3, dtype=torch.float64)
    y = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)

    def test_takes_a_variance_and_drops_the_constant(self):
        var = torch.tensor([1.0, 4.0, 0.25], dtype=torch.float64)
        # by hand: 0.5 (log var + (y - mu)^2 / var), averaged
        by_hand = np.mean(
            0.5
            * (np.log([1.0, 4.0, 0.25]) + np.array([0.25, 1.0, 4.0]) / np.array([1.0, 4.0, 0.25]))
        )
        np.testing.assert_allclose(
            F.gaussian_nll_loss(self.mu, self.y, var).item(), by_hand, rtol=1e-14
        )
        full = F.gaussian_nll_loss(self.mu, self.y, var, full=True).item()
        np.testing.assert_allclose(full, by_hand + 0.5 * math.log(2 * math.pi), rtol=1e-14)

    def test_variance_clamped_at_eps(self):
        tiny = torch.tensor([1.0, 1.0, 1e-9], dtype=torch.float64)
        at_eps = torch.tensor([1.0, 1.0, 1e-6], dtype=torch.float64)
        assert F.gaussian_nll_loss(self.mu, self.y, tiny).item() == (
            F.gaussian_nll_loss(self.mu, self.y, at_eps).item()
        )


@pytest.mark.torch
class TestVarianceConventions:
    def test_torch_var_is_unbiased_by_default(self):
        x = torch.tensor([1.0, 2.0, 4.0, 7.0], dtype=torch.float64)
        values = [1.0, 2.0, 4.0, 7.0]
        np.testing.assert_allclose(x.var().item(), np.var(values, ddof=1), rtol=1e-15)
        np.testing.assert_allclose(x.var(correction=0).item(), np.var(values), rtol=1e-15)

    def test_batchnorm_normalizes_biased_and_stores_unbiased(self):
        x = torch.tensor([[1.0], [2.0], [4.0], [7.0]], dtype=torch.float64)
        bn = torch.nn.BatchNorm1d(1, momentum=1.0, affine=False).double().train()
        out = bn(x)
        values = np.array([1.0, 2.0, 4.0, 7.0])
        expected = (values - values.mean()) / np.sqrt(np.var(values) + bn.eps)  # 1/N variance
        np.testing.assert_allclose(out.detach().numpy().ravel(), expected, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var.item(), np.var(values, ddof=1), rtol=1e-15)


@pytest.mark.torch
def test_nll_loss_of_probabilities_is_the_log_less_score():
    logits = torch.randn(8, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    target = torch.tensor([0, 1, 2, 3, 3, 2, 1, 0])
    probs = F.softmax(logits, dim=1)
    got = F.nll_loss(probs, target).item()
    np.testing.assert_allclose(got, -probs[torch.arange(8), target].mean().item(), rtol=1e-15)
    mean_nll = -F.log_softmax(logits, dim=1)[torch.arange(8), target].mean().item()
    np.testing.assert_allclose(F.cross_entropy(logits, target).item(), mean_nll, rtol=1e-14)
    total = F.cross_entropy(logits, target, reduction="sum").item()
    np.testing.assert_allclose(total, 8 * mean_nll, rtol=1e-14)


@pytest.mark.torch
class TestGaussianNllClampGradient:
    def test_gradient_flows_through_the_eps_clamp(self):
        # loss = (log v + 1/v) / 2 evaluated at the clamped v = 1e-6:
        # d/dv = (1/v - 1/v^2) / 2 = (1e6 - 1e12) / 2, not the zero of torch.clamp
        var = torch.tensor([1e-9], dtype=torch.float64, requires_grad=True)
        loss = F.gaussian_nll_loss(
            torch.zeros(1, dtype=torch.float64), torch.ones(1, dtype=torch.float64), var
        )
        loss.backward()
        np.testing.assert_allclose(var.grad.item(), (1e6 - 1e12) / 2, rtol=1e-12)
        np.testing.assert_allclose(var.grad.item(), -5e11, rtol=1e-5)


@pytest.mark.torch
class TestClassWeights:
    def test_weighted_mle_of_free_logits_is_the_reweighted_frequency(self):
        # stationary point of the weighted mean loss: softmax(z) = w_c N_c / sum_k w_k N_k
        target = torch.tensor([0] * 20 + [1] * 17 + [2] * 10 + [3] * 3)
        w = torch.tensor([1.0, 1.0, 1.0, 4.0], dtype=torch.float64)
        wn = w * torch.bincount(target, minlength=4)
        z = torch.log(wn / wn.sum()).repeat(50, 1).requires_grad_(True)
        F.cross_entropy(z, target, weight=w).backward()
        assert z.grad.sum(axis=0).abs().max().item() < 1e-15

    def test_weighted_bias_equation(self):
        # weighted softmax regression fitted by L-BFGS: sum_n w_yn (q_n - e_yn) = 0,
        # so the unweighted mean prediction is not the class frequency
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(300, 2, generator=gen, dtype=torch.float64)
        y = torch.randint(0, 3, (300,), generator=gen)
        x = x + torch.tensor([[0.0, 0.0], [2.0, 0.5], [0.5, 2.0]], dtype=torch.float64)[y]
        w = torch.tensor([1.0, 1.0, 4.0], dtype=torch.float64)
        lin = torch.nn.Linear(2, 3, dtype=torch.float64)
        opt = torch.optim.LBFGS(
            lin.parameters(),
            max_iter=500,
            tolerance_grad=1e-13,
            tolerance_change=0,
            line_search_fn="strong_wolfe",
        )

        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(lin(x), y, weight=w)
            loss.backward()
            return loss

        opt.step(closure)
        with torch.no_grad():
            q = F.softmax(lin(x), dim=1)
        one_hot = F.one_hot(y, 3).to(torch.float64)
        residual = (w[y][:, None] * (q - one_hot)).sum(axis=0) / w[y].sum()
        assert residual.abs().max().item() < 1e-8
        freq = one_hot.mean(axis=0)
        assert q.mean(axis=0)[2].item() > freq[2].item() + 0.05


@pytest.mark.torch
class TestPrintedBlocks:
    """The chapter's two PyTorch code blocks, run as printed, against their printed output."""

    def test_section_maximum_likelihood_in_pytorch(self):
        torch.manual_seed(0)
        logits, target = torch.randn(8, 4), torch.randint(0, 4, (8,))
        rows, log_q = torch.arange(8), F.log_softmax(logits, dim=1)
        probs = F.softmax(logits, dim=1)
        mu, y, ones = torch.zeros(3), torch.tensor([0.5, -1.0, 2.0]), torch.ones(3)
        tiny = torch.tensor([1.0, 1.0, 1e-9])
        at_eps = torch.tensor([1.0, 1.0, 1e-6])
        x = torch.tensor([1.0, 2.0, 4.0, 7.0])
        bn = torch.nn.BatchNorm1d(1, momentum=1.0)
        bn.train()(x[:, None])
        printed = [
            f"{-log_q[rows, target].mean():.4f}",
            f"{F.cross_entropy(logits, target):.4f}",
            f"{F.cross_entropy(logits, target, reduction='sum'):.4f}",
            f"{F.nll_loss(probs, target):.4f}",
            f"{-probs[rows, target].mean():.4f}",
            f"{F.gaussian_nll_loss(mu, y, ones):.4f}",
            f"{F.gaussian_nll_loss(mu, y, ones, full=True):.4f}",
            f"{F.gaussian_nll_loss(mu, y, tiny):.1f}",
            f"{F.gaussian_nll_loss(mu, y, at_eps):.1f}",
            f"{x.var():.2f}",
            f"{x.var(correction=0):.2f}",
            f"{bn.running_var.item():.2f}",
        ]
        assert printed == [
            "0.9704", "0.9704", "7.7628", "-0.3963", "-0.3963", "0.8750", "1.7939",
            "666664.6", "666664.6", "7.00", "5.25", "7.00",
        ]  # fmt: skip
        # the two Gaussian values by hand: mean of (log v + (y - mu)^2 / v) / 2
        np.testing.assert_allclose(float(F.gaussian_nll_loss(mu, y, ones)), 5.25 / 6, rtol=1e-7)
        big = (0.25 + 1.0 + 4.0 / 1e-6 + math.log(1e-6)) / 6
        np.testing.assert_allclose(float(F.gaussian_nll_loss(mu, y, tiny)), big, rtol=1e-6)

    def test_exercise_log_variance_gaussian_nll(self):
        def gaussian_nll(mu, log_var, y, full=False):
            nll = 0.5 * (log_var + (y - mu) ** 2 * torch.exp(-log_var))
            return (nll + 0.5 * math.log(2 * math.pi) if full else nll).mean()

        torch.manual_seed(0)
        mu, y, log_var = torch.randn(5), torch.randn(5), torch.randn(5)
        printed = []
        for full in (False, True):
            ours = gaussian_nll(mu, log_var, y, full)
            theirs = F.gaussian_nll_loss(mu, y, log_var.exp(), full=full)
            printed += [f"{ours:.6f}", f"{theirs:.6f}"]
        log_var[0] = -20.0
        printed += [
            f"{gaussian_nll(mu, log_var, y):.1f}",
            f"{F.gaussian_nll_loss(mu, y, log_var.exp()):.1f}",
        ]
        assert printed == [
            "3.819735", "3.819735", "4.738674", "4.738674", "419240800.0", "864120.7",
        ]  # fmt: skip
        # "tens of thousands of standard deviations": |y - mu| / sigma for the first entry
        z = abs(float(y[0] - mu[0])) / math.exp(-10.0)
        assert 1e4 < z < 1e5
        # "smaller for a residual near zero": with y = mu the exact term is log(var) / 2,
        # below PyTorch's log(1e-6) / 2
        ours_0 = 0.5 * (log_var[:1] + 0.0 * torch.exp(-log_var[:1]))
        theirs_0 = F.gaussian_nll_loss(mu[:1], mu[:1], log_var[:1].exp(), reduction="none")
        np.testing.assert_allclose(float(ours_0), -10.0, rtol=1e-7)
        np.testing.assert_allclose(float(theirs_0), 0.5 * math.log(1e-6), rtol=1e-6)
        assert float(ours_0) < float(theirs_0)
