"""Minutebook in Slack: a Bolt app whose listeners all answer through the one search function."""
