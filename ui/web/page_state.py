"""A page's state in Gradio, made as it is needed rather than all at once when the page opens.

Gradio keeps, for every open page (session), a copy of every component's configuration, which it
reads only to save a "deep link" to the page (a feature this app does not offer) and updates as
handlers change components. It builds all of them the moment a page sends its first event: with
the trainer, worker and admin screens in one app that is hundreds of components. Sampled with
`python -m bench.serve_load --processes 1 --profile` (py-spy, 2 shared cores): 100 pages opened
held the interpreter 6.4 s for it, against 10.1 s for the 1,000 answers asked on them — one page
opened cost about six answers. :func:`build_on_demand` makes each configuration when it is first
asked for (0.005 s for the same 100 pages); what Gradio then finds is the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any


class _OnDemand(dict):
    """Component id -> configuration, each made on first use from the page's own blocks."""

    def __init__(self, blocks_config: Any, ids: Iterable[int]) -> None:
        super().__init__()
        self._blocks_config = blocks_config
        self._order = list(ids)
        self._pending = dict.fromkeys(self._order)

    def _make(self, key: Any) -> None:
        if key in self._pending:
            del self._pending[key]
            block = self._blocks_config.blocks[key]
            dict.__setitem__(self, key, self._blocks_config.config_for_block(key, [], block))

    def _make_all(self) -> None:
        if not self._pending:
            return
        for key in list(self._pending):
            self._make(key)
        made = dict(dict.items(self))  # in Gradio's order again: the blocks', then any added later
        dict.clear(self)
        ordered = set(self._order)
        for key in [*self._order, *(k for k in made if k not in ordered)]:
            if key in made:
                dict.__setitem__(self, key, made[key])

    def __contains__(self, key: object) -> bool:
        self._make(key)
        return dict.__contains__(self, key)

    def __getitem__(self, key: Any) -> Any:
        self._make(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._make(key)
        return dict.get(self, key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._pending.pop(key, None)
        dict.__setitem__(self, key, value)

    def __iter__(self):
        self._make_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._pending)

    def keys(self):
        self._make_all()
        return dict.keys(self)

    def values(self):
        self._make_all()
        return dict.values(self)

    def items(self):
        self._make_all()
        return dict.items(self)


def build_on_demand() -> None:
    """Make Gradio build a new page's component configurations on demand (idempotent)."""
    from gradio import state_holder

    cls = state_holder.SessionState
    if getattr(cls, "_shifu_on_demand", False):
        return
    original = cls.__init__

    def __init__(self: Any, blocks: Any) -> None:
        # Gradio's own set-up, given no blocks to configure; then the configurations on demand.
        original(self, SimpleNamespace(default_config=blocks.default_config, blocks={}))  # type: ignore[arg-type]
        self.config_values = _OnDemand(self.blocks_config,
                                       [k for k in self.blocks_config.blocks if k in blocks.blocks])

    cls.__init__ = __init__  # type: ignore[method-assign]
    cls._shifu_on_demand = True  # type: ignore[attr-defined]
