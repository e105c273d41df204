"""One plotting helper per book figure, each returning the Axes it drew on.

Chapters end a figure cell with ``show(plot_something(...))``. Nothing here changes global
matplotlib state on import; the shared look comes from :func:`new_axes`.
"""

from xentbook.plots._binary import (
    plot_bce_probability_form,
    plot_bce_vs_logit,
    plot_pos_weight_optimum,
)
from xentbook.plots._calibration import (
    plot_calibration_comparison,
    plot_distillation_scale,
    plot_focal_gradient_ratio,
    plot_focal_loss,
    plot_focal_optimum,
    plot_label_smoothing_loss,
    plot_reliability_diagram,
)
from xentbook.plots._ce_vs_mse import (
    plot_gradient_size_vs_probability,
    plot_learning_rate_sweep,
    plot_sigmoid_loss_landscape,
)
from xentbook.plots._divergence import (
    plot_cross_entropy_vs_q,
    plot_decomposition_bars,
    plot_kl_fits,
    plot_kl_near_p,
    plot_log_bound,
    plot_nll_curve,
    plot_pinsker,
)
from xentbook.plots._entropy import (
    plot_binary_entropy,
    plot_block_coding,
    plot_code_length_rounding,
    plot_code_tree,
    plot_information_diagram,
    plot_quantized_entropy,
    plot_simplex_entropy,
)
from xentbook.plots._gradient import (
    plot_ce_vs_mse,
    plot_curvature_vs_confidence,
    plot_finite_difference_error,
    plot_gradient_norm_bounds,
    plot_loss_and_gradient_along_logit,
    plot_loss_contour,
    plot_target_entry_error,
    plot_training_curves,
)
from xentbook.plots._information import (
    plot_bernoulli_entropy,
    plot_code_lengths,
    plot_cumulative_surprise,
    plot_entropy_histogram,
    plot_naive_loss_underflow,
    plot_surprisal,
    plot_surprisal_halvings,
)
from xentbook.plots._language_model import (
    plot_micro_batch_weights,
    plot_packing,
    plot_soft_cap,
    plot_target_alignment,
    plot_window_context,
)
from xentbook.plots._likelihood import (
    plot_bernoulli_nll,
    plot_expected_scores,
    plot_sampling_distributions,
    plot_smoothing_excess,
    plot_train_test_losses,
)
from xentbook.plots._loss import (
    plot_gradient_noise,
    plot_log_loss_shape,
    plot_soft_target_floor,
    plot_surrogate_bounds,
    plot_true_logit_gradient,
)
from xentbook.plots._mistakes import (
    plot_buggy_training,
    plot_clamped_loss,
    plot_double_softmax,
    plot_initial_loss,
    plot_loss_without_log,
)
from xentbook.plots._scale import plot_live_memory, plot_memory_at_scale, plot_online_softmax
from xentbook.plots._softmax import (
    plot_entropy_vs_temperature,
    plot_error_vs_condition,
    plot_float_grid,
    plot_loss_vs_probability,
    plot_relative_error,
    plot_smooth_max,
    plot_temperature,
)
from xentbook.plots._style import COLORS, new_axes, show

__all__ = [
    "COLORS",
    "new_axes",
    "plot_bce_probability_form",
    "plot_bce_vs_logit",
    "plot_bernoulli_entropy",
    "plot_bernoulli_nll",
    "plot_binary_entropy",
    "plot_block_coding",
    "plot_buggy_training",
    "plot_calibration_comparison",
    "plot_ce_vs_mse",
    "plot_clamped_loss",
    "plot_code_length_rounding",
    "plot_code_lengths",
    "plot_code_tree",
    "plot_cross_entropy_vs_q",
    "plot_cumulative_surprise",
    "plot_curvature_vs_confidence",
    "plot_decomposition_bars",
    "plot_distillation_scale",
    "plot_double_softmax",
    "plot_entropy_histogram",
    "plot_entropy_vs_temperature",
    "plot_error_vs_condition",
    "plot_expected_scores",
    "plot_finite_difference_error",
    "plot_float_grid",
    "plot_focal_gradient_ratio",
    "plot_focal_loss",
    "plot_focal_optimum",
    "plot_gradient_noise",
    "plot_gradient_norm_bounds",
    "plot_gradient_size_vs_probability",
    "plot_information_diagram",
    "plot_initial_loss",
    "plot_kl_fits",
    "plot_kl_near_p",
    "plot_label_smoothing_loss",
    "plot_learning_rate_sweep",
    "plot_live_memory",
    "plot_log_bound",
    "plot_log_loss_shape",
    "plot_loss_and_gradient_along_logit",
    "plot_loss_contour",
    "plot_loss_vs_probability",
    "plot_loss_without_log",
    "plot_memory_at_scale",
    "plot_micro_batch_weights",
    "plot_naive_loss_underflow",
    "plot_nll_curve",
    "plot_online_softmax",
    "plot_packing",
    "plot_pinsker",
    "plot_pos_weight_optimum",
    "plot_quantized_entropy",
    "plot_relative_error",
    "plot_reliability_diagram",
    "plot_sampling_distributions",
    "plot_sigmoid_loss_landscape",
    "plot_simplex_entropy",
    "plot_smooth_max",
    "plot_smoothing_excess",
    "plot_soft_cap",
    "plot_soft_target_floor",
    "plot_surprisal",
    "plot_surprisal_halvings",
    "plot_surrogate_bounds",
    "plot_target_alignment",
    "plot_target_entry_error",
    "plot_temperature",
    "plot_train_test_losses",
    "plot_training_curves",
    "plot_true_logit_gradient",
    "plot_window_context",
    "show",
]
