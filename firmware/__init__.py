"""Firmware for the wallboard controller (MicroPython)."""
