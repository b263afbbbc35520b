"""The main window: lab selector, menus, presentation mode, dialogs, settings."""
