"""
A gridworld: which states can be told apart
===========================================

A gridworld: which states can a learner that knows the actions tell apart?

A 5x5 grid with three actions: ``right`` wraps around in x (a torus direction),
``up`` and ``down`` stop at the walls in y (``Min``/``Max``). The permutations of
the 25 states that commute with every action form the cyclic group C_5 of shifts in
x: each row is one orbit, so a learner recovers y exactly and x only up to a shift.

Run as ``python examples/gridworld.py``. It prints the group and its orbits and, when
matplotlib is installed, saves ``gridworld.png`` beside this file: the state graph
with every state coloured by its orbit.
"""

from __future__ import annotations

from pathlib import Path

import equivid
from equivid.finite import finite_system

SIZE = 5
#: Beside this script (the documentation build runs it without ``__file__``, from its folder).
PICTURE = (Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()) / "gridworld.png"


def gridworld(size: int = SIZE) -> equivid.System:
    """The gridworld's actions as maps of the states ``(x, y)``."""
    last = size - 1
    return finite_system(
        {"x": size, "y": size},
        {
            "right": f"(Mod(x + 1, {size}), y)",
            "up": f"(x, Min(y + 1, {last}))",
            "down": "(x, Max(y - 1, 0))",
        },
        description=f"a {size}x{size} gridworld, wrap-around in x, walls in y",
    )


def draw(group: equivid.EquivarianceGroup, path: Path) -> bool:
    """Save the state graph coloured by orbit; False (and a message) without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: skipping the picture (pip install matplotlib)")
        return False
    import networkx as nx

    graph = group.state_graph()
    pos = {s: (s[0], s[1]) for s in graph.nodes}
    colours = [graph.nodes[s]["orbit"] for s in graph.nodes]
    styles = {"right": "tab:blue", "up": "tab:green", "down": "tab:red"}
    fig, ax = plt.subplots(figsize=(6, 6))
    for name, colour in styles.items():
        edges = [(u, v) for u, v, m in graph.edges(data="mechanism") if m == name and u != v]
        nx.draw_networkx_edges(graph, pos, edgelist=edges, edge_color=colour, ax=ax,
                               connectionstyle="arc3,rad=0.15", arrows=True)
    nx.draw_networkx_nodes(graph, pos, node_color=colours, cmap="viridis", node_size=500, ax=ax)
    nx.draw_networkx_labels(graph, pos, labels={s: f"{s[0]},{s[1]}" for s in graph.nodes},
                            font_size=7, font_color="white", ax=ax)
    ax.set_title(f"{group.description}: one colour per orbit (walls: self-loops not drawn)")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, label=name) for name, c in styles.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1, 1), fontsize=8)
    ax.set_axis_off()
    fig.savefig(path, dpi=120, bbox_inches="tight")  # left open: the gallery shows it
    return True


def main() -> None:
    group = equivid.solve(gridworld())
    print(group)
    print(f"\norder {group.order}; orbits (states the learner cannot tell apart):")
    for orbit in group.orbits:
        print("  ", orbit)
    if draw(group, PICTURE):
        print(f"\nsaved {PICTURE}")


if __name__ == "__main__":
    main()
