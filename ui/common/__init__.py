"""What every lab uses: the page base, background worker, theme, plots, export, widgets."""
