"""The IMPALA maze policy, in the published checkpoint format.

Module names match the goal-misgeneralization maze checkpoints
(`embedder.block{1,2,3}.{conv,maxpool,res{1,2}.{relu1,conv1,relu2,conv2,resadd}}`,
`embedder.{relu3,flatten,fc,reluflatten}`, `fc_policy`, `fc_value`), so hooks written for
the published policy (e.g. `embedder.block2.res1.resadd`) work on the kit's. Block
channels are 16·s, 32·s, 32·s; `load_policy` reads s from the weights.
Input: RGB observations (N, 64, 64, 3) uint8, scaled to [0, 1] and put channels first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

N_ACTIONS = 15


class PolicyError(ValueError):
    """A checkpoint that does not hold an IMPALA maze policy."""


class ResAdd(nn.Module):
    """The residual addition as a module, so that its output can be hooked."""

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return x + residual


class ResidualBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.resadd = ResAdd()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.resadd(self.conv2(self.relu2(self.conv1(self.relu1(x)))), x)


class ImpalaBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.res1 = ResidualBlock(out_channels)
        self.res2 = ResidualBlock(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.res2(self.res1(self.maxpool(self.conv(x))))


class Embedder(nn.Module):
    def __init__(self, scale: int) -> None:
        super().__init__()
        c1, c2, c3 = 16 * scale, 32 * scale, 32 * scale
        self.block1 = ImpalaBlock(3, c1)
        self.block2 = ImpalaBlock(c1, c2)
        self.block3 = ImpalaBlock(c2, c3)
        self.relu3 = nn.ReLU()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(c3 * 8 * 8, 256)
        self.reluflatten = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.flatten(self.relu3(self.block3(self.block2(self.block1(x)))))
        return self.reluflatten(self.fc(x))


class MazePolicy(nn.Module):
    """IMPALA CNN → 256 → (15 action logits, value)."""

    def __init__(self, scale: int = 1) -> None:
        super().__init__()
        if scale < 1:
            raise PolicyError(f"scale must be a positive integer, got {scale}")
        self.scale = scale
        self.embedder = Embedder(scale)
        self.fc_policy = nn.Linear(256, N_ACTIONS)
        self.fc_value = nn.Linear(256, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (N, 3, 64, 64) floats in [0, 1] → (log-probabilities (N, 15), value (N,))."""
        h = self.embedder(x)
        return torch.log_softmax(self.fc_policy(h), dim=-1), self.fc_value(h).squeeze(-1)


def preprocess(obs: Any) -> torch.Tensor:
    """(N, 64, 64, 3) uint8 RGB → (N, 3, 64, 64) float in [0, 1]."""
    x = torch.as_tensor(obs)
    if x.ndim != 4 or tuple(x.shape[1:]) != (64, 64, 3):
        raise ValueError(f"observations must be (N, 64, 64, 3), got {tuple(x.shape)}")
    return x.permute(0, 3, 1, 2).float().div_(255.0)


def save_policy(policy: MazePolicy, path: str | Path, **metadata: Any) -> Path:
    """Write `{"model_state_dict": ..., "metadata": ...}` atomically."""
    import os
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        torch.save({"model_state_dict": policy.state_dict(), "metadata": metadata}, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def load_policy(path: str | Path) -> MazePolicy:
    """Load a checkpoint in the published format; the scale comes from the weights."""
    path = Path(path)
    if not path.is_file():
        raise PolicyError(f"{path}: no such checkpoint")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - torch raises many kinds for a bad file
        raise PolicyError(f"{path}: not a torch checkpoint ({type(e).__name__}: {e})") from None
    state = checkpoint.get("model_state_dict") if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise PolicyError(f"{path}: no 'model_state_dict' in the checkpoint")
    first = state.get("embedder.block1.conv.weight")
    if first is None or first.ndim != 4 or first.shape[0] % 16:
        raise PolicyError(f"{path}: 'embedder.block1.conv.weight' missing or not 16·s channels")
    policy = MazePolicy(first.shape[0] // 16)
    expected = policy.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    shapes = [
        f"{k}: {tuple(state[k].shape)} != {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and tuple(state[k].shape) != tuple(v.shape)
    ]
    problems = (
        ([f"missing keys: {', '.join(missing[:5])}"] if missing else [])
        + ([f"unexpected keys: {', '.join(unexpected[:5])}"] if unexpected else [])
        + ([f"mismatched shapes: {'; '.join(shapes[:5])}"] if shapes else [])
    )
    if problems:
        raise PolicyError(
            f"{path}: not an IMPALA maze policy of scale {policy.scale}: " + " | ".join(problems)
        )
    policy.load_state_dict(state)
    policy.eval()
    return policy


def checkpoint_metadata(path: str | Path) -> dict[str, Any]:
    checkpoint = torch.load(Path(path), map_location="cpu", weights_only=True)
    return dict(checkpoint.get("metadata") or {})
