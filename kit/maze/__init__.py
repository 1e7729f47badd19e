"""The maze laboratory (issue 5, in progress): procgen maze geometry so far.

Grids are y-up (`grid[y, x]`, y = 0 at the bottom), as procgen stores them; the cell
values are WALL (51), EMPTY (100) and CHEESE (2).
"""
