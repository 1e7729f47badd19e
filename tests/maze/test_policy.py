import pytest
import torch

from kit.maze.policy import MazePolicy, PolicyError, load_policy, preprocess, save_policy

HOOKED = "embedder.block2.res1.resadd"


def test_module_names_follow_the_published_format():
    names = dict(MazePolicy(1).named_modules())
    for block in (1, 2, 3):
        for part in ("conv", "maxpool", "res1.resadd", "res2.conv2", "res1.relu1"):
            assert f"embedder.block{block}.{part}" in names
    for name in ("embedder.relu3", "embedder.flatten", "embedder.fc", "embedder.reluflatten"):
        assert name in names
    assert names["fc_policy"].out_features == 15 and names["fc_value"].out_features == 1


@pytest.mark.parametrize("scale", [1, 2])
def test_save_then_load_gives_identical_outputs(tmp_path, scale):
    torch.manual_seed(0)
    policy = MazePolicy(scale).eval()
    path = save_policy(policy, tmp_path / "p.pt", note="test")
    loaded = load_policy(path)
    assert loaded.scale == scale
    x = preprocess(torch.randint(0, 256, (4, 64, 64, 3), dtype=torch.uint8))
    with torch.no_grad():
        a, b = policy(x), loaded(x)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert a[0].shape == (4, 15) and torch.allclose(a[0].exp().sum(-1), torch.ones(4))


def test_bad_checkpoints_are_clear_errors(tmp_path):
    state = MazePolicy(1).state_dict()
    missing = {k: v for k, v in state.items() if not k.startswith("fc_value")}
    torch.save({"model_state_dict": missing}, tmp_path / "missing.pt")
    with pytest.raises(PolicyError, match="missing keys: fc_value.bias, fc_value.weight"):
        load_policy(tmp_path / "missing.pt")
    wrong = dict(state, **{"fc_policy.weight": torch.zeros(4, 256)})
    torch.save({"model_state_dict": wrong}, tmp_path / "shape.pt")
    with pytest.raises(PolicyError, match=r"fc_policy.weight: \(4, 256\) != \(15, 256\)"):
        load_policy(tmp_path / "shape.pt")
    torch.save({"weights": state}, tmp_path / "nokey.pt")
    with pytest.raises(PolicyError, match="no 'model_state_dict'"):
        load_policy(tmp_path / "nokey.pt")
    (tmp_path / "text.pt").write_text("not a checkpoint")
    with pytest.raises(PolicyError, match="not a torch checkpoint"):
        load_policy(tmp_path / "text.pt")
    with pytest.raises(PolicyError, match="no such checkpoint"):
        load_policy(tmp_path / "absent.pt")


def test_observations_must_be_64x64_rgb():
    with pytest.raises(ValueError, match=r"\(N, 64, 64, 3\)"):
        preprocess(torch.zeros(2, 3, 64, 64))
