"""One module per screen; each screen calls a client service and shows its Feedback."""
