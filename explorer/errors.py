"""The one error type for what a user typed or chose."""


class InputError(ValueError):
    """A value the user entered or chose cannot be used.

    The message is written for the user: it names the input (and the cell,
    where there is one) and says what is allowed.

    Parameters
    ----------
    message
        What is wrong and what to change, in plain words.
    field
        The name of the control or input that caused it (``"input"``,
        ``"lr"``, ``"batch_size"``), so the UI can show the message there.
    cell
        The index of the offending cell in a tensor, where there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, cell: tuple | None = None):
        super().__init__(message)
        self.field = field
        self.cell = cell
