import pytest

from kit.maze.env import sample_mazes


@pytest.fixture(scope="session")
def mazes():
    """Twelve real procgen mazes, one of each size 3..25, cheese anywhere."""
    return [sample_mazes(1, 7, [size])[0] for size in range(3, 26, 2)]
