"""Proofing: the proof PDF, the proof sheet of spreads, preflight findings, page drift, diff, watch."""
