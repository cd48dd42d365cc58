"""chipbot's front ends: the ``chipbot`` CLI and the Slack app."""
