"""Capture and patch activations of named policy modules with torch forward hooks.

    with hooks(policy, capture=["embedder.block2.res1.resadd"],
               patch={"embedder.block2.res1.resadd": subtract(cheese_vector)}) as seen:
        logp, value = policy(x)
    seen["embedder.block2.res1.resadd"]      # the patched output, (N, C, H, W)

Hooks are removed when the block ends, also on error. A patch is a function from a
module's output tensor to the tensor that replaces it; `compose` chains them. Capture
records what the module finally passes on (after any patch at that module).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

import torch
from torch import nn

Patch = Callable[[torch.Tensor], torch.Tensor]


class HookError(KeyError):
    """An unknown module name."""

    def __str__(self) -> str:
        return str(self.args[0])


def module(policy: nn.Module, name: str) -> nn.Module:
    """The submodule called `name`; HookError names the closest real names."""
    modules = dict(policy.named_modules())
    if name not in modules or not name:
        close = difflib.get_close_matches(name, [n for n in modules if n], n=4, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise HookError(f"no module {name!r} in the policy{hint}")
    return modules[name]


@contextmanager
def hooks(
    policy: nn.Module,
    capture: Iterable[str] = (),
    patch: Mapping[str, Patch] | None = None,
) -> Iterator[dict[str, torch.Tensor]]:
    """Patch the outputs of the modules in `patch` and record those named in `capture`."""
    patch = dict(patch or {})
    capture = list(capture)
    targets = {name: module(policy, name) for name in [*patch, *capture]}  # check all first
    seen: dict[str, torch.Tensor] = {}
    handles = []

    def make_hook(name: str):
        def hook(_module, _inputs, output):
            if name in patch:
                output = patch[name](output)
            if name in capture:
                seen[name] = output.detach().clone()
            return output

        return hook

    try:
        for name, mod in targets.items():
            handles.append(mod.register_forward_hook(make_hook(name)))
        yield seen
    finally:
        for handle in handles:
            handle.remove()


def _channels(channels: int | Iterable[int]) -> list[int]:
    return [channels] if isinstance(channels, int) else list(channels)


def add(vector: torch.Tensor, coefficient: float = 1.0) -> Patch:
    """Add `coefficient`·`vector` (broadcast over the batch)."""
    return lambda out: out + coefficient * vector.to(out.dtype)


def subtract(vector: torch.Tensor, coefficient: float = 1.0) -> Patch:
    return add(vector, -coefficient)


def set_channels(channels: int | Iterable[int], value: float | torch.Tensor) -> Patch:
    """Set whole channels (dim 1) to `value` (a number or a (H, W) map)."""
    chans = _channels(channels)

    def patch(out: torch.Tensor) -> torch.Tensor:
        out = out.clone()
        out[:, chans] = torch.as_tensor(value, dtype=out.dtype)
        return out

    return patch


def zero_channels(channels: int | Iterable[int]) -> Patch:
    return set_channels(channels, 0.0)


def mean_ablate(channels: int | Iterable[int], mean: torch.Tensor) -> Patch:
    """Replace channels by their mean activation `mean` (C, H, W) over a reference set."""
    chans = _channels(channels)

    def patch(out: torch.Tensor) -> torch.Tensor:
        out = out.clone()
        out[:, chans] = mean[chans].to(out.dtype)
        return out

    return patch


def resample(source: torch.Tensor, channels: int | Iterable[int] | None = None) -> Patch:
    """Take the activations (all, or `channels`) from another maze's `source` (1 or N, C, H, W)."""

    def patch(out: torch.Tensor) -> torch.Tensor:
        if channels is None:
            return source.to(out.dtype).expand_as(out).clone()
        out = out.clone()
        chans = _channels(channels)
        out[:, chans] = source[:, chans].to(out.dtype).expand_as(out[:, chans])
        return out

    return patch


def compose(*patches: Patch) -> Patch:
    """Apply `patches` left to right."""

    def patch(out: torch.Tensor) -> torch.Tensor:
        for p in patches:
            out = p(out)
        return out

    return patch
