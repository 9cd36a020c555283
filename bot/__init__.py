"""Minutebook's front ends: the command line and terminal chat, and the Slack app."""
