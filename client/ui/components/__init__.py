"""Reusable handheld widgets: the always-focused scan field, the feedback banner, the sync bar, big
buttons and the screen scaffold."""
