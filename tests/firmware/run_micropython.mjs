// Runs a Python script under MicroPython's official WebAssembly port, with the firmware's
// `wallboard` package copied into its file system: node run_micropython.mjs FIRMWARE_DIR SCRIPT
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript/micropython.mjs";

const [firmwareDir, scriptPath] = process.argv.slice(2);
const lines = [];
const mp = await loadMicroPython({ stdout: (line) => lines.push(line), heapsize: 8 * 1024 * 1024 });
mp.FS.mkdir("/wallboard");
for (const name of readdirSync(join(firmwareDir, "wallboard"))) {
  if (name.endsWith(".py")) {
    mp.FS.writeFile(`/wallboard/${name}`, readFileSync(join(firmwareDir, "wallboard", name)));
  }
}
try {
  mp.runPython("import sys\nsys.path.insert(0, '/')\n" + readFileSync(scriptPath, "utf8"));
} catch (error) {
  process.stdout.write(lines.join("\n") + "\n");
  console.error(error.message);
  process.exit(1);
}
process.stdout.write(lines.join("\n") + "\n");
