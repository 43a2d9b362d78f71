"""Notebook widgets (upload, prompt, export, timeline, player) and the Studio that joins them."""
