// qr2pbm.mjs: the QR code of a captured sign-in message, as a PBM image.
//   node qr2pbm.mjs < PANE_TEXT > IMAGE.pbm
// The block is the first run of lines that start with a full block: its
// top line is the quiet zone, all light, and gives the width; the text
// beside it is cut off. Each character is one module wide and two modules
// tall; the glyph is the light part: '█' both halves light, '▀' top
// light, '▄' bottom light, ' ' both dark. Around the block is the
// terminal's background, dark: the scanner gets only the quiet zone the
// module drew, as a camera pointed at the screen would. Each module
// becomes SCALE x SCALE pixels.
import { readFileSync } from "node:fs";

const SCALE = 8;
const MARGIN = 6; // modules of dark background around the block
const LIGHT = { "█": [1, 1], "▀": [1, 0], "▄": [0, 1], " ": [0, 0] };

const lines = readFileSync(0, "utf8").split("\n").map((l) => [...l]);
const start = lines.findIndex((l) => l[0] === "█" && l[1] === "█");
if (start < 0) {
	process.stderr.write("qr2pbm: no QR block on the screen\n");
	process.exit(1);
}
let width = 0;
while (width < lines[start].length && lines[start][width] === "█") width++;
const rows = [];
for (const l of lines.slice(start)) {
	const cells = l.slice(0, width);
	if (cells.length < width || !cells.every((c) => c in LIGHT)) break;
	if (cells[0] !== "█" && cells[0] !== "▀") break;
	rows.push(cells);
}
if (width < 21 || rows.length * 2 < width) {
	process.stderr.write(
	    `qr2pbm: a block of ${width} columns and ${rows.length} lines is no QR code\n`);
	process.exit(1);
}
// modules[y][x] = 1 when light
const modules = [];
for (const r of rows) {
	modules.push(r.map((c) => LIGHT[c][0]), r.map((c) => LIGHT[c][1]));
}
const w = (width + 2 * MARGIN) * SCALE;
const h = (modules.length + 2 * MARGIN) * SCALE;
const out = [`P1\n${w} ${h}\n`];
for (let py = 0; py < h; py++) {
	const y = Math.floor(py / SCALE) - MARGIN;
	const line = [];
	for (let px = 0; px < w; px++) {
		const x = Math.floor(px / SCALE) - MARGIN;
		const light = y >= 0 && x >= 0 && y < modules.length && x < width
		    ? modules[y][x] : 0;
		line.push(light ? "0" : "1"); // PBM: 1 is black
	}
	out.push(line.join(" ") + "\n");
}
process.stdout.write(out.join(""));
process.stderr.write(`qr2pbm: ${width} columns, ${rows.length} lines\n`);
