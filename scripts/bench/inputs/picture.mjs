// Pixels that compress like real pictures: a photo (smooth light, sensor noise, a page of
// handwriting-like strokes) and a screenshot (flat interface, text, a photo in the middle).
// The noise sets the file size: without it a JPEG of a gradient is a tenth of a real photo's.
import { prng } from "./random.mjs";

/** Dark strokes that look like lines of handwriting, inside the box (x0, y0, w, h). */
function strokes(px, channels, width, box, random, lineHeight, ink) {
  const { x0, y0, w, h } = box;
  const letter = Math.max(4, Math.round(lineHeight * 0.5));
  const thick = Math.max(1, Math.round(lineHeight / 14));
  const dot = (x, y) => {
    for (let dy = 0; dy < thick; dy++) {
      for (let dx = 0; dx < thick; dx++) {
        const i = ((y + dy) * width + x + dx) * channels;
        px[i] = ink[0];
        px[i + 1] = ink[1];
        px[i + 2] = ink[2];
      }
    }
  };
  for (let ly = y0 + lineHeight; ly + lineHeight < y0 + h; ly += lineHeight) {
    let x = x0 + Math.floor(random() * letter * 2);
    while (x + letter * 2 < x0 + w) {
      const word = 2 + Math.floor(random() * 7);
      for (let c = 0; c < word && x + letter < x0 + w; c++, x += letter) {
        const kind = Math.floor(random() * 4);
        for (let t = 0; t < letter; t++) {
          const f = t / letter;
          if (kind === 0) dot(x + Math.round(letter * 0.3), ly - Math.round(f * letter));
          else if (kind === 1) dot(x + Math.round(f * letter), ly - Math.round(f * letter));
          else if (kind === 2) {
            dot(
              x + Math.round(f * letter * 0.8),
              ly - Math.round(letter * 0.5 * Math.sin(f * 3.1)),
            );
          } else dot(x + Math.round(f * letter * 0.8), ly - Math.round(letter * 0.1));
        }
      }
      x += letter + Math.floor(random() * letter);
    }
  }
}

/**
 * A photo of a page on a desk: width × height pixels, `channels` 3 (RGB) or 4 (RGBA, for
 * jpeg-js). `noise` is the sensor noise's amplitude in levels (±).
 */
export function photo(width, height, { seed = 1, noise = 12, channels = 4 } = {}) {
  const random = prng(seed);
  const px = Buffer.alloc(width * height * channels);
  const col = new Float32Array(width);
  const row = new Float32Array(height);
  for (let x = 0; x < width; x++) {
    col[x] = 40 * Math.sin((x / width) * 5.1 + 0.7) + 15 * Math.sin((x / width) * 17.3);
  }
  for (let y = 0; y < height; y++) {
    row[y] = 35 * Math.cos((y / height) * 4.3 + 0.2) + 12 * Math.sin((y / height) * 23.9);
  }
  // The page: brighter, in the middle of the frame.
  const page = { x0: Math.round(width * 0.18), y0: Math.round(height * 0.1) };
  page.w = Math.round(width * 0.64);
  page.h = Math.round(height * 0.8);
  for (let y = 0; y < height; y++) {
    const inRows = y >= page.y0 && y < page.y0 + page.h;
    for (let x = 0; x < width; x++) {
      const onPage = inRows && x >= page.x0 && x < page.x0 + page.w;
      const base = onPage ? 205 + col[x] * 0.2 + row[y] * 0.2 : 110 + col[x] + row[y];
      const n = (random() + random() - 1) * noise;
      const i = (y * width + x) * channels;
      px[i] = base + n + 12;
      px[i + 1] = base + n + (random() - 0.5) * noise * 0.5;
      px[i + 2] = base + n - 14;
      if (channels === 4) px[i + 3] = 255;
    }
  }
  strokes(px, channels, width, page, random, Math.round(height / 45), [35, 40, 90]);
  return px;
}

/** A screenshot of a course page: header, sidebar, text, and a photo filling `photoShare` of it. */
export function screenshot(width, height, { seed = 2, noise = 40, photoShare = 0.5 } = {}) {
  const random = prng(seed);
  const px = Buffer.alloc(width * height * 3, 255);
  const fill = (x0, y0, w, h, rgb) => {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) px.set(rgb, (y * width + x) * 3);
    }
  };
  fill(0, 0, width, Math.round(height * 0.06), [32, 56, 120]);
  fill(0, Math.round(height * 0.06), Math.round(width * 0.15), height - Math.round(height * 0.06), [
    240,
    242,
    246,
  ]);
  const pw = Math.round(width * Math.sqrt(photoShare));
  const ph = Math.round(height * Math.sqrt(photoShare));
  const img = photo(pw, ph, { seed: seed + 1, noise, channels: 3 });
  const px0 = Math.round(width * 0.2);
  const py0 = Math.round(height * 0.1);
  for (let y = 0; y < ph && py0 + y < height; y++) {
    const w = Math.min(pw, width - px0);
    img.copy(px, ((py0 + y) * width + px0) * 3, y * pw * 3, (y * pw + w) * 3);
  }
  const textBox = { x0: px0, y0: py0 + ph + 10, w: width - px0 - 20, h: height - py0 - ph - 20 };
  if (textBox.h > 40) strokes(px, 3, width, textBox, random, 28, [30, 30, 30]);
  return px;
}
