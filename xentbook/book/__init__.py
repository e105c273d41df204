"""Helpers that exist for the book's chapters, not for computing losses.

The loss library is the top-level :mod:`xentbook` namespace. This namespace holds what the
chapters use to teach: the binary entropy, joint entropies, i.i.d. blocks and prefix codes
(chapter 2), Gaussian fits and the total variation distance (chapters 3 and 4), high-precision
references, the condition number of the loss and a Gumbel-max sampler (chapter 5), the iris
data and a small softmax-regression trainer (chapters 6 and 8), finite differences and the
softmax Jacobian (chapter 7), calibration tools (chapter 10), training with common loss bugs
(chapter 11), an adaptive unigram language model (chapter 12) and the pieces of the fused
linear cross-entropy shown step by step (chapter 13).
"""

from xentbook.book._ch02 import (
    binary_entropy,
    conditional_entropy,
    iid_block,
    mutual_information,
)
from xentbook.book._ch03 import (
    gaussian_kl_landscape,
    kl_float32_estimates,
    local_minima_gaussian_kl,
    stein_threshold_exponents,
    total_variation,
)
from xentbook.book._ch04 import (
    MleLosses,
    expected_test_loss_add_alpha,
    expected_training_loss,
    mle_train_test_losses,
)
from xentbook.book._ch05 import gumbel_max_sample, loss_condition_number
from xentbook.book._ch07 import finite_difference_hessian, finite_difference_jacobian
from xentbook.book._ch08 import DescentPath, descent_path
from xentbook.book._ch10 import classwise_ece, equal_mass_ece
from xentbook.book._ch11 import train_with_loss_bug
from xentbook.book._ch12 import adaptive_unigram_logits
from xentbook.book._ch13 import round_to_bfloat16
from xentbook.calibration import expected_calibration_error, fit_temperature, reliability_bins
from xentbook.coding import (
    average_code_length,
    canonical_code,
    decode_prefix,
    huffman_code_lengths,
    is_prefix_free,
    kraft_sum,
    shannon_code_lengths,
)
from xentbook.datasets import load_iris
from xentbook.fitting import (
    empirical_distribution,
    fit_gaussian_kl,
    gaussian_logpdf,
    gaussian_mixture_logpdf,
    kl_divergence_on_grid,
)
from xentbook.gradients import finite_difference_grad, softmax_jacobian
from xentbook.reference import reference_cross_entropy, reference_log_softmax, relative_error
from xentbook.scale import naive_linear_cross_entropy_with_grad, online_logsumexp, peak_memory
from xentbook.training import softmax_loss_with_grad, train_softmax_regression

__all__ = [
    "DescentPath",
    "MleLosses",
    "adaptive_unigram_logits",
    "average_code_length",
    "binary_entropy",
    "canonical_code",
    "classwise_ece",
    "conditional_entropy",
    "decode_prefix",
    "descent_path",
    "empirical_distribution",
    "equal_mass_ece",
    "expected_calibration_error",
    "expected_test_loss_add_alpha",
    "expected_training_loss",
    "finite_difference_grad",
    "finite_difference_hessian",
    "finite_difference_jacobian",
    "fit_gaussian_kl",
    "fit_temperature",
    "gaussian_kl_landscape",
    "gaussian_logpdf",
    "gaussian_mixture_logpdf",
    "gumbel_max_sample",
    "huffman_code_lengths",
    "iid_block",
    "is_prefix_free",
    "kl_divergence_on_grid",
    "kl_float32_estimates",
    "kraft_sum",
    "load_iris",
    "local_minima_gaussian_kl",
    "loss_condition_number",
    "mle_train_test_losses",
    "mutual_information",
    "naive_linear_cross_entropy_with_grad",
    "online_logsumexp",
    "peak_memory",
    "reference_cross_entropy",
    "reference_log_softmax",
    "relative_error",
    "reliability_bins",
    "round_to_bfloat16",
    "shannon_code_lengths",
    "softmax_jacobian",
    "softmax_loss_with_grad",
    "stein_threshold_exponents",
    "total_variation",
    "train_softmax_regression",
    "train_with_loss_bug",
]
