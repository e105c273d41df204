"""Chapter 13's claims about PyTorch 2.13, run on the installed torch.

The chapter shows the bfloat16 example as a static block with its printed output; this file runs
the same code and asserts the printed numbers, and checks what the text says of
``F.linear_cross_entropy``.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch


def _live_bytes_mode():
    """A dispatch mode that counts the bytes of tensor storages created by ATen operators
    while they are alive (weak references release them), and their peak."""
    import weakref

    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten

    class Live(TorchDispatchMode):
        def __init__(self) -> None:
            super().__init__()
            self.live = self.peak = 0
            self.held: dict[int, tuple[int, object]] = {}

        def _drop(self, key: int) -> None:
            self.live -= self.held.pop(key)[0]

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            seen = {
                a.untyped_storage().data_ptr()
                for a in tree_flatten((args, kwargs))[0]
                if isinstance(a, torch.Tensor)
            }
            for t in tree_flatten(out)[0]:
                if isinstance(t, torch.Tensor):
                    st = t.untyped_storage()
                    key, nbytes = st.data_ptr(), st.nbytes()
                    if nbytes and key not in self.held and key not in seen:
                        ref = weakref.ref(st, lambda _r, key=key: self._drop(key))
                        self.held[key] = (nbytes, ref)
                        self.live += nbytes
                        self.peak = max(self.peak, self.live)
            return out

    return Live


def _bf16_example():
    torch.manual_seed(0)
    logits = 2.5 * torch.randn(2048, 32000)
    target = torch.randint(0, 32000, (2048,))
    logits[torch.arange(2048), target] += 10.0
    low = logits.to(torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        autocast = F.cross_entropy(low, target)
    return {
        "float32 logits": F.cross_entropy(logits, target),
        "bf16, no upcast": F.cross_entropy(low, target),
        "bf16, upcast": F.cross_entropy(low.float(), target),
        "bf16, autocast": autocast,
    }


def test_bfloat16_losses_as_printed():
    printed = {
        "float32 logits": (torch.float32, "3.6661"),
        "bf16, no upcast": (torch.bfloat16, "3.6562"),
        "bf16, upcast": (torch.float32, "3.6664"),
        "bf16, autocast": (torch.float32, "3.6664"),
    }
    for name, loss in _bf16_example().items():
        dtype, value = printed[name]
        assert loss.dtype == dtype, name
        assert f"{loss.item():.4f}" == value, name


def test_linear_cross_entropy_default_is_the_reference_composition():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(64, 16, generator=gen)
    w = torch.randn(500, 16, generator=gen)
    t = torch.randint(0, 500, (64,), generator=gen)
    reference = F.cross_entropy(F.linear(x, w), t)
    # options=None is documented as the reference path: the same operators, the same value.
    assert F.linear_cross_entropy(x, w, t).item() == reference.item()
    chunked = F.linear_cross_entropy(x, w, t, options=torch.nn.LinearCrossEntropyOptions())
    torch.testing.assert_close(chunked, reference, rtol=1e-5, atol=0)


def test_bfloat16_loss_error_is_in_the_nll_loss_reduction():
    # The second block of the chapter: the per-token bf16 losses average to the float32 loss,
    # `.mean()` rounds once, and the CPU nll_loss sum is off by more than one rounding.
    torch.manual_seed(0)
    logits = 2.5 * torch.randn(2048, 32000)
    target = torch.randint(0, 32000, (2048,))
    logits[torch.arange(2048), target] += 10.0
    low = logits.to(torch.bfloat16)
    lp = F.log_softmax(low, dim=1)
    per_token = -lp[torch.arange(2048), target]
    assert f"{per_token.float().mean().item():.4f}" == "3.6661"
    assert f"{per_token.mean().item():.4f}" == "3.6719"
    total = F.nll_loss(lp, target, reduction="sum")
    exact = per_token.double().sum().item()
    assert total.dtype == torch.bfloat16
    assert f"{total.item():.1f}" == "7488.0" and f"{exact:.1f}" == "7508.1"
    nearest = torch.tensor(exact).to(torch.bfloat16).item()
    assert nearest == 7520.0
    assert f"{7488 / 2048:.4f}" == "3.6562"


def test_autocast_float32_list_is_per_op_on_cpu():
    low = torch.randn(4, 10).to(torch.bfloat16)
    target = torch.tensor([0, 1, 2, 3])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert F.cross_entropy(low, target).dtype == torch.float32
        assert F.log_softmax(low, dim=1).dtype == torch.bfloat16
        assert torch.logsumexp(low, dim=1).dtype == torch.bfloat16


def test_bfloat16_reductions_accumulate_in_float32():
    ones = torch.ones(5000, dtype=torch.bfloat16)
    assert ones.sum().item() == 4992.0
    assert ones.cumsum(0)[-1].item() == 4992.0
    assert torch.tensor(5000.0).to(torch.bfloat16).item() == 4992.0  # 5000 correctly rounded


def test_no_custom_reduce_op_and_fsdp2_output_dtype():
    import inspect

    dist = pytest.importorskip("torch.distributed")
    ops = {name for name in dir(dist.ReduceOp) if name.isupper()}
    assert ops == {"SUM", "PRODUCT", "MIN", "MAX", "AVG", "PREMUL_SUM", "BAND", "BOR", "BXOR"}
    from torch.distributed.fsdp import MixedPrecisionPolicy

    assert "output_dtype" in inspect.signature(MixedPrecisionPolicy).parameters


def _bfloat16_problem():
    """The precision section's problem: bfloat16 X (8192, 64) and W (2000, 64), targets, and
    float64 leaves of the same values whose .grad is the reference (computed by torch)."""
    torch.manual_seed(0)
    x = torch.randn(8192, 64).bfloat16()
    w = (torch.randn(2000, 64) / 4).bfloat16()
    t = torch.randint(0, 2000, (8192,))
    x64, w64 = x.double().requires_grad_(), w.double().requires_grad_()
    F.cross_entropy(x64 @ w64.T, t).backward()
    return x, w, t, x64, w64


def _chunked_weight_grad_errors():
    # The static block of the chapter's precision section: bfloat16 X and W, dL/dW from
    # F.linear_cross_entropy with a fixed number of rows per chunk under each acc_policy, against
    # float64 from the same bfloat16 inputs (the reference is computed by torch in float64).
    x, w, t, x64, w64 = _bfloat16_problem()

    def relative(grad, ref):
        return ((grad.double() - ref).norm() / ref.norm()).item()

    table, dtypes = {}, set()
    for rows in (8192, 1024, 256, 64):
        errors = []
        for policy in ("accurate", "balanced", "compact"):
            options = torch.nn.LinearCrossEntropyOptions(
                batch_chunk_size=rows,
                chunking_method=None,
                acc_policy=policy,
                acc_dtype=torch.float32,
            )
            xb, wb = x.clone().requires_grad_(), w.clone().requires_grad_()
            F.linear_cross_entropy(xb, wb, t, options=options).backward()
            errors.append(relative(wb.grad, w64.grad))
            dtypes.add(wb.grad.dtype)
        errors.append(relative(xb.grad, x64.grad))
        table[rows] = [f"{e:.4f}" for e in errors]
    xb, wb = x.clone().requires_grad_(), w.clone().requires_grad_()
    F.linear_cross_entropy(xb, wb, t, options=torch.nn.LinearCrossEntropyOptions()).backward()
    default = relative(wb.grad, w64.grad)
    xb, wb = x.clone().requires_grad_(), w.clone().requires_grad_()
    F.cross_entropy(F.linear(xb, wb), t).backward()
    unfused = relative(wb.grad, w64.grad)
    return table, dtypes, default, unfused


def test_chunked_weight_grad_is_accumulated_in_the_input_dtype():
    # The chapter's claim: under every acc_policy, PyTorch 2.13 adds the chunks' dL/dW into a
    # tensor of the input dtype (bfloat16), so the error grows with the number of chunks, while
    # dL/dX (one product per chunk, no cross-chunk sum) does not change.
    table, dtypes, default, unfused = _chunked_weight_grad_errors()
    printed = {
        8192: ["0.0017", "0.0017", "0.0017", "0.0017"],
        1024: ["0.0034", "0.0034", "0.0034", "0.0017"],
        256: ["0.0065", "0.0065", "0.0065", "0.0017"],
        64: ["0.0155", "0.0155", "0.0155", "0.0017"],
    }
    assert table == printed
    assert dtypes == {torch.bfloat16}
    assert f"{default:.4f}" == "0.0065"  # CPU default: accurate, 256 rows, 32 chunks
    assert f"{unfused:.4f}" == "0.0023"
    # acc_policy changes nothing: the float32 scratch holds one chunk's product only.
    assert all(len(set(row[:3])) == 1 for row in table.values())


def test_chunked_weight_grad_float32_weights_still_bfloat16_accumulated():
    # bfloat16 hidden states with float32 weights: .grad is float32, the error still grows.
    torch.manual_seed(0)
    x = torch.randn(8192, 64).bfloat16()
    w = torch.randn(2000, 64) / 4
    t = torch.randint(0, 2000, (8192,))
    x64, w64 = x.double().requires_grad_(), w.double().requires_grad_()
    F.cross_entropy(x64 @ w64.T, t).backward()
    errors = {}
    for rows in (8192, 64):
        xb, wb = x.clone().requires_grad_(), w.clone().requires_grad_()
        options = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=rows, chunking_method=None)
        F.linear_cross_entropy(xb, wb, t, options=options).backward()
        assert wb.grad.dtype == torch.float32
        errors[rows] = ((wb.grad.double() - w64.grad).norm() / w64.grad.norm()).item()
    assert f"{errors[8192]:.4f}" == "0.0017" and f"{errors[64]:.4f}" == "0.0155"


def test_chunked_op_runs_in_its_inputs_dtype_under_autocast():
    # Section sec-13-precision: the chunked op does not follow autocast. Under CPU bfloat16
    # autocast, float32 hidden states and weights are computed in float32 throughout (dL/dW
    # error at float32 level with 128 chunks); bfloat16 hidden states give the bfloat16 sum.
    torch.manual_seed(0)
    x = torch.randn(8192, 64).bfloat16()
    w = (torch.randn(2000, 64) / 4).bfloat16().float()
    t = torch.randint(0, 2000, (8192,))
    x64, w64 = x.double().requires_grad_(), w.double().requires_grad_()
    F.cross_entropy(x64 @ w64.T, t).backward()
    errors = {}
    for name, hidden in (("float32", x.float()), ("bfloat16", x)):
        xb, wb = hidden.clone().requires_grad_(), w.clone().requires_grad_()
        options = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=64, chunking_method=None)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = F.linear_cross_entropy(xb, wb, t, options=options)
        loss.backward()
        assert loss.dtype == hidden.dtype and wb.grad.dtype == torch.float32
        errors[name] = ((wb.grad.double() - w64.grad).norm() / w64.grad.norm()).item()
    assert errors["float32"] < 1e-6  # text: "2e-7"
    assert f"{errors['float32']:.0e}" == "2e-07"
    assert f"{errors['bfloat16']:.4f}" == "0.0155"


def test_linear_cross_entropy_options_defaults_and_fallbacks():
    import warnings

    options = torch.nn.LinearCrossEntropyOptions()
    # CPU, bfloat16, the chapter's small setting: accurate, float32 scratch, 256 rows.
    cpu = options._adjust(8192, 64, 2000, torch.bfloat16, torch.device("cpu"))
    assert (cpu.acc_policy, cpu.acc_dtype, cpu.batch_chunk_size) == ("accurate", torch.float32, 256)
    # The CUDA bfloat16 default is ("compact", "aspect_ratio:2"); at N = 16,384, D = 4096,
    # V = 128,256 that rule gives 256 rows, 64 chunks.
    from torch.nn.modules.linear_cross_entropy_options import _AUTO_DEFAULTS

    assert tuple(_AUTO_DEFAULTS[("cuda", torch.bfloat16)]) == ("compact", "aspect_ratio:2")
    assert options._compute_batch_chunk_size(16384, 4096, 128256, "aspect_ratio:2") == 256
    # label_smoothing > 0 (and float targets): options ignored with a warning, full logits.
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(64, 16, generator=gen)
    w = torch.randn(500, 16, generator=gen)
    t = torch.randint(0, 500, (64,), generator=gen)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        smoothed = F.linear_cross_entropy(x, w, t, label_smoothing=0.1, options=options)
    assert any("options`` ignored" in str(c.message) for c in caught)
    assert smoothed.item() == F.cross_entropy(F.linear(x, w), t, label_smoothing=0.1).item()


def test_exercise_5_float32_accumulator():
    # Exercise ex-13-5's solution, run as printed; the reference is float64 from the same inputs.
    x, w, t, _, w64 = _bfloat16_problem()

    def relative(grad, ref):
        return ((grad.double() - ref).norm() / ref.norm()).item()

    def chunked_weight_grad(x, w, t, rows, acc_dtype):
        acc = torch.zeros(w.shape, dtype=acc_dtype)
        for start in range(0, len(t), rows):
            xb, tb = x[start : start + rows], t[start : start + rows]
            g = torch.softmax(xb.float() @ w.float().T, dim=1)
            g[torch.arange(len(tb)), tb] -= 1
            acc += (g / len(t)).T @ xb.float()
        return acc.to(w.dtype)

    printed = {8192: ("0.0017", "0.0017"), 64: ("0.0155", "0.0017")}
    for rows, (bf16, fp32) in printed.items():
        assert (
            f"{relative(chunked_weight_grad(x, w, t, rows, torch.bfloat16), w64.grad):.4f}" == bf16
        )
        assert (
            f"{relative(chunked_weight_grad(x, w, t, rows, torch.float32), w64.grad):.4f}" == fp32
        )
    # The solution's remark: rounding each piece to bfloat16 before the add gives 0.0157.
    pre_rounded = torch.zeros(w.shape, dtype=torch.bfloat16)
    for start in range(0, len(t), 64):
        xb, tb = x[start : start + 64], t[start : start + 64]
        g = torch.softmax(xb.float() @ w.float().T, dim=1)
        g[torch.arange(len(tb)), tb] -= 1
        pre_rounded += ((g / len(t)).T @ xb.float()).to(torch.bfloat16)
    assert f"{relative(pre_rounded, w64.grad):.4f}" == "0.0157"
    gib = 2**30
    assert (
        f"{128_256 * 4096 * 4 / gib:.2f}" == "1.96" and f"{128_256 * 4096 * 2 / gib:.2f}" == "0.98"
    )


def test_chunked_upcast_keeps_one_float32_copy_and_lowers_the_backward_peak():
    # Section sec-13-designs, torchtune's chunked loss: each chunk upcast to float32 and its
    # summed loss added. Tensor storages created by ATen operators are counted while alive
    # (a dispatch mode; weak references release them), in float32 copies of the logits.
    Live = _live_bytes_mode()

    n, v = 2048, 32000
    torch.manual_seed(0)
    target = torch.randint(0, v, (n,))
    copy = n * v * 4
    for k, peak in ((1, 3.0), (8, 1.25)):
        logits = torch.randn(n, v).bfloat16().requires_grad_()
        with Live() as live:
            pieces = zip(logits.chunk(k), target.chunk(k), strict=True)
            loss = sum(F.cross_entropy(z.float(), y, reduction="sum") for z, y in pieces) / n
            after_forward = live.live
            loss.backward()
        assert abs(after_forward / copy - 1.0) < 1e-3  # the float32 log-probabilities
        assert abs(live.peak / copy - peak) < 1e-3  # 1 + 2 / k


def _linear_problem(n, d, v):
    """Hidden states X (n, d), an unembedding W (v, d) and targets, seeded; X and W need grad."""
    torch.manual_seed(0)
    x = torch.randn(n, d).requires_grad_()
    w = (torch.randn(v, d) / 8).requires_grad_()
    return x, w, torch.randint(0, v, (n,))


def test_composed_loss_under_autocast_holds_the_logits_only_while_referenced():
    # Section sec-13-measured, fig-13-memory's upper line: under bfloat16 autocast, F.linear then
    # F.cross_entropy peaks at 3 float32 copies beyond the inputs when nothing refers to the
    # bfloat16 logits (freed once upcast), and at 3.5 (the bfloat16 logits too) when the training
    # code keeps them through the backward pass. The bfloat16 casts of X and W add under 0.02.
    Live = _live_bytes_mode()

    n, d, v = 2048, 64, 32000
    x, w, t = _linear_problem(n, d, v)
    copy = n * v * 4
    for keep, peak in ((False, 3.0), (True, 3.5)):
        x.grad = w.grad = None
        with Live() as live:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = F.linear(x, w)
                loss = F.cross_entropy(logits, t)
            kept = logits if keep else None
            del logits
            loss.backward()
        assert kept is None or kept.dtype == torch.bfloat16
        assert peak <= live.peak / copy < peak + 0.02


def test_per_token_log_probabilities_without_a_log_softmax_copy():
    # Section sec-13-designs: log_softmax(-1).gather(...) saves an N x V array of
    # log-probabilities for the backward pass; gathering the target logits and subtracting
    # logsumexp(-1) gives the same numbers and saves only length-N vectors beyond the logits.
    # Saved tensors are counted with autograd's saved-tensor hooks.
    gen = torch.Generator().manual_seed(13)
    z = torch.randn(512, 8000, generator=gen).requires_grad_()
    y = torch.randint(0, 8000, (512,), generator=gen)

    def saved_beyond_logits(fn):
        saved = {}

        def pack(t):
            if t.data_ptr() != z.data_ptr():
                saved[t.data_ptr()] = t.numel() * t.element_size()
            return t

        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            out = fn()
        return out, sum(saved.values()) / (z.numel() * z.element_size())

    via_log_softmax, copies_a = saved_beyond_logits(
        lambda: z.log_softmax(-1).gather(-1, y[:, None]).squeeze(-1)
    )
    via_logsumexp, copies_b = saved_beyond_logits(
        lambda: z.gather(-1, y[:, None]).squeeze(-1) - z.logsumexp(-1)
    )
    assert copies_a >= 1.0
    assert copies_b < 512 * 3 * 8 / (z.numel() * z.element_size())  # a few length-N vectors
    reference = z.detach().double().log_softmax(-1)[torch.arange(512), y]
    torch.testing.assert_close(via_logsumexp.double(), reference, rtol=0, atol=1e-5)
    torch.testing.assert_close(via_log_softmax.double(), reference, rtol=0, atol=1e-5)


def test_per_token_log_probabilities_peak_memory_of_both_routes():
    # Section sec-13-no-logits: `logsumexp` saves the logits for its backward pass, so the
    # gather-minus-logsumexp route saves an N x V array between the passes only when the code
    # holds the logits anyway, and its backward peak is no lower. Storages created by ATen
    # operators are counted while alive (the logits included), in float32 copies of the logits:
    # held logits, 4 copies at the peak for both routes; dropped, 4 (logsumexp) against 3.
    Live = _live_bytes_mode()

    n, d, v = 512, 64, 8000
    x, w, y = _linear_problem(n, d, v)
    copy = n * v * 4
    routes = {
        "log_softmax": lambda z: z.log_softmax(-1).gather(-1, y[:, None]).squeeze(-1),
        "logsumexp": lambda z: z.gather(-1, y[:, None]).squeeze(-1) - z.logsumexp(-1),
    }
    measured = {}
    for name, route in routes.items():
        for keep in (False, True):
            x.grad = w.grad = None
            with Live() as live:
                logits = F.linear(x, w)
                out = route(logits)
                kept = logits if keep else None
                del logits
                after_forward = live.live / copy
                out.sum().backward()
            assert kept is None or kept.shape == (n, v)
            measured[name, keep] = (round(after_forward, 2), round(live.peak / copy, 2))
    assert measured == {
        ("log_softmax", False): (1.0, 3.0),
        ("log_softmax", True): (2.0, 4.0),
        ("logsumexp", False): (1.0, 4.0),
        ("logsumexp", True): (1.0, 4.0),
    }


def test_balanced_documented_as_cross_chunk_float32_and_compact_falls_back_on_cpu():
    # The chapter: the documentation of acc_policy="balanced" promises a float32 scratch "for
    # cross-chunk weight-grad accumulation", yet the gradient is allocated in the input dtype;
    # on CPU with bfloat16 inputs "compact" takes the same path as "balanced".
    import inspect

    from torch.nn.modules import linear_cross_entropy as impl
    from torch.nn.modules import linear_cross_entropy_options as opts

    assert "for cross-chunk weight-grad accumulation" in " ".join(inspect.getsource(opts).split())
    assert "dtype=input.dtype" in inspect.getsource(impl)
    # On CUDA, "compact" has no float32 scratch: each chunk's product, then its target-row
    # correction, is added straight into the input-dtype gradient (two in-place updates).
    code = " ".join(inspect.getsource(impl).split())
    assert 'acc_policy == "compact" and (is_cuda or logits_buf_dtype == dtype)' in code
    assert "grad_linear_weight.sub_(weight_grad_chunk)" in code
    compact = code[code.index("grad_linear_weight.addmm_(") :]
    assert "grad_linear_weight.index_add_(0, target_chunk" in compact[:400]
    torch.manual_seed(0)
    x = torch.randn(512, 16).bfloat16()
    w = (torch.randn(300, 16) / 4).bfloat16()
    t = torch.randint(0, 300, (512,))
    grads = []
    for policy in ("balanced", "compact"):
        options = torch.nn.LinearCrossEntropyOptions(
            batch_chunk_size=64, chunking_method=None, acc_policy=policy, acc_dtype=torch.float32
        )
        wb = w.clone().requires_grad_()
        F.linear_cross_entropy(x, wb, t, options=options).backward()
        grads.append(wb.grad)
    assert grads[0].dtype == torch.bfloat16
    assert torch.equal(grads[0], grads[1])


def test_loss_parallel_exchanges_max_and_sum():
    # The chapter: PyTorch's DTensor loss_parallel all-reduces the maximum and the sum of the
    # log-softmax (and the target's log-probability in a third collective).
    import inspect

    loss = pytest.importorskip("torch.distributed.tensor.parallel.loss")
    source = inspect.getsource(loss._log_softmax)
    assert "ReduceOp.MAX" in source and "ReduceOp.SUM" in source
    assert "an all_reduce happens here" in inspect.getsource(loss._nll_loss_forward)
    assert callable(loss.loss_parallel)


def test_checkpointed_chunks_in_plain_pytorch():
    # Section sec-13-designs: chunks wrapped in activation checkpointing keep nothing after the
    # forward pass and peak at 3 / k float32 copies of the logits plus the two gradients; the
    # chunks' dL/dW is summed by autograd in the weight's dtype (bfloat16: per-chunk rounding).
    from torch.utils.checkpoint import checkpoint

    def chunk_loss(x, w, t):
        return F.cross_entropy(F.linear(x, w), t, reduction="sum")

    def checkpointed_cross_entropy(x, w, t, chunks=8):
        kept = (t != -100).sum()  # the global count of kept targets, not per chunk
        pieces = zip(x.chunk(chunks), t.chunk(chunks), strict=True)
        total = sum(checkpoint(chunk_loss, xc, w, tc, use_reentrant=False) for xc, tc in pieces)
        return total / kept

    Live = _live_bytes_mode()
    n, d, v = 2048, 64, 32000
    torch.manual_seed(0)
    x, w = torch.randn(n, d), torch.randn(v, d) / 8
    t = torch.randint(0, v, (n,))
    t[::50] = -100
    xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
    reference = F.cross_entropy(F.linear(xr, wr), t)
    reference.backward()
    copy, grads = n * v * 4, (n * d + v * d) * 4
    peaks = {}
    for k in (1, 8):
        xc, wc = x.clone().requires_grad_(), w.clone().requires_grad_()
        with Live() as live:
            loss = checkpointed_cross_entropy(xc, wc, t, k)
            after_forward = live.live
            loss.backward()
        assert after_forward < 1e-6 * copy  # a few scalars
        peaks[k] = live.peak / copy
        torch.testing.assert_close(loss, reference, rtol=1e-6, atol=0)
        torch.testing.assert_close(xc.grad, xr.grad, rtol=1e-5, atol=1e-9)
        torch.testing.assert_close(wc.grad, wr.grad, rtol=1e-5, atol=1e-9)
    assert f"{peaks[1]:.2f}" == "3.00" and f"{peaks[8]:.2f}" == "0.41"
    assert abs(peaks[8] - (3 / 8 + grads / copy)) < 1e-3

    x, w, t, _, w64 = _bfloat16_problem()
    errors = {}
    for k in (1, 128):
        wb = w.clone().requires_grad_()
        checkpointed_cross_entropy(x, wb, t, k).backward()
        assert wb.grad.dtype == torch.bfloat16
        errors[k] = f"{((wb.grad.double() - w64.grad).norm() / w64.grad.norm()).item():.4f}"
    assert errors == {1: "0.0023", 128: "0.0157"}
    # Float32 weights under bfloat16 autocast: .grad is float32, the chunks' sum still bfloat16.
    autocast_errors = []
    for k in (1, 128):
        wf = w.float().requires_grad_()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = checkpointed_cross_entropy(x.float(), wf, t, k)
        loss.backward()
        assert wf.grad.dtype == torch.float32
        autocast_errors.append(((wf.grad.double() - w64.grad).norm() / w64.grad.norm()).item())
    assert autocast_errors[0] < 0.0025 and autocast_errors[1] > 5 * autocast_errors[0]


def test_linear_cross_entropy_uint8_indices_fall_back():
    # Section sec-13-designs: any non-int64 target leaves the chunked path, uint8 class indices
    # (which F.cross_entropy accepts) included; int32 indices are rejected by both paths.
    import warnings

    gen = torch.Generator().manual_seed(2)
    x, w = torch.randn(16, 8, generator=gen), torch.randn(100, 8, generator=gen)
    t = torch.randint(0, 100, (16,), generator=gen)
    options = torch.nn.LinearCrossEntropyOptions()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = F.linear_cross_entropy(x, w, t.to(torch.uint8), options=options)
    assert any("options`` ignored" in str(c.message) for c in caught)
    assert loss.item() == F.cross_entropy(F.linear(x, w), t).item()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fallback warning comes first
        with pytest.raises(RuntimeError, match="Long or Byte"):
            F.linear_cross_entropy(x, w, t.int(), options=options)


def test_linear_cross_entropy_per_token_losses_recompute_in_backward():
    # Section sec-13-designs: the chunked op finishes the gradients in the forward pass for a
    # mean or a sum only; with reduction="none" the per-row upstream gradient is known only in
    # the backward pass, so the forward pass keeps its inputs alone and the backward pass
    # recomputes the chunks' logits (per-row weights applied correctly, retain_graph allowed).
    import inspect
    import warnings

    source = " ".join(inspect.getsource(F.linear_cross_entropy).split())
    assert "reduction='none' recomputes grads in backward" in source
    Live = _live_bytes_mode()
    n, d, v = 2048, 64, 32000
    x, w, t = _linear_problem(n, d, v)
    copy, grads = n * v * 4, (n * d + v * d) * 4
    options = torch.nn.LinearCrossEntropyOptions()
    held = {}
    for reduction in ("mean", "none"):
        with Live() as live:
            out = F.linear_cross_entropy(x, w, t, reduction=reduction, options=options)
            held[reduction] = live.live
        del out
    assert abs(held["mean"] - grads) < 1e-3 * copy  # the two gradients, computed in forward
    assert held["none"] <= n * 4  # the per-token losses only
    weights = torch.linspace(0.5, 1.5, n)  # one upstream gradient per row
    out = F.linear_cross_entropy(x, w, t, reduction="none", options=options)
    (weights * out).sum().backward(retain_graph=True)
    gx, gw = x.grad.clone(), w.grad.clone()
    x.grad = w.grad = None
    (weights * out).sum().backward()  # a second backward works here, unlike mean or sum
    torch.testing.assert_close(x.grad, gx, rtol=0, atol=0)
    xr, wr = x.detach().clone().requires_grad_(), w.detach().clone().requires_grad_()
    (weights * F.cross_entropy(F.linear(xr, wr), t, reduction="none")).sum().backward()
    for ours, reference in ((gx, xr.grad), (gw, wr.grad)):  # float32 sums in another order
        assert ((ours - reference).norm() / reference.norm()).item() < 1e-5
    out = F.linear_cross_entropy(x, w, t, options=options)
    out.backward(retain_graph=True)
    with warnings.catch_warnings(), pytest.raises(RuntimeError, match="called twice"):
        out.backward()


def test_upcast_and_shift_copies_do_not_raise_the_composed_peak():
    # Section sec-13-no-logits: a logits.float() and a shifted .contiguous() copy made inside
    # the loss function live only in the forward pass; with bfloat16 logits held by the
    # caller the composed loss peaks at 3.5 float32 copies whether the code makes both copies,
    # only the upcast, or lets autocast upcast (the shifted copy has (T - 1) / T of the rows).
    Live = _live_bytes_mode()
    b, seq, d, v = 4, 256, 64, 16000
    torch.manual_seed(0)
    x = torch.randn(b, seq, d).bfloat16().requires_grad_()
    w = (torch.randn(v, d) / 8).bfloat16().requires_grad_()
    labels = torch.randint(0, v, (b, seq))
    copy = b * seq * v * 4

    def both_copies(logits):
        logits = logits.float()
        shifted = logits[..., :-1, :].contiguous()
        return F.cross_entropy(shifted.view(-1, v), labels[..., 1:].reshape(-1))

    def upcast_only(logits):
        shifted_labels = F.pad(labels, (0, 1), value=-100)[..., 1:]
        return F.cross_entropy(logits.float().view(-1, v), shifted_labels.reshape(-1))

    def autocast_upcast(logits):
        shifted_labels = F.pad(labels, (0, 1), value=-100)[..., 1:]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return F.cross_entropy(logits.view(-1, v), shifted_labels.reshape(-1))

    for loss_fn in (both_copies, upcast_only, autocast_upcast):
        x.grad = w.grad = None
        with Live() as live:
            logits = F.linear(x, w)  # held by the caller through the backward pass
            loss = loss_fn(logits)
            forward_peak = live.peak
            loss.backward()
        assert logits.dtype == torch.bfloat16
        assert forward_peak <= live.peak
        assert 3.45 < live.peak / copy < 3.52, loss_fn.__name__
