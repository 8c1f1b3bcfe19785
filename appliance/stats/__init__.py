"""Figures (SL, ASA, AHT, abandon, answer rate, occupancy) as a pure reducer over the queue log."""
