// qr2pbm.mjs: the QR code of a captured sign-in message, as a PBM image.
//   node qr2pbm.mjs < PANE_TEXT > IMAGE.pbm
// The block follows the "Or scan:" line. Each character is one module wide
// and two modules tall; the glyph is the light part: '█' both halves light,
// '▀' top light, '▄' bottom light, ' ' both dark. A light border of 4
// modules goes around it and each module becomes SCALE x SCALE pixels.
import { readFileSync } from "node:fs";

const SCALE = 8;
const BORDER = 4;
const LIGHT = { "█": [1, 1], "▀": [1, 0], "▄": [0, 1], " ": [0, 0] };

const lines = readFileSync(0, "utf8").split("\n");
const start = lines.findIndex((l) => /Or scan:\s*$/.test(l));
if (start < 0) {
	process.stderr.write("qr2pbm: no 'Or scan:' line\n");
	process.exit(1);
}
const rows = [];
for (const l of lines.slice(start + 1)) {
	const t = l.replace(/\s+$/, "");
	if (t === "" || !/^[█▀▄ ]+$/u.test(t)) break;
	rows.push([...t]);
}
if (rows.length === 0) {
	process.stderr.write("qr2pbm: no QR block after 'Or scan:'\n");
	process.exit(1);
}
const width = Math.max(...rows.map((r) => r.length));
// modules[y][x] = 1 when light
const modules = [];
for (const r of rows) {
	const top = [], bottom = [];
	for (let x = 0; x < width; x++) {
		const [t, b] = LIGHT[r[x] ?? " "];
		top.push(t);
		bottom.push(b);
	}
	modules.push(top, bottom);
}
const w = (width + 2 * BORDER) * SCALE;
const h = (modules.length + 2 * BORDER) * SCALE;
const out = [`P1\n${w} ${h}\n`];
for (let py = 0; py < h; py++) {
	const y = Math.floor(py / SCALE) - BORDER;
	const line = [];
	for (let px = 0; px < w; px++) {
		const x = Math.floor(px / SCALE) - BORDER;
		const light = y < 0 || x < 0 || y >= modules.length || x >= width
		    ? 1 : modules[y][x];
		line.push(light ? "0" : "1"); // PBM: 1 is black
	}
	out.push(line.join(" ") + "\n");
}
process.stdout.write(out.join(""));
