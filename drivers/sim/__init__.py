"""All-simulated lines and positions for demo mode and engine tests."""
