"""Django admin of the desk's hand-offs, one module per area."""

from messages_app.admin import complaints, outbox, slips  # noqa: F401
