"""Retake the README's screenshots (docs/screenshots/*.png) from the current program.

    QT_QPA_PLATFORM=offscreen python tools/take_screenshots.py [FOLDER] [--size 1600x1000]

Each lab is shown in a real MainWindow at the given size (light theme), with its first
work finished (the Loss page's slide example, the Descent page's sweep, the Batch page's
first training run; the Descent run played to its last step), and the whole window is
grabbed. The Loss page opens the MSELoss slide scene, the Descent page the four-rate
scene, as the README describes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENES = {"loss": "slide-02-MSELoss.json",
          "descent": "learning-rate-too-small-right-too-large.json"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--size", default="1600x1000")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    import torch
    from PySide6.QtCore import QSettings, QTemporaryDir
    from PySide6.QtWidgets import QApplication

    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from explorer import RESOURCES
    from ui.window.main_window import MainWindow

    store = QTemporaryDir()
    settings = QSettings(str(Path(store.path()) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, device="cpu")
    window.set_theme("light")
    window.resize(width, height)
    window.show()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)

    def settle(seconds: float, page=None) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end or (page is not None and getattr(page, "busy", False)):
            app.processEvents()
            time.sleep(0.02)
            if time.monotonic() > end + 120:
                break

    for index, page in enumerate(window.pages):
        scene = SCENES.get(page.key)
        if scene and (RESOURCES / "scenes" / scene).exists():
            window.open_scene(RESOURCES / "scenes" / scene, remember=False)
        window.show_page(index)
        settle(1.5, page)
        if page.key == "descent":  # the whole run played, as after pressing Play
            page.playback.seek(page.descent_scene().steps)
        settle(0.5)
        path = folder / f"{page.key}.png"
        window.grab().save(str(path))
        print(path)
    for page in window.built_pages():
        page.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
