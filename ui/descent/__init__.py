"""The Descent lab's page: controller, controls, trajectory plots, playback, LR range test."""
