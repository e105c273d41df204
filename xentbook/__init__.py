"""xentbook: cross-entropy loss computed to the last bit, and the companion of the xentbook book.

The top level is the loss library: the numerically careful primitives, the cross-entropy
family, the binary cross-entropy family, focal loss, squared error, Gaussian NLL, and the
information quantities of distributions. Helpers that exist to teach a chapter live in
``xentbook.book``; ``xentbook.plots`` holds one helper per book figure. Importing the package
has no side effects (no plotting style, no warnings filters).
"""

from xentbook.binary import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
)
from xentbook.calibration import perplexity
from xentbook.cross_entropy import cross_entropy, cross_entropy_grad, cross_entropy_with_grad
from xentbook.fitting import gaussian_nll
from xentbook.focal import focal_loss
from xentbook.information import cross_entropy_pq, entropy, kl_divergence, surprisal
from xentbook.language_model import (
    AccumulatedLoss,
    SequenceLosses,
    accumulated_cross_entropy_with_grad,
    bits_per_byte,
    next_token_targets,
    sequence_losses,
    sliding_window_spans,
    soft_cap,
    soft_cap_grad,
    z_loss,
    z_loss_grad,
)
from xentbook.primitives import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax, softplus
from xentbook.regression import mse, mse_grad
from xentbook.scale import linear_cross_entropy, linear_cross_entropy_with_grad

__version__ = "0.2.0"

__all__ = [
    "AccumulatedLoss",
    "SequenceLosses",
    "accumulated_cross_entropy_with_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "bits_per_byte",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_pq",
    "cross_entropy_with_grad",
    "entropy",
    "focal_loss",
    "gaussian_nll",
    "kl_divergence",
    "linear_cross_entropy",
    "linear_cross_entropy_with_grad",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "mse",
    "mse_grad",
    "next_token_targets",
    "perplexity",
    "sequence_losses",
    "sigmoid",
    "sliding_window_spans",
    "soft_cap",
    "soft_cap_grad",
    "softmax",
    "softplus",
    "surprisal",
    "z_loss",
    "z_loss_grad",
]
