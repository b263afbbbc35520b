"""Training Explorer's Qt views: widgets and pyqtgraph plots, no maths of their own."""
