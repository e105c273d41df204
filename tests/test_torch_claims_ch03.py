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

    def test_probabilities_in_place_of_log_probabilities_can_be_negative(self):
        p, q = torch.tensor(P, dtype=torch.float64), torch.tensor(Q, dtype=torch.float64)
        got = F.kl_div(q, p, reduction="batchmean").item()
        by_hand = np.mean(np.sum(P * (np.log(P) - Q), axis=1))  # sum p (log p - q)
        np.testing.assert_allclose(got, by_hand, rtol=1e-14)
        assert got < 0

