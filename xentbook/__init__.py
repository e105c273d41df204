"""xentbook: cross-entropy loss computed to the last bit, and the companion of the xentbook book.

The public functions are re-exported here; ``xentbook.plots`` holds one helper per book figure.
Importing the package has no side effects (no plotting style, no warnings filters).
"""

from xentbook.binary import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
)
from xentbook.calibration import (
    expected_calibration_error,
    fit_temperature,
    perplexity,
    reliability_bins,
)
from xentbook.coding import (
    average_code_length,
    canonical_code,
    decode_prefix,
    huffman_code_lengths,
    is_prefix_free,
    kraft_sum,
    shannon_code_lengths,
)
from xentbook.cross_entropy import cross_entropy, cross_entropy_grad, cross_entropy_with_grad
from xentbook.datasets import load_iris
from xentbook.fitting import (
    empirical_distribution,
    fit_gaussian_kl,
    gaussian_logpdf,
    gaussian_mixture_logpdf,
    gaussian_nll,
    kl_divergence_on_grid,
)
from xentbook.focal import focal_loss
from xentbook.gradients import finite_difference_grad, softmax_jacobian
from xentbook.information import cross_entropy_pq, entropy, kl_divergence, surprisal
from xentbook.primitives import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax, softplus
from xentbook.reference import reference_cross_entropy, reference_log_softmax, relative_error
from xentbook.regression import mse, mse_grad
from xentbook.scale import (
    linear_cross_entropy,
    linear_cross_entropy_with_grad,
    naive_linear_cross_entropy_with_grad,
    online_logsumexp,
    peak_memory,
)
from xentbook.training import softmax_loss_with_grad, train_softmax_regression

__version__ = "0.1.0"

__all__ = [
    "average_code_length",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "canonical_code",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_pq",
    "cross_entropy_with_grad",
    "decode_prefix",
    "empirical_distribution",
    "entropy",
    "expected_calibration_error",
    "finite_difference_grad",
    "fit_gaussian_kl",
    "fit_temperature",
    "focal_loss",
    "gaussian_logpdf",
    "gaussian_mixture_logpdf",
    "gaussian_nll",
    "huffman_code_lengths",
    "is_prefix_free",
    "kl_divergence",
    "kl_divergence_on_grid",
    "kraft_sum",
    "linear_cross_entropy",
    "linear_cross_entropy_with_grad",
    "load_iris",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "mse",
    "mse_grad",
    "naive_linear_cross_entropy_with_grad",
    "online_logsumexp",
    "peak_memory",
    "perplexity",
    "reference_cross_entropy",
    "reference_log_softmax",
    "relative_error",
    "reliability_bins",
    "shannon_code_lengths",
    "sigmoid",
    "softmax",
    "softmax_jacobian",
    "softmax_loss_with_grad",
    "softplus",
    "surprisal",
    "train_softmax_regression",
]
