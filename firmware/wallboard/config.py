"""Board settings: edit on the board (or before `depotline firmware flash`) to match the build."""

BACKEND = "max7219"  # "max7219" or "hub75"
MAX7219_MODULES_WIDE = 16
MAX7219_MODULES_HIGH = 4
MAX7219_BRIGHTNESS = 4  # 0..15
SPI_ID = 0
SPI_SCK = 18
SPI_MOSI = 19
SPI_CS = 17
HUB75_WIDTH = 64
HUB75_HEIGHT = 32
HUB75_PINS = {
    "r1": 0, "g1": 1, "b1": 2, "r2": 3, "g2": 4, "b2": 5,
    "a": 6, "b": 7, "c": 8, "d": 9, "clk": 10, "lat": 11, "oe": 12,
}  # fmt: skip
LANGUAGE = "both"  # "zh", "en" or "both" (pages alternate)
# Until the Pi's hello says otherwise ([wallboard] no_data_after_s).
NO_DATA_AFTER_S = 10
