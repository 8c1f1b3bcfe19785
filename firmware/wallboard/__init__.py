"""Wallboard controller firmware (MicroPython on an RP2040): link receiver, renderer, LED back ends.

Runs unchanged under CPython on the fake HAL (`fake_hal.py`) for tests.
"""
