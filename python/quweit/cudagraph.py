"""Whole-training-step CUDA graphs (CUDA only, optional).

A small LUT network's training step is a few hundred tiny kernels, so at small batches its speed is
set by the host launching them, not by the GPU. :class:`GraphedStep` records one step (forward,
backward, optimiser step, table clamp) as a CUDA graph and replays it: one launch per step.

Rules the step must follow (PyTorch's whole-network capture): static input tensors (``__call__``
copies each batch into them), no host synchronisation inside the step, an optimiser built with
``capturable=True`` (a tensor learning rate lets a schedule change it between replays), and no
change of shapes. The warm-up steps that capture needs are undone: parameters and floating
buffers are restored and the optimiser state is restored (state the warm-up created is zeroed), so
the first replay is the first real step, also when training resumes from a checkpoint.
"""
from __future__ import annotations

import torch


class GraphedStep:
    def __init__(self, step_fn, static_inputs, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                 warmup: int = 3):
        if not all(t.is_cuda for t in static_inputs):
            raise ValueError("GraphedStep needs CUDA tensors")
        self.static_inputs = [t.clone() for t in static_inputs]
        saved = [(t, t.detach().clone()) for t in _state_tensors(model)]
        saved_opt = {id(p): {k: v.clone() for k, v in st.items() if torch.is_tensor(v)}
                     for p, st in optimizer.state.items()}
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(warmup):
                optimizer.zero_grad(set_to_none=True)
                step_fn(*self.static_inputs)
        torch.cuda.current_stream().wait_stream(stream)
        # Tensors that the captured kernels read by address and that live in module-level caches
        # (inverse mappings, EFD kernel matrices) are pinned here so that no cache eviction frees them.
        self._pinned = _cached_tensors()
        optimizer.zero_grad(set_to_none=True)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.static_output = step_fn(*self.static_inputs)
        with torch.no_grad():  # undo the warm-up steps
            for t, v in saved:
                if t.is_floating_point() or not torch.equal(t, v):
                    t.copy_(v)
            for p, st in optimizer.state.items():
                old = saved_opt.get(id(p), {})
                for k, v in st.items():
                    if torch.is_tensor(v):
                        if k in old:
                            v.copy_(old[k])
                        else:
                            v.zero_()

    def __call__(self, *inputs):
        for s, x in zip(self.static_inputs, inputs):
            s.copy_(x, non_blocking=True)
        self.graph.replay()
        return self.static_output


def _state_tensors(model: torch.nn.Module):
    return [p.data for p in model.parameters()] + [b for b in model.buffers()]


def _cached_tensors():
    out = []
    from .nn import efd
    out += list(efd._KERNELS.values())
    try:
        from .nn import _triton_lut
        out += [v[2] for v in _triton_lut._INV_CACHE.values()]
    except Exception:  # no Triton: nothing cached there
        pass
    return out


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Set every group's learning rate, in place when it is a tensor (graph-captured optimisers)."""
    for g in optimizer.param_groups:
        if torch.is_tensor(g["lr"]):
            g["lr"].fill_(lr)
        else:
            g["lr"] = lr
