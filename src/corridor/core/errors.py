"""Domain errors raised by services and turned into 4xx answers or one-line CLI errors."""


class CorridorError(Exception):
    """Base class for errors a user can act on; the message is shown as it is."""


class NotAllowed(CorridorError):
    """The acting user may not do this."""


class InvalidInput(CorridorError):
    """Input was refused; the message says which value and why."""
