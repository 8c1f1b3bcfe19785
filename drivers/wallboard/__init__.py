"""Wallboards: the LED board on a microcontroller (`board`), Alpha protocol signs (`alpha`), the
console board (`console`), the link to the board (`link`), flashing its firmware (`flash`)."""
