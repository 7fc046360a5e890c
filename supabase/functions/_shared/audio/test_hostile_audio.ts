// Hostile recordings as generators, each with the duration a decoder plays (test corpus, never
// bundled into a function). Every one lies in a header that older code trusted.

const text = (s: string) => new TextEncoder().encode(s);

function join(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), at += p.length);
  return out;
}

/**
 * A mono 16-bit PCM WAV of `seconds` at `sampleRate` whose fmt average byte rate is multiplied by
 * `byteRateFactor` (players ignore it; a meter that divides by it bills 1/factor of the audio).
 * `bitsPerSample: 8` and `sampleRate: 1` make the "19.2 M seconds in 19.2 MB" file.
 */
export function lyingWav(
  { seconds, sampleRate = 16000, byteRateFactor = 60, bitsPerSample = 16 }: {
    seconds: number;
    sampleRate?: number;
    byteRateFactor?: number;
    bitsPerSample?: 8 | 16;
  },
): { bytes: Uint8Array<ArrayBuffer>; durationSeconds: number } {
  const frameBytes = bitsPerSample / 8;
  const dataBytes = Math.round(seconds * sampleRate) * frameBytes;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(text("RIFF"), 0);
  view.setUint32(4, 36 + dataBytes, true);
  bytes.set(text("WAVEfmt "), 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * frameBytes * byteRateFactor, true);
  view.setUint16(32, frameBytes, true);
  view.setUint16(34, bitsPerSample, true);
  bytes.set(text("data"), 36);
  view.setUint32(40, dataBytes, true);
  // A quiet 440 Hz tone, so the samples are not all zero.
  if (bitsPerSample === 16) {
    for (let i = 0; i < dataBytes / 2; i += 1) {
      view.setInt16(
        44 + i * 2,
        Math.round(800 * Math.sin((i * 2 * Math.PI * 440) / sampleRate)),
        true,
      );
    }
  } else bytes.fill(128, 44);
  return { bytes, durationSeconds: dataBytes / frameBytes / sampleRate };
}

const OGG_CRC = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** One Ogg page holding whole `packets` (each < 255 bytes), with a valid CRC. */
export function oggPage(
  packets: Uint8Array[],
  { serial, sequence, granule, flags }: {
    serial: number;
    sequence: number;
    granule: number;
    flags: number;
  },
): Uint8Array {
  const lacing = packets.map((p) => p.length);
  const body = join(packets);
  const page = new Uint8Array(27 + lacing.length + body.length);
  const view = new DataView(page.buffer);
  page.set(text("OggS"), 0);
  page[5] = flags;
  view.setUint32(6, granule % 0x100000000, true);
  view.setUint32(10, Math.floor(granule / 0x100000000), true);
  view.setUint32(14, serial, true);
  view.setUint32(18, sequence, true);
  page[26] = lacing.length;
  page.set(lacing, 27);
  page.set(body, 27 + lacing.length);
  let crc = 0;
  for (const b of page) crc = ((crc << 8) ^ OGG_CRC[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  view.setUint32(22, crc, true);
  return page;
}

/**
 * An Ogg Opus file of `packets` × 20 ms packets whose granules (every page's, the last one
 * included) claim only `claimedSeconds`: a decoder plays packets × 20 ms.
 * `emptyPackets` instead fills pages with zero-length packets (255 a page): a file that is cheap
 * to make and, without a meter, expensive to count.
 */
export function lyingOggOpus(
  { packets, claimedSeconds, emptyPackets = false }: {
    packets: number;
    claimedSeconds: number;
    emptyPackets?: boolean;
  },
): { bytes: Uint8Array<ArrayBuffer>; durationSeconds: number } {
  const serial = 0x22;
  const preSkip = 312;
  const head = new Uint8Array(19);
  head.set(text("OpusHead"));
  head[8] = 1; // version
  head[9] = 1; // channels
  new DataView(head.buffer).setUint16(10, preSkip, true);
  new DataView(head.buffer).setUint32(12, 16000, true);
  const tags = join([
    text("OpusTags"),
    new Uint8Array([4, 0, 0, 0]),
    text("test"),
    new Uint8Array(4),
  ]);
  const pages = [
    oggPage([head], { serial, sequence: 0, granule: 0, flags: 0x02 }),
    oggPage([tags], { serial, sequence: 1, granule: 0, flags: 0 }),
  ];
  // TOC 0x08: SILK narrowband, 20 ms, one frame (RFC 6716 config 1, code 0); two payload bytes.
  const packet = new Uint8Array([0x08, 0xff, 0xfe]);
  const perPage = emptyPackets ? 255 : 50;
  const claimedEnd = preSkip + claimedSeconds * 48000;
  if (emptyPackets) {
    // One page of 255 empty packets, repeated (a parser that counts must walk every one).
    const page = oggPage(Array.from({ length: 255 }, () => new Uint8Array(0)), {
      serial,
      sequence: 2,
      granule: claimedEnd,
      flags: 0,
    });
    const count = Math.ceil(packets / 255);
    const body = new Uint8Array(page.length * count);
    for (let i = 0; i < count; i++) body.set(page, i * page.length);
    return { bytes: join([...pages, body]), durationSeconds: 0 };
  }
  for (let done = 0, sequence = 2; done < packets; sequence++) {
    const n = Math.min(perPage, packets - done);
    done += n;
    const last = done === packets;
    const granule = Math.round((claimedEnd * done) / packets);
    const content = Array.from({ length: n }, () => emptyPackets ? new Uint8Array(0) : packet);
    pages.push(oggPage(content, { serial, sequence, granule, flags: last ? 0x04 : 0 }));
  }
  return {
    bytes: join(pages),
    durationSeconds: emptyPackets ? 0 : (packets * 960 - preSkip) / 48000,
  };
}

/**
 * An MPEG-2 Layer III file (16 kHz mono, 32 kbit/s, 36 ms frames) of `frames` frames behind a Xing
 * header that declares `declaredFrames`, with `junkEvery` bytes of junk after every so many frames
 * (decoders resynchronise past it).
 */
export function lyingMp3(
  { frames, declaredFrames, junkEvery = 0 }: {
    frames: number;
    declaredFrames: number;
    junkEvery?: number;
  },
): { bytes: Uint8Array<ArrayBuffer>; durationSeconds: number } {
  const frame = (xing: boolean) => {
    const f = new Uint8Array(144);
    f.set([0xff, 0xf3, 0x48, 0xc0]); // MPEG-2, Layer III, no CRC; 32 kbit/s, 16 kHz; mono
    if (xing) {
      f.set(text("Xing"), 4 + 9);
      new DataView(f.buffer).setUint32(4 + 9 + 4, 1, false); // frames field present
      new DataView(f.buffer).setUint32(4 + 9 + 8, declaredFrames, false);
    }
    return f;
  };
  const parts = [frame(true)];
  for (let i = 0; i < frames; i++) {
    parts.push(frame(false));
    if (junkEvery > 0 && i % junkEvery === junkEvery - 1) parts.push(text("junk!"));
  }
  return { bytes: join(parts), durationSeconds: (frames * 576) / 16000 };
}
