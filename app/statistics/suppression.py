"""Small-cell suppression that also survives subtraction from totals.

Primary: a cell under ``min_cell`` is suppressed. Complementary: in every slice along every
dimension (the cells that add up to a total another query can publish), suppressed cells
must number at least two and add up to at least ``min_cell``; otherwise the next smallest
cell is suppressed too. So "total minus the published cells" only ever reveals a sum of
several cells that is itself not small.
"""

from __future__ import annotations

from collections import defaultdict

Key = tuple[str, ...]


def suppress(cells: dict[Key, int], dimensions: int, min_cell: int) -> set[Key]:
    hidden = {key for key, count in cells.items() if count < min_cell}
    changed = True
    while changed:
        changed = False
        for d in range(dimensions):
            slices: dict[Key, list[Key]] = defaultdict(list)
            for key in cells:
                slices[key[:d] + key[d + 1 :]].append(key)
            for members in slices.values():
                changed |= _protect(members, cells, hidden, min_cell)
    return hidden


def _protect(members: list[Key], cells: dict[Key, int], hidden: set[Key], min_cell: int) -> bool:
    changed = False
    while True:
        suppressed = [k for k in members if k in hidden]
        if not suppressed:
            return changed
        if len(suppressed) >= 2 and sum(cells[k] for k in suppressed) >= min_cell:
            return changed
        visible = sorted((k for k in members if k not in hidden), key=lambda k: (cells[k], k))
        if not visible:
            return changed
        hidden.add(visible[0])
        changed = True
