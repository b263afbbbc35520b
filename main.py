"""Training Explorer: start the window, or render every lab's plots headless.

python main.py [scene.json] [--device cuda] [--page descent]
python main.py --export-figures DIR [--scene FILE] [--width 1600]
python main.py --export-animation OUT.gif|OUT.mp4 [--scene FILE] [--lab descent|batch]
               [--fps 10] [--width 960]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

import explorer  # noqa: F401  (first: it sets how NumPy asks for memory, before NumPy loads)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="training-explorer",
        description="See what losses, gradients, learning rates, minibatches and batch norm do.",
    )
    parser.add_argument("scene", nargs="?", help="a scene file (.json) to open")
    parser.add_argument(
        "--scene",
        dest="scene_option",
        metavar="FILE",
        help="the scene whose plots --export-figures renders",
    )
    parser.add_argument(
        "--export-figures",
        metavar="DIR",
        help="write every lab's plots as PNG files into DIR, without a window, and exit",
    )
    parser.add_argument(
        "--export-animation",
        metavar="OUT",
        help="write an animation of a lab's run (OUT.gif or OUT.mp4), without a window, "
        "and exit",
    )
    parser.add_argument("--lab", default="descent",
                        help="the lab --export-animation plays: descent or batch")
    parser.add_argument("--fps", type=int, default=10,
                        help="frames per second for --export-animation")
    parser.add_argument(
        "--width", type=int, default=None,
        help="image width in px: PNGs of --export-figures (1600), frames of "
        "--export-animation (960)",
    )
    parser.add_argument("--device", help="compute device: cpu, cuda, cuda:1, mps")
    parser.add_argument("--page", help="the lab to show first: loss, descent or batch")
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    parser.add_argument("--self-test-updates", type=int, metavar="N", help=argparse.SUPPRESS)
    parser.add_argument("--quit-after-first-paint", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def export_figures(folder: str, scene_path: str | None, width: int) -> int:
    """Render each lab's default (or the scene's) plots to PNG files; returns an exit code."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from explorer import scene as scene_file
    from explorer.errors import InputError
    from ui.common import export
    from ui.window.labs import lab_classes

    try:
        # The width and the scene are checked whole before any folder is made or file written.
        export.check_width(width)
        scenes = scene_file.read(scene_path) if scene_path else {}
        out = _output_folder(folder)
    except InputError as exc:
        print(f"training-explorer: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    written = []
    try:
        for cls in lab_classes():
            page = cls()
            page.resize(1600, 1000)
            try:
                if page.key in scenes:
                    page.set_scene(scenes[page.key])
                page.compute_now()
                for name, plot in page.plots().items():
                    if not export.has_content(plot):  # e.g. decision regions of a 4-D set
                        print(f"skipped {page.key}-{name}: nothing to draw in this scene")
                        continue
                    path = out / f"{page.key}-{name}.png"
                    written.append(_export_laid_out(export, plot, path, width))
            finally:
                page.shutdown()
                page.deleteLater()
    except Exception as exc:  # a refusal (or a failure) leaves no half-set of figures
        for path in written:
            path.unlink(missing_ok=True)
        reason = exc if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        print(f"training-explorer: {reason}", file=sys.stderr)
        return 2
    app.processEvents()
    for path in written:
        print(path)
    return 0


def export_animation(out: str, scene_path: str | None, lab: str, fps: int, width: int) -> int:
    """Write ``lab``'s run as an animation to ``out``; returns an exit code (2 when refused,
    with the reason on stderr, never a traceback)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from explorer import animation as encoder
    from explorer import scene as scene_file
    from explorer.errors import InputError

    try:
        path, fps, width = encoder.check_request(out, fps, width)
        keys = {"descent", "batch"}
        if lab not in keys:
            raise InputError(f"There is no animation of the '{lab}' lab: choose descent "
                             f"or batch.", field="lab")
        scenes = scene_file.read(scene_path) if scene_path else {}
    except InputError as exc:
        print(f"training-explorer: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.common.animation import frames
    from ui.window import animations
    from ui.window.labs import lab_classes

    page = next(cls for cls in lab_classes() if cls.key == lab)()
    page.resize(1600, 1000)
    page.show()  # laid out for real, as on screen
    try:
        if lab in scenes:
            page.set_scene(scenes[lab])
        movie = animations.prepare(page, lab)
        app.processEvents()
        count = encoder.write_animation(path, frames(movie.steps, page, movie.plots, width),
                                        fps)
    except Exception as exc:  # a refusal or a failure: a message, no traceback, no file
        reason = exc if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        print(f"training-explorer: {reason}", file=sys.stderr)
        return 2
    finally:
        page.shutdown()
        page.hide()
        page.deleteLater()
    print(f"{path} ({count} frames at {fps} per second)")
    return 0


def _output_folder(folder: str) -> Path:
    """``folder``, made if need be; InputError (never a traceback) if it cannot be."""
    from explorer.errors import InputError

    out = Path(folder)
    try:
        if out.exists() and not out.is_dir():
            raise InputError(f"Cannot export figures into '{folder}': it is a file, not a "
                             f"folder. Name a folder.", field="path")
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK | os.X_OK):
            raise InputError(f"Cannot export figures into '{folder}': the folder cannot be "
                             f"written to. Name another folder.", field="path")
    except (OSError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        reason = getattr(exc, "strerror", None) or exc
        raise InputError(f"Cannot export figures into '{folder}': {reason}. Name another "
                         f"folder.", field="path") from exc
    return out


def _export_laid_out(export, plot, path: Path, width: int) -> Path:
    """Export ``plot`` after it has been shown and laid out at a slide-like size.

    A plot that was never shown keeps pyqtgraph's default geometry and clips
    its title and axis labels; showing it offscreen lays it out for real.
    """
    from PySide6.QtWidgets import QApplication

    parent = plot.parentWidget()
    plot.setParent(None)
    plot.resize(1200, 750)
    plot.show()
    QApplication.processEvents()
    try:
        return export.export_plot(plot, path, width)
    finally:
        plot.hide()
        if parent is not None:
            plot.setParent(parent)


def run_window(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Training Explorer")
    app.setOrganizationName("Training Explorer")
    from ui.window.labs import lab_classes
    from ui.window.main_window import MainWindow

    window = MainWindow(device=args.device)
    # The window's ~265,000 objects live as long as the program: out of the cyclic
    # collector's walks (a full one held the GIL for 150-230 ms while a worker streamed).
    gc.freeze()
    if args.page:
        keys = [cls.key for cls in lab_classes()]
        if args.page in keys:
            window.show_page(keys.index(args.page))
        else:
            print(f"training-explorer: there is no page '{args.page}'; choose one of "
                  f"{', '.join(keys)}. Starting on the first.", file=sys.stderr)
    window.show()
    if args.scene:
        QTimer.singleShot(0, lambda: window.open_scene(args.scene))
    if args.self_test_updates:
        QTimer.singleShot(0, lambda: _self_test_updates(window, args.self_test_updates))
    if args.quit_after_first_paint:
        _quit_after_first_paint(window)
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, window.close)
    return app.exec()


def _quit_after_first_paint(window) -> None:
    """Print "first-paint" once the window has painted, then close (for bench/bench_startup.py)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
            if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
                self.seen = True
                print("first-paint", flush=True)
                QTimer.singleShot(0, window.close)
            return False

    window._first_paint = FirstPaint(window)
    window.installEventFilter(window._first_paint)


def _self_test_updates(window, count: int) -> None:
    """``count`` rounds of Qt calls that return nothing, on every plot and the window, with
    a redraw of every plot and a page change every few rounds (the PySide6 none_dealloc
    crash check: 6.12.0 aborts after about 5,000 such calls; one round makes one per plot
    and two more). Retitling every plot every round re-lays it out, which only made the
    check slow (32 s for 6,000 rounds), not stricter."""
    from PySide6.QtWidgets import QApplication

    from ui.common import plots

    for i in range(count):
        retitle = i % 50 == 0
        for plot in plots.all_plots():
            if retitle:
                plot.getPlotItem().setTitle(f"update {i}")
            plot.getPlotItem().vb.setObjectName("viewbox")
        window.statusBar().showMessage(f"update {i}")
        if i % 10 == 0:
            window.selector.setCurrentRow(i // 10 % max(window.selector.count(), 1))
        if retitle:
            QApplication.processEvents()
    print(f"self-test: {count} updates done", flush=True)


def _limit_torch_threads() -> None:
    """Run torch single-threaded: the labs' tensors are tiny, and on a laptop (or a
    busy machine) thread hand-offs cost more than they save — 24 ms against 0.4 ms
    for one cross-entropy evaluation was measured here. Work runs on worker threads
    of our own instead."""
    import torch

    torch.set_num_threads(1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _limit_torch_threads()
    scene = args.scene_option or args.scene
    if args.export_animation:
        return export_animation(args.export_animation, scene, args.lab, args.fps,
                                960 if args.width is None else args.width)
    if args.export_figures:
        return export_figures(args.export_figures, scene, 1600 if args.width is None
                              else args.width)
    return run_window(args)


if __name__ == "__main__":
    sys.exit(main())
