"""Every registered loss, grouped by family, searchable by name or purpose."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget
from superqt.utils import signals_blocked

NAME_ROLE = Qt.ItemDataRole.UserRole
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1


class LossPicker(QWidget):
    """A search line over a tree of losses; emits ``loss_chosen(name)`` when the user picks one."""

    loss_chosen = Signal(str)

    def __init__(self, specs, families, parent=None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search losses (name or use)…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("search losses")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("losses by family")
        self._items: dict[str, QTreeWidgetItem] = {}
        self._fill(specs, families)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        self.search.textChanged.connect(self._on_search_changed)
        self.search.returnPressed.connect(self._on_search_entered)
        self.tree.currentItemChanged.connect(self._on_current_changed)

    def _fill(self, specs, families) -> None:
        for family in families:
            members = [s for s in specs if s.family == family]
            if not members:
                continue
            group = QTreeWidgetItem(self.tree, [family.capitalize()])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in members:
                item = QTreeWidgetItem(group, [spec.display_name])
                item.setData(0, NAME_ROLE, spec.name)
                item.setToolTip(0, f"{spec.name}: {spec.summary}")
                item.setData(0, Qt.ItemDataRole.AccessibleTextRole, spec.name)
                self._items[spec.name] = item
                haystack = f"{spec.name} {spec.display_name} {spec.summary} {family}"
                item.setData(0, SEARCH_ROLE, haystack.lower())
        self.tree.expandAll()

    def current(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, NAME_ROLE) if item is not None else None

    def select(self, name: str) -> None:
        """Show ``name`` as chosen without emitting ``loss_chosen``."""
        item = self._items.get(name)
        if item is None or item is self.tree.currentItem():
            return
        with signals_blocked(self.tree):
            self.tree.setCurrentItem(item)

    def item(self, name: str) -> QTreeWidgetItem:
        """The tree's row of loss ``name`` (KeyError if there is none)."""
        return self._items[name]

    def visible_names(self) -> list[str]:
        return [n for n, item in self._items.items() if not item.isHidden()]

    def _on_search_changed(self, text: str) -> None:
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                child = group.child(j)
                haystack = child.data(0, SEARCH_ROLE)
                match = all(w in haystack for w in words)
                child.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)

    def _on_search_entered(self) -> None:
        # Enter in the search box picks the first match, so the keyboard alone is enough.
        visible = self.visible_names()
        if visible:
            self.tree.setCurrentItem(self._items[visible[0]])
            self.tree.setFocus()

    def _on_current_changed(self, current, _previous) -> None:
        name = current.data(0, NAME_ROLE) if current is not None else None
        if name:
            self.loss_chosen.emit(name)
