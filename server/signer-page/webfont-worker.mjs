// Builds the signer page's webfont off the event loop: HarfBuzz subsetting and WOFF2
// compression of a few thousand Noto Sans SC glyphs take seconds of CPU, all synchronous
// WebAssembly. Plain JavaScript, so it runs under any loader (tsx, vitest, node).
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import subsetFont from 'subset-font';

const { fontPath, text } = workerData;
const font = await readFile(fontPath);
const woff2 = await subsetFont(font, text, { targetFormat: 'woff2' });
parentPort.postMessage(new Uint8Array(woff2.buffer, woff2.byteOffset, woff2.byteLength));
