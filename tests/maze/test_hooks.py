import pytest
import torch

from kit.maze import hooks as h
from kit.maze.policy import MazePolicy

LAYER = "embedder.block2.res1.resadd"


@pytest.fixture(scope="module")
def policy():
    torch.manual_seed(0)
    return MazePolicy(1).eval()


@pytest.fixture(scope="module")
def x():
    return torch.rand(3, 3, 64, 64, generator=torch.Generator().manual_seed(1))


def _no_hooks(policy):
    return all(not m._forward_hooks for m in policy.modules())


def test_capture_records_the_layer_and_leaves_no_trace(policy, x):
    with torch.no_grad(), h.hooks(policy, capture=[LAYER]) as seen:
        policy(x)
    assert seen[LAYER].shape == (3, 32, 16, 16)
    assert _no_hooks(policy)


def test_hooks_are_removed_on_error(policy, x):
    with (
        pytest.raises(RuntimeError, match="boom"),
        h.hooks(policy, patch={LAYER: h.add(torch.ones(1))}),
    ):
        raise RuntimeError("boom")
    assert _no_hooks(policy)


def test_a_zero_patch_changes_nothing(policy, x):
    with torch.no_grad():
        base = policy(x)[0]
        with h.hooks(policy, patch={LAYER: h.add(torch.zeros(32, 16, 16))}):
            patched = policy(x)[0]
    assert torch.equal(base, patched)


def test_patches_change_what_they_say(policy, x):
    with torch.no_grad():
        with h.hooks(policy, capture=[LAYER]) as clean:
            base = policy(x)[0]
        act = clean[LAYER]
        vec = torch.randn(32, 16, 16)
        with h.hooks(policy, capture=[LAYER], patch={LAYER: h.subtract(vec, 2.0)}) as seen:
            policy(x)
        assert torch.allclose(seen[LAYER], act - 2 * vec)
        with h.hooks(policy, capture=[LAYER], patch={LAYER: h.set_channels([3, 5], 5.5)}) as seen:
            policy(x)
        assert (seen[LAYER][:, [3, 5]] == 5.5).all()
        assert torch.equal(seen[LAYER][:, 4], act[:, 4])
        mean = act.mean(0)
        both = h.compose(h.zero_channels(1), h.mean_ablate([2], mean))
        with h.hooks(policy, capture=[LAYER], patch={LAYER: both}) as seen:
            policy(x)
        assert (seen[LAYER][:, 1] == 0).all() and torch.equal(
            seen[LAYER][:, 2], mean[2].expand(3, 16, 16)
        )
        with h.hooks(policy, patch={LAYER: h.resample(act[:1])}):
            swapped = policy(x)[0]
        assert torch.allclose(swapped, base[:1].expand(3, 15), atol=1e-6)


def test_unknown_module_names_list_close_names(policy):
    close = r"no module 'embedder.block2.res1.resad'.*did you mean embedder.block2.res1.resadd"
    with pytest.raises(h.HookError, match=close), h.hooks(policy, capture=[LAYER[:-1]]):
        pass
    assert _no_hooks(policy)
