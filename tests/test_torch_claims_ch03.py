"""Chapter 3's statements about torch.nn.functional.kl_div, on the installed torch (2.13.0)."""

import contextlib

import numpy as np
import pytest

from xentbook import kl_divergence

torch = pytest.importorskip("torch")
F = torch.nn.functional

P = np.array([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]])  # targets p, one row per example
Q = np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]])  # models q


@pytest.mark.torch
class TestKlDivConventions:
    def test_model_first_as_log_probabilities_is_forward_kl(self):
        p, q = torch.tensor(P, dtype=torch.float64), torch.tensor(Q, dtype=torch.float64)
        got = F.kl_div(q.log(), p, reduction="batchmean").item()
        # D(p || q) per row by the library under test's independent reference, averaged
        np.testing.assert_allclose(got, kl_divergence(P, Q).mean(), rtol=1e-14)
        swapped = F.kl_div(p.log(), q, reduction="batchmean").item()
        np.testing.assert_allclose(swapped, kl_divergence(Q, P).mean(), rtol=1e-14)

    def test_mean_reduction_divides_by_the_number_of_classes(self):
        p, q = torch.tensor(P, dtype=torch.float64), torch.tensor(Q, dtype=torch.float64)
        with pytest.warns(UserWarning, match="batchmean"):
            got = F.kl_div(q.log(), p, reduction="mean").item()
        np.testing.assert_allclose(got, kl_divergence(P, Q).mean() / 3, rtol=1e-14)

    def test_mean_reduction_scales_the_gradient_by_one_over_c(self):
        p = torch.tensor(P, dtype=torch.float64)
        grads = []
        for reduction in ("batchmean", "mean"):
            z = torch.tensor(np.log(Q), dtype=torch.float64, requires_grad=True)
            warns = pytest.warns(UserWarning, match="batchmean")
            with warns if reduction == "mean" else contextlib.nullcontext():
                F.kl_div(torch.log_softmax(z, dim=1), p, reduction=reduction).backward()
            grads.append(z.grad.numpy().copy())
        np.testing.assert_allclose(grads[1], grads[0] / 3, rtol=1e-13)

    def test_batchmean_divides_by_the_first_dimension_only(self):
        # (B, T, V) = (4, 16, 10): batchmean is the sum over positions of the per-token
        # divergences, averaged over the 4 sequences, T = 16 times the per-token mean.
        rng = np.random.default_rng(31)
        p_np = rng.dirichlet(np.ones(10), size=(4, 16))
        q_np = rng.dirichlet(np.ones(10), size=(4, 16))
        p, log_q = torch.tensor(p_np), torch.tensor(np.log(q_np))
        per_token = kl_divergence(p_np, q_np)  # shape (4, 16), by the library's own sum
        got = F.kl_div(log_q, p, reduction="batchmean").item()
        np.testing.assert_allclose(got, per_token.sum(axis=1).mean(), rtol=1e-13)
        np.testing.assert_allclose(got, 16 * per_token.mean(), rtol=1e-13)
        flat = F.kl_div(log_q.reshape(-1, 10), p.reshape(-1, 10), reduction="batchmean").item()
        np.testing.assert_allclose(flat, per_token.mean(), rtol=1e-13)
        by_sum = F.kl_div(log_q, p, reduction="sum").item() / (4 * 16)
        np.testing.assert_allclose(by_sum, per_token.mean(), rtol=1e-13)

    def test_probabilities_in_place_of_log_probabilities_can_be_negative(self):
        p, q = torch.tensor(P, dtype=torch.float64), torch.tensor(Q, dtype=torch.float64)
        got = F.kl_div(q, p, reduction="batchmean").item()
        by_hand = np.mean(np.sum(P * (np.log(P) - Q), axis=1))  # sum p (log p - q)
        np.testing.assert_allclose(got, by_hand, rtol=1e-14)
        assert got < 0


@pytest.mark.torch
class TestChapterBlocks:
    """The two static PyTorch blocks of section sec-03-kl-in-code, with their printed output."""

    def test_batchmean_and_mean_as_printed(self):
        p, q = torch.tensor(P, dtype=torch.float64), torch.tensor(Q, dtype=torch.float64)
        assert f"{F.kl_div(q.log(), p, reduction='batchmean').item():.4f}" == "0.1754"
        with pytest.warns(UserWarning, match=r"^reduction: 'mean' divides the total loss by both"):
            assert f"{F.kl_div(q.log(), p).item():.4f}" == "0.0585"

    def test_float32_kl_div_is_negative_for_nearby_softmaxes(self):
        z_a = np.random.default_rng(3).normal(size=1000)
        z_b = z_a + 1e-4 * np.random.default_rng(4).normal(size=1000)
        log_p = torch.log_softmax(torch.tensor(z_a, dtype=torch.float32), dim=0)
        log_q = torch.log_softmax(torch.tensor(z_b, dtype=torch.float32), dim=0)
        plain = F.kl_div(log_q, log_p.exp(), reduction="sum").item()
        logged = F.kl_div(log_q, log_p, reduction="sum", log_target=True).item()
        assert (f"{plain:.2e}", f"{logged:.2e}") == ("-1.40e-07", "-1.44e-07")
        # the float64 value, by the library's cancellation-free sum, is positive: 5.13e-09
        exact = kl_divergence(
            np.exp(z_a - np.logaddexp.reduce(z_a)), np.exp(z_b - np.logaddexp.reduce(z_b))
        )
        assert f"{exact:.4e}" == "5.1267e-09"

    def test_unnormalized_target_gives_s_d_plus_s_log_s(self):
        target = torch.tensor([0.2, 0.1, 0.0], dtype=torch.float64)  # total mass s = 0.3
        q = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64)
        got = F.kl_div(q.log(), target, reduction="sum").item()
        s, p = 0.3, np.array([2 / 3, 1 / 3, 0.0])
        np.testing.assert_allclose(got, s * kl_divergence(p, q.numpy()) + s * np.log(s), rtol=1e-13)
        assert got < 0

    def test_subnormalized_input_adds_log_one_over_its_total(self):
        # exp(input) = s_q q with total s_q = 0.6: D(p || q) + log(1 / s_q) by hand, >= 0
        p, q, s_q = P[0], Q[0], 0.6
        got = F.kl_div(torch.tensor(np.log(s_q * q)), torch.tensor(p), reduction="sum").item()
        np.testing.assert_allclose(got, kl_divergence(p, q) + np.log(1 / s_q), rtol=1e-13)
        assert got > kl_divergence(p, q) > 0

    def test_totals_s_p_at_least_s_q_bound_the_sum_below_by_s_p_log_s_p_over_s_q(self):
        # log-sum inequality: sum t log(t / e^input) >= s_p log(s_p / s_q), equality at t ~ e^input
        rng = np.random.default_rng(31)
        for _ in range(200):
            p, q = rng.dirichlet(np.ones(4), size=2)
            s_p, s_q = rng.uniform(0.2, 3.0, size=2)
            got = F.kl_div(
                torch.tensor(np.log(s_q * q)), torch.tensor(s_p * p), reduction="sum"
            ).item()
            by_hand = s_p * kl_divergence(p, q) + s_p * np.log(s_p / s_q)
            np.testing.assert_allclose(got, by_hand, rtol=1e-12, atol=1e-14)
            assert got >= s_p * np.log(s_p / s_q) - 1e-14
            if s_p >= s_q:
                assert got >= 0
        # negative when s_p < s_q: a target proportional to exp(input)
        q = Q[0]
        got = F.kl_div(torch.tensor(np.log(q)), torch.tensor(0.5 * q), reduction="sum").item()
        np.testing.assert_allclose(got, 0.5 * np.log(0.5), rtol=1e-13)

    def test_log_target_weights_by_exp_target_and_drops_underflowed_terms_too(self):
        log_p = torch.tensor([-200.0, -1e-30])  # float32: e^-200 underflows to 0
        log_q = torch.tensor([-150.0, 0.0])
        as_logs = F.kl_div(log_q, log_p, reduction="none", log_target=True)
        by_hand = torch.exp(log_p) * (log_p - log_q)  # sum_i e^{t_i} (t_i - input_i)
        assert torch.equal(as_logs, by_hand)
        as_probs = F.kl_div(log_q, log_p.exp(), reduction="none")
        assert as_logs[0].item() == 0.0 and as_probs[0].item() == 0.0

    def test_masked_log_target_gives_nan(self):
        log_p = torch.tensor([0.0, -float("inf")])
        assert torch.isnan(F.kl_div(log_p, log_p, reduction="sum", log_target=True))

    def test_masked_pair_gives_nan_in_both_forms(self):
        # Exercise 3.4's masked pair: logits (0, 0, -inf) for p and (1, 0, -inf) for q.
        log_p = torch.log_softmax(torch.tensor([0.0, 0.0, -float("inf")]), dim=0)
        log_q = torch.log_softmax(torch.tensor([1.0, 0.0, -float("inf")]), dim=0)
        as_logs = F.kl_div(log_q, log_p, reduction="sum", log_target=True)
        as_probs = F.kl_div(log_q, log_p.exp(), reduction="sum")
        assert torch.isnan(as_logs) and torch.isnan(as_probs)
        # the exact value, without the masked class: log((1 + e) / 2) - 1/2
        finite = F.kl_div(log_q[:2], log_p[:2].exp(), reduction="sum").item()
        np.testing.assert_allclose(finite, np.log((1 + np.e) / 2) - 0.5, rtol=1e-6)


@pytest.mark.torch
class TestDistributionsKl:
    """The torch.distributions.kl_divergence block of section sec-03-densities."""

    def test_normal_pair_as_printed(self):
        normal = torch.distributions.Normal
        kl = torch.distributions.kl_divergence
        p1, p2 = normal(0.0, 0.1), normal(0.1, 0.2)
        printed = f"{kl(p1, p2).item():.4f}  {kl(p2, p1).item():.4f}"
        assert printed == "0.4431  1.3069"
        # the closed form log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2, in float64
        forward = np.log(2.0) + (0.01 + 0.01) / 0.08 - 0.5
        backward = np.log(0.5) + (0.04 + 0.01) / 0.02 - 0.5
        np.testing.assert_allclose(
            [kl(p1, p2).item(), kl(p2, p1).item()], [forward, backward], rtol=1e-6
        )

    def test_no_closed_form_for_a_mixture(self):
        mixture = torch.distributions.MixtureSameFamily(
            torch.distributions.Categorical(torch.tensor([0.6, 0.4])),
            torch.distributions.Normal(torch.tensor([-2.0, 2.0]), torch.tensor([0.6, 0.6])),
        )
        with pytest.raises(NotImplementedError):
            torch.distributions.kl_divergence(torch.distributions.Normal(0.0, 1.0), mixture)

    def test_register_kl_adds_a_formula_for_a_pair_of_types(self):
        class Shifted(torch.distributions.Normal):
            pass

        mixture = torch.distributions.MixtureSameFamily(
            torch.distributions.Categorical(torch.tensor([0.6, 0.4])),
            torch.distributions.Normal(torch.tensor([-2.0, 2.0]), torch.tensor([0.6, 0.6])),
        )

        @torch.distributions.register_kl(Shifted, torch.distributions.MixtureSameFamily)
        def _kl_shifted_mixture(p, q):  # a placeholder value, to see it dispatched
            return torch.tensor(1.25)

        assert torch.distributions.kl_divergence(Shifted(0.0, 1.0), mixture).item() == 1.25

    def test_categorical_from_logits_is_inf_when_q_underflows(self):
        categorical = torch.distributions.Categorical
        kl = torch.distributions.kl_divergence
        # q = softmax(0, 0, -g): log q_3 = -g - log(2 + e^-g); the exact divergence by hand is
        # (1/3)(log(1/3) - log q_1) * 2 + (1/3)(log(1/3) - log q_3) = g / 3 + log(2 / 3)
        for dtype, gap, finite in (
            (torch.float32, 100.0, True),
            (torch.float32, 104.0, False),
            (torch.float64, 740.0, True),
            (torch.float64, 746.0, False),
        ):
            z_p = torch.zeros(3, dtype=dtype)
            z_q = torch.tensor([0.0, 0.0, -gap], dtype=dtype)
            value = kl(categorical(logits=z_p), categorical(logits=z_q)).item()
            if finite:
                np.testing.assert_allclose(value, gap / 3 + np.log(2 / 3), rtol=1e-5)
            else:
                assert value == np.inf
        # the pair of exercise 3.4: inf, where the divergence is 1000 - log 3
        z_q = torch.tensor([1000.0, 0.0, -1000.0], dtype=torch.float64)
        pair = (categorical(logits=torch.zeros(3, dtype=torch.float64)), categorical(logits=z_q))
        assert kl(*pair).item() == np.inf


@pytest.mark.torch
class TestEstimatorGradients:
    """(eq-03-estimator-gradients): k1, k2, k3 differentiated as losses by autograd."""

    Z_POLICY = (1.0, 0.5, 0.0, -0.5, -1.0)
    Z_REFERENCE = (0.0, 0.5, 1.0, 0.0, -1.0)

    def _expected_loss_gradients(self):
        z = torch.tensor(self.Z_POLICY, dtype=torch.float64, requires_grad=True)
        log_p = torch.log_softmax(z, dim=0)
        log_q = torch.log_softmax(torch.tensor(self.Z_REFERENCE, dtype=torch.float64), dim=0)
        weights = log_p.exp().detach()  # x ~ p: the samples do not move with z
        log_r = log_q - log_p
        losses = {"k1": -log_r, "k2": 0.5 * log_r**2, "k3": torch.expm1(log_r) - log_r}
        grads = {}
        for name, per_outcome in losses.items():
            (grads[name],) = torch.autograd.grad(weights @ per_outcome, z, retain_graph=True)
        return z, log_p, log_q, {k: g.numpy() for k, g in grads.items()}

    def test_k1_k2_k3_gradients_are_zero_reverse_and_forward_kl(self):
        z, log_p, log_q, grads = self._expected_loss_gradients()
        # the exact divergences, differentiated by autograd with the sampling distribution
        reverse = torch.sum(log_p.exp() * (log_p - log_q))  # D(p || q), policy first
        forward = torch.sum(log_q.exp() * (log_q - log_p))  # D(q || p), reference first
        (g_reverse,) = torch.autograd.grad(reverse, z, retain_graph=True)
        (g_forward,) = torch.autograd.grad(forward, z)
        np.testing.assert_allclose(grads["k1"], 0.0, atol=1e-15)
        np.testing.assert_allclose(grads["k2"], g_reverse.numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(grads["k3"], g_forward.numpy(), rtol=1e-12, atol=1e-15)

    def test_table_as_printed(self):
        _, _, _, grads = self._expected_loss_gradients()
        printed = {k: [f"{v:.4f}" for v in g] for k, g in grads.items()}
        assert printed["k2"] == ["0.3330", "-0.0580", "-0.1929", "-0.0692", "-0.0129"]
        assert printed["k3"] == ["0.2802", "0.0152", "-0.2459", "-0.0528", "0.0034"]
