"""Text helpers for Vietnamese names."""
