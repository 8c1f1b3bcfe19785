"""GPIO devices: the stack light and buzzer, and the agents' desk panels (Ready/Pause button and
state LED), on RPi.GPIO (rpi-lgpio on a Pi 5), with a simulated RPi.GPIO for demo and tests."""
