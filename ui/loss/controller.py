"""The Loss page's logic: keeps the scene, answers every control, asks explorer, redraws.

Evaluation is synchronous: the slides' tensors take far less than a frame. A
change that does not parse leaves the last valid result on screen with a
message saying why; nothing typed is ever thrown away.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject

from explorer import losses
from explorer.errors import InputError
from explorer.inputs import check_option
from explorer.losses import composite, curves, own, tensors, transforms
from explorer.losses.limits import next_seed
from explorer.losses.scene import LossScene
from ui.common.worker import reported
from ui.loss.composite import TermsEdit, terms_edit_label
from ui.loss.controls import focus_chain
from ui.loss.edits import CallbackCommand, Shaped, dims_of, overlay, parses, rows_of
from ui.loss.result import discard
from ui.loss.tensor_editor import TensorEditor


class LossController(QObject):
    """Controller of one :class:`~ui.loss.panel.LossPanel`: owns its scene and last result."""

    def __init__(self, page):
        super().__init__(page)
        self.page = page
        self.scene = LossScene()
        self.device = None
        self.editors: dict[str, TensorEditor] = {}
        self.last_result = None
        self.last_inputs: dict | None = None
        self.selected: tuple[str, tuple] | None = None
        self._curve_key = None  # what the drawn curve was computed for
        self._put_away: dict[tuple, object] = {}  # (loss, input spec) -> tensor, see _reshape
        self._own_key: tuple | None = None  # the formula the header and compare chart show
        self._loading = False

    @property
    def spec(self):
        """The loss as its options shape it (CrossEntropyLoss with probability targets)."""
        return losses.catalog.variant(losses.spec(self.scene.loss), self.scene.options)

    @property
    def undo_stack(self):
        return self.page.undo_stack

    def connect_views(self) -> None:
        c = self.page.controls
        c.picker.loss_chosen.connect(self.choose_loss)
        c.dim_changed.connect(self._on_dim_changed)
        c.randomize_requested.connect(self._on_randomize_requested)
        c.seed_chosen.connect(self._draw)
        c.reset_requested.connect(self._on_reset_requested)
        c.reduction_changed.connect(self._on_reduction_changed)
        c.transform_changed.connect(self._on_transform_changed)
        c.options.changed.connect(self._on_options_changed)
        self.page.result.banner.fix_requested.connect(self._on_fix_requested)
        self.page.composite.terms_changed.connect(self._on_terms_changed)
        self.page.worked.changed.connect(self._on_worked_changed)
        self.page.compare.selection_changed.connect(self._on_compare_changed)

    # --- choosing a loss ------------------------------------------------------------------
    def choose_loss(self, name: str) -> None:
        """Show loss ``name`` with the slide's example and its defaults."""
        spec = losses.spec(name)
        example = losses.example(name)
        self.scene = LossScene(
            loss=name, dims=dims_of(spec, example), reduction=spec.default_reduction,
            compare=self.scene.compare, worked_probabilities=self.scene.worked_probabilities,
            transform=losses.slide_transform(name),  # the slide's step (NLL: LogSoftmax)
            note=losses.slide_note(name),
        )
        self.undo_stack.clear()  # old steps refer to the previous loss's editors
        self.last_result = self.last_inputs = None
        self._build_editors(spec)
        self.page.header.set_spec(spec, losses.formula(name))
        self.page.header.set_note(self.scene.note)
        self._own_key = None
        self.page.controls.set_loss(spec, self.scene.dims, self.scene.reduction, {})
        self.page.controls.set_transform(self.scene.transform)
        self.page.controls.set_transform_enabled(any(s.name == "input" for s in spec.inputs))
        self.page.result.set_inputs(spec.inputs)
        absent = {n: composite.unfit_reason(name, n) for n in losses.names()}
        self.page.composite.set_choices(composite.partners(name), name,
                                        {n: why for n, why in absent.items() if why})
        self.page.composite.set_terms([])
        self._show_tensors(example)
        self.evaluate()
        self._chain_focus()

    def _chain_focus(self) -> None:
        """Tab follows the page: controls, then each tensor, then the tabs and the code."""
        tables = [editor.table for editor in self.editors.values()]
        focus_chain([*self.page.controls.tab_chain(), *tables, self.page.tabs,
                     self.page.code.copy_button])

    def _build_editors(self, spec) -> None:
        box = self.page.editors_box
        for editor in self.editors.values():
            box.removeWidget(editor)
            discard(editor)
        self.editors = {}
        for input_spec in spec.inputs:
            editor = TensorEditor(input_spec, self.undo_stack)
            editor.edited.connect(self._on_editor_edited)
            editor.cell_selected.connect(self._on_cell_selected)
            box.addWidget(editor)
            self.editors[input_spec.name] = editor
        first = spec.inputs[0].name
        self.selected = (first, (0,) * len(spec.inputs[0].shape))

    def _show_tensors(self, values: dict, label: str | None = None) -> None:
        """Put ``values`` into the editors: one undo step (a macro) when ``label`` is given."""
        self._loading = True
        try:
            if label:
                self.undo_stack.beginMacro(label)
            self._sync_num_classes(dims_of(self.spec, values))
            for name, editor in self.editors.items():
                editor.set_tensor(values[name], label)
            if label:
                self.undo_stack.endMacro()
        finally:
            self._loading = False
        self._on_editor_edited()

    def _sync_num_classes(self, dims: dict[str, int]) -> None:
        for editor in self.editors.values():
            if editor.spec.kind in ("class_index", "label_list"):
                editor.set_num_classes(dims.get("C"))

    # --- evaluating -----------------------------------------------------------------------
    def evaluate(self):
        """Evaluate the scene with explorer and redraw; on bad input keep the last result.

        With composite terms the loss on show is their weighted sum: its value, gradients,
        code and curve take the same way to the views as a single loss's."""
        spec = self.spec
        try:
            inputs = {name: editor.tensor() for name, editor in self.editors.items()}
            options = self.page.controls.options.values()
            terms = self._terms(options)
            if terms:
                result = losses.evaluate(losses.COMPOSITE, inputs, self.scene.reduction,
                                         {"terms": terms}, device=self.device,
                                         transform=self.scene.transform)
            else:
                result = losses.evaluate(spec.name, inputs, self.scene.reduction, options,
                                         device=self.device, transform=self.scene.transform)
        except InputError as error:
            self._show_error(error)
            if self.scene.terms:
                self.page.composite.show_error(str(error))
            return None
        except Exception as exc:  # torch's own failure: said at the result, the last one stays
            self.page.result.show_stale(reported(f"evaluating {spec.name}", exc))
            return None
        self.scene = replace(self.scene, tensors={name: t.tolist() for name, t in inputs.items()},
                             options=options)
        self.last_result, self.last_inputs = result, inputs
        caption = (f"Composite: {composite.label(terms)}, each with reduction="
                   f"'{self.scene.reduction}'" if terms
                   else f"{spec.name}(reduction='{self.scene.reduction}')")
        transform = self.scene.transform
        if transform is not None:
            caption = losses.pipeline(caption, transform)
        self.page.header.set_pipeline(losses.pipeline(spec.name, transform) if transform else None)
        editor = self.editors.get("input")
        if editor is not None:  # the editor holds what goes in before the step, not after
            editor.set_about(f"raw values, one row per sample; {transforms.label(transform)} "
                             f"turns them into what {spec.name} takes" if transform else None)
        self.page.result.show_result(result, caption, tensors.rows_from_tensor)
        self.page.code.set_code(result.code, result.output)
        self._update_own()
        self._update_curve()
        if terms:
            self.page.composite.show_result(result)
        else:
            self.page.composite.clear_result()
        return result

    def _terms(self, options: dict) -> list[dict]:
        """The composite's terms as computed (a term of the page's loss with its options)."""
        return composite.terms_on_page(self.scene.loss, options, self.scene.terms)

    def _own_formula(self) -> str | None:
        """The page's own-loss formula, or None when the chosen loss is another."""
        if self.scene.loss != own.NAME:
            return None
        return self.scene.options.get("expression") or own.DEFAULT

    def _update_own(self) -> None:
        """The typed formula, where it shows: the header, the compare chart, new terms."""
        text = self._own_formula()
        if (self.scene.loss, text) == self._own_key:
            return
        self._own_key = (self.scene.loss, text)
        if text is not None:
            self.page.header.set_formula(losses.formula(own.NAME, {"expression": text}))
            self.page.composite.set_default_formula(text)
        self._draw_compare()

    def _show_error(self, error: InputError) -> None:
        if not self.page.controls.options.mark_error(error.field, str(error)):
            self.page.controls.message.clear_error()
        self.page.result.show_stale(str(error))

    def _on_editor_edited(self) -> None:
        if self._loading:
            return
        shapes = {name: e.model for name, e in self.editors.items()}
        dims = dims_of(self.spec, {name: Shaped(m.shape()) for name, m in shapes.items()})
        if dims != self.scene.dims:
            self.scene = replace(self.scene, dims=dims)
            self.page.controls.set_dims(dims)
            self._sync_num_classes(dims)
        self.evaluate()

    # --- tensors: shape, seed, slide example, fixes -----------------------------------------
    def _on_dim_changed(self, dim: str, size: int) -> None:
        dims = {**self.scene.dims, dim: size}
        try:
            fresh = losses.example(self.scene.loss, seed=self.scene.seed or 0, dims=dims)
        except InputError as error:
            self.page.controls.message.show_error(str(error))
            return
        self._loading = True
        self.undo_stack.beginMacro(f"{dim} = {size}")
        self._sync_num_classes(dims)
        for name, editor in self.editors.items():
            usable = parses(editor.spec, dims.get("C"))
            texts = overlay(editor.texts(), editor.model.texts_of(fresh[name]), usable)
            editor.model.replace(texts, tuple(fresh[name].shape), f"{dim} = {size}")
        self.undo_stack.endMacro()
        self._loading = False
        self._on_editor_edited()

    def _on_randomize_requested(self) -> None:
        seed = next_seed(self.page.controls.seed.value())
        self.page.controls.set_seed(seed)
        self._draw(seed)

    def _draw(self, seed: int) -> None:
        try:
            values = losses.example(self.scene.loss, seed=seed, dims=self.scene.dims)
        except InputError as error:
            self.page.controls.message.show_error(str(error))
            return
        self.scene = replace(self.scene, seed=seed)
        self._show_tensors(values, f"randomize (seed {seed})")

    def _on_reset_requested(self) -> None:
        label = "the slide's example"
        self.scene = replace(self.scene, seed=None)
        self.undo_stack.beginMacro(label)
        self._push_settings(self.scene.reduction, self.scene.options, label,
                            losses.slide_transform(self.scene.loss))
        self._show_tensors(losses.example(self.scene.loss), label)
        self.undo_stack.endMacro()

    def _on_fix_requested(self, code: str) -> None:
        if self.last_inputs is None:
            return
        try:
            fixed, reduction, options, transform = losses.apply_fix(
                self.scene.loss, self.last_inputs, self.scene.reduction, self.scene.options, code,
                self.scene.transform)
        except InputError as error:
            self.page.result.show_stale(str(error))
            return
        label = next((p.fix_label for p in self.last_result.pitfalls if p.code == code), code)
        self.undo_stack.beginMacro(label)
        self._push_settings(reduction, options, label, transform)
        self._show_tensors(fixed, label)
        self.undo_stack.endMacro()

    # --- settings ---------------------------------------------------------------------------
    def _on_reduction_changed(self, reduction: str) -> None:
        self._push_settings(reduction, self.scene.options, f"reduction = {reduction}")

    def _on_options_changed(self, options: dict) -> None:
        if self._reshape(options):
            return
        self._push_settings(self.scene.reduction, options, "options")

    def _reshape(self, options: dict) -> bool:
        """Give the page the tensors ``options`` call for, when they call for others (a
        target of class probabilities instead of class indices): like choosing a loss,
        this starts a new undo history, since the old steps refer to the old editors.
        Tensors that keep their form keep what was typed; a tensor put away comes back
        when the form returns."""
        spec = losses.catalog.variant(losses.spec(self.scene.loss), options)
        if tuple(editor.spec for editor in self.editors.values()) == spec.inputs:
            return False
        for editor in self.editors.values():
            try:
                self._put_away[(self.scene.loss, editor.spec)] = editor.tensor()
            except InputError:  # a cell that does not parse: the form's example returns
                self._put_away.pop((self.scene.loss, editor.spec), None)
        fresh = losses.example(self.scene.loss, seed=self.scene.seed or 0,
                               dims=self.scene.dims, options=options)
        values = {}
        for s in spec.inputs:
            kept = self._put_away.get((self.scene.loss, s))
            fits = kept is not None and kept.shape == fresh[s.name].shape
            values[s.name] = kept if fits else fresh[s.name]
        self.scene = replace(self.scene, options=dict(options))
        self.undo_stack.clear()
        self._build_editors(spec)
        self.page.result.set_inputs(spec.inputs)
        self.page.header.set_spec(spec, losses.formula(self.scene.loss, options))
        self.page.controls.options.set_values(options)  # a scene's options, before evaluating
        self._show_tensors(values)
        self._chain_focus()
        return True

    def _on_transform_changed(self, transform: str | None) -> None:
        label = f"transform = {transforms.label(transform)}" if transform else "no transform"
        self._push_settings(self.scene.reduction, self.scene.options, label, transform)

    _KEEP = object()  # _push_settings: keep the scene's transform

    def _push_settings(self, reduction: str, options: dict, label: str,
                       transform: str | None | object = _KEEP) -> None:
        if transform is self._KEEP:
            transform = self.scene.transform
        old = (self.scene.reduction, dict(self.scene.options), self.scene.transform)
        new = (reduction, dict(options), transform)
        if old == new:
            return
        self.undo_stack.push(CallbackCommand(label, lambda: self._set_settings(*new),
                                             lambda: self._set_settings(*old)))

    def _set_settings(self, reduction: str, options: dict,
                      transform: str | None = None) -> None:
        self.scene = replace(self.scene, reduction=reduction, options=dict(options),
                             transform=transform)
        self.page.controls.set_reduction(reduction)
        self.page.controls.set_transform(transform)
        self.page.controls.options.set_values(options)
        if not self._loading:
            self.evaluate()

    # --- curve, composite, worked example -----------------------------------------------------
    def _on_cell_selected(self, name: str, index: tuple) -> None:
        self.selected = (name, index)
        self._update_curve()

    def _update_curve(self) -> None:
        terms = self._terms(self.scene.options)
        name = f"Composite: {composite.label(terms)}" if terms else self.scene.loss
        plot = self.page.curve
        missing = composite.curve_problem(terms) if terms else (
            None if name in losses.curve_names() else name)
        if missing is not None:
            self.page.compare.set_example(None)
            self._curve_key = None
            why = curves.no_curve_reason(missing)
            plot.clear(f"No 1-D curve for {name}",
                       (f"{missing}: {why[0].lower()}{why[1:]}" if terms else why)
                       + "\nSee “Compare losses” for the classic curves.")
            return
        first = terms[0]["loss"] if terms else name
        z, y = self._selected_point(first)
        self.page.compare.set_example(None if terms else curves.compare_marker(name, z, y))
        lo, hi = curves.span(z)
        options = self.scene.options
        key = (name, repr(terms), y, repr(sorted(options.items())), lo, hi)
        try:
            if key != self._curve_key:  # most edits move only the marker
                plot.set_curve(composite.composite_curve(terms, y, lo=lo, hi=hi) if terms
                               else losses.curve(name, y, options, lo, hi))
                self._curve_key = key
            point = None
            if z is not None:
                point = (composite.composite_marker(terms, z, y) if terms
                         else losses.marker(name, z, y, options))
        except InputError as error:
            self._curve_key = None
            plot.clear(f"No curve for {name} here", str(error))
            return
        if point is None:
            plot.hide_marker()
        else:
            plot.set_marker(point.z, point.value, point.slope)

    def _selected_point(self, name: str) -> tuple[float | None, float | None]:
        """(prediction z, target y) of the selected cell, where loss ``name`` (the page's
        or a composite's first term, on the same tensors) is elementwise."""
        if not self.last_inputs or not self.selected:
            return None, None
        return (curves.point_of(losses.spec(name), self.last_inputs, self.selected[1])
                or (None, None))

    def _on_terms_changed(self, terms: list[dict]) -> None:
        # A term keeps only its own loss's formula: other options take torch's defaults.
        checked = []
        for index, term in enumerate(terms):
            options = {}
            if term["loss"] == own.NAME:
                spec = losses.spec(own.NAME).option("expression")
                try:
                    options = {"expression": check_option(spec, term["options"]["expression"])}
                except InputError as error:
                    self.page.composite.mark_formula_error(index, str(error))
                    return  # the last good composite stays; the typed text too
            checked.append({**term, "options": options})
        old, new = self.scene.terms, tuple(checked)
        if old != new:
            label, merge = terms_edit_label(old, new)
            self.undo_stack.push(TermsEdit(label, merge, lambda: self._set_terms(new),
                                           lambda: self._set_terms(old)))

    def _set_terms(self, terms: tuple[dict, ...]) -> None:
        """Show ``terms`` (an undo step's redo or undo) and evaluate what they sum to."""
        self.scene = replace(self.scene, terms=terms)
        self.page.composite.set_terms(list(terms))
        self.evaluate()

    def _on_compare_changed(self, names: list[str]) -> None:
        self.scene = replace(self.scene, compare=tuple(names))
        self._draw_compare()

    def _draw_compare(self) -> None:
        """The classic curves chosen, and the user's loss where there is one with a slope."""
        text = self._own_formula()
        if text is not None and not own.uses(text, "z"):
            text = None
        self.page.compare.set_own(None if text is None else own.display(text))
        names = tuple(n for n in self.scene.compare if n != curves.OWN_CURVE or text)
        try:
            drawn = losses.compare_curves(names, expression=text)
        except InputError as error:
            self.page.result.show_stale(str(error))
            return
        self.page.compare.set_curves(drawn)

    def _on_worked_changed(self) -> None:
        self.scene = replace(self.scene, worked_probabilities=self.page.worked.probabilities)

    # --- scenes -------------------------------------------------------------------------------
    def load_scene(self, scene: LossScene) -> None:
        """Show ``scene`` (validated first: InputError leaves the page as it was)."""
        scene.validate()
        spec = losses.catalog.variant(losses.spec(scene.loss), scene.options)
        num_classes = scene.dims.get("C")
        values = {
            s.name: tensors.tensor_from_rows(rows_of(scene.tensors[s.name]), s, num_classes)
            for s in spec.inputs if s.name in scene.tensors
        }
        self.choose_loss(scene.loss)
        self._reshape(scene.options)
        self.scene = replace(self.scene, note=scene.note)
        self.page.header.set_note(scene.note)
        if len(values) == len(spec.inputs):
            self._show_tensors(values)
        self.scene = replace(self.scene, seed=scene.seed)
        if scene.seed is not None:
            self.page.controls.set_seed(scene.seed)
        self._set_settings(scene.reduction, scene.options, scene.transform)
        self.page.composite.set_terms(scene.terms)
        self.scene = replace(self.scene, terms=tuple(dict(t) for t in scene.terms))
        self.page.worked.set_probabilities(scene.worked_probabilities)
        self.page.compare.set_selected(scene.compare)
        self._on_compare_changed(self.page.compare.selected())
        self.scene = replace(self.scene, worked_probabilities=scene.worked_probabilities)
        self.undo_stack.clear()
        self.evaluate()

