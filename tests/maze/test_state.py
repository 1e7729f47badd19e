import numpy as np
import pytest

from kit.maze.env import get_states, load_states, make_env
from kit.maze.geometry import CHEESE, WALL, free_mask
from kit.maze.state import MazeState, StateError, read_grid


@pytest.fixture(scope="module")
def blobs():
    return make_env(16, 3).callmethod("get_state")


@pytest.mark.slow
def test_parse_serialize_is_byte_exact(blobs):
    for blob in blobs:
        state = MazeState.parse(blob)
        assert state.serialize() == blob
        assert (read_grid(blob) == state.grid).all()


@pytest.mark.slow
def test_geometry_follows_the_reference(blobs):
    for blob in blobs:
        s = MazeState.parse(blob)
        m = s.offset
        assert s.world_dim == 25 and s.maze_dim % 2 == 1 and 3 <= s.maze_dim <= 25
        assert m == (25 - s.maze_dim) // 2
        assert s.mouse == (m, m)  # bottom-left cell of the maze, y-up
        assert (s.grid == CHEESE).sum() == 1
        inner = s.inner_grid()
        assert inner.shape == (s.maze_dim, s.maze_dim)
        assert free_mask(s.grid).sum() == free_mask(inner).sum()  # nothing free outside


@pytest.mark.slow
def test_other_games_and_broken_blobs_are_refused(blobs):
    coinrun = make_env_named("coinrun")
    with pytest.raises(StateError, match="from game b'coinrun'"):
        MazeState.parse(coinrun)
    with pytest.raises(StateError, match="truncated"):
        MazeState.parse(blobs[0][:5000])
    with pytest.raises(StateError, match="end marker"):
        MazeState.parse(blobs[0][:-4] + b"\0\0\0\0")
    with pytest.raises(StateError, match="bytes"):
        MazeState.parse("maze")
    with pytest.raises(StateError, match="end marker"):
        read_grid(b"x" * 40)


def make_env_named(name: str) -> bytes:
    from procgen import ProcgenGym3Env

    return ProcgenGym3Env(num=1, env_name=name, num_levels=0, rand_seed=0).callmethod("get_state")[
        0
    ]


@pytest.mark.slow
def test_impossible_edits_are_refused(blobs):
    s = MazeState.parse(blobs[0])
    ys, xs = np.nonzero(s.grid == WALL)
    m, d = s.offset, s.maze_dim
    inside = [(x, y) for x, y in zip(xs, ys, strict=True) if m <= x < m + d and m <= y < m + d]
    if inside:
        with pytest.raises(StateError, match="on a wall"):
            s.move_cheese(tuple(int(v) for v in inside[0]))
    with pytest.raises(StateError, match="outside the maze"):
        s.move_mouse((m - 1, m))
    with pytest.raises(StateError, match="under the mouse"):
        s.move_cheese(s.mouse)
    with pytest.raises(StateError, match="must be 51, 100 or 2"):
        s.set_grid(np.full_like(s.grid, 7))


@pytest.mark.slow
def test_edited_cheese_is_eaten_where_it_was_put():
    """Cheese moved next to the mouse: one step onto it ends the episode with reward 10."""
    env = make_env(8, 11)
    states = get_states(env)
    actions = []
    for s in states:
        x, y = s.mouse
        if s.grid[y, x + 1] != WALL:
            s.move_cheese((x + 1, y))
            actions.append(7)  # right
        else:
            s.move_cheese((x, y + 1))
            actions.append(5)  # up
    load_states(env, states)
    env.act(np.array(actions, dtype=np.int32))
    reward, _, first = env.observe()
    assert (reward == 10).all() and first.all()


@pytest.mark.slow
def test_moved_mouse_and_removed_cheese_survive_set_state():
    env = make_env(4, 12)
    states = get_states(env)
    for s in states:
        s.remove_cheese()
        x, y = s.mouse
        target = (x + 1, y) if s.grid[y, x + 1] != WALL else (x, y + 1)
        s.move_mouse(target)
    load_states(env, states)
    back = get_states(env)
    for s, b in zip(states, back, strict=True):
        assert b.mouse == s.mouse and b.cheese is None


@pytest.mark.slow
def test_maze_picture_marks_the_landmarks(blobs):
    from kit.maze.picture import COLOURS, maze_image, maze_png

    s = MazeState.parse(blobs[2])
    image = maze_image(s, path=[s.mouse], cell_px=4)
    assert image.shape == (4 * s.maze_dim, 4 * s.maze_dim, 3)
    x, y = s.cheese
    row = (s.maze_dim - 1 - (y - s.offset)) * 4  # y-up grid, image top-down
    assert tuple(image[row, (x - s.offset) * 4]) == COLOURS["cheese"]
    assert tuple(image[-1, 0]) == COLOURS["start"]  # bottom-left cell
    assert maze_png(s).startswith(b"\x89PNG")
