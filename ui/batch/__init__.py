"""The Batch lab's page: controller, training controls, runs and experiment tabs."""
