"""One palette: every colour the shared UI draws with comes from Okabe–Ito in ui.common.theme."""

from PySide6.QtGui import QTextDocument

from ui.common import theme
from ui.common.code_view import PythonHighlighter


def test_runs_cycle_through_the_palette_in_both_themes():
    try:
        for name in theme.THEMES:
            theme.set_theme(name)
            assert [theme.color(i) for i in range(9)] == list(theme.OKABE_ITO) + [
                theme.OKABE_ITO[0], theme.OKABE_ITO[1]]
    finally:
        theme.set_theme("light")


def test_the_signed_pair_is_the_palette_s_blue_and_vermillion():
    pair = [theme.OKABE_ITO.index(c) for c in (theme.NEGATIVE, theme.POSITIVE)]
    assert pair == [0, 3]


def test_code_is_highlighted_in_palette_colours(qapp):
    """Keyword, builtin, string, number: the palette's blue, purple, green and vermillion,
    each shaded only as far as it must be to read on the panel."""
    document = QTextDocument("def f(): return len('a') + 12")
    highlighter = PythonHighlighter(document)
    highlighter.rehighlight()
    colours = {r.format.foreground().color().name()
               for r in document.firstBlock().layout().formats()}
    assert colours == {theme.text_color(i, theme.LIGHT.background) for i in (0, 4, 2, 3)}
    assert theme.text_color(0, theme.LIGHT.background) == theme.OKABE_ITO[0].lower()
