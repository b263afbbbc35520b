"""The Loss lab's page: controller, controls, tensor editors, results, curves."""
