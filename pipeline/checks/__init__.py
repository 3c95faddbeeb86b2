"""Checks on the finished model that stop a build before anything is laid out."""
