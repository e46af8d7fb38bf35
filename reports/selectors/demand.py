"""Placeholder: filled by its issue-10 branch."""
