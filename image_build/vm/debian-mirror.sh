#!/usr/bin/env bash
# Prints the Debian mirror apt is configured with for bookworm (deb822 or one-line sources),
# else deb.debian.org: the emulated Pi's root comes from the same place as this machine's.
set -euo pipefail
for source in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
    [ -f "$source" ] || continue
    awk '
        /^URIs:/ { uri = $2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm" && uri != "") { print uri; exit } }
        /^$/ { uri = "" }
        $1 == "deb" { for (i = 2; i <= NF; i++) if ($i == "bookworm") { for (j = 2; j <= NF; j++) if ($j ~ /:\/\//) { print $j; exit } } }
    ' "$source"
done | head -1 | grep . || echo http://deb.debian.org/debian
