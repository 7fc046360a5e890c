// Files for the process-file-upload tests: the committed fixtures (tests/fixtures/files, see its
// README and manifest.json), images too big to commit built at run time, and a raw multipart call.
import type { SupabaseClient } from "@supabase/supabase-js";
import { type FormReply, invokeForm } from "../../_support/functions.ts";
import { encodeJpeg } from "../../../supabase/functions/_shared/files/codecs.ts";
import { noise, noisePng } from "../../../supabase/functions/_shared/files/test_fixtures.ts";

const dir = new URL("../../fixtures/files/", import.meta.url);

export const manifest: {
  "text-cyrillic.pdf": { pages: string[][] };
  "scanned.pdf": { pageImages: string[]; pages: string[][] };
  "mixed.pdf": { textPage: string[]; pagesWithText: number[]; pagesWithoutText: number[] };
  "essay.docx": { sentences: string[] };
  "printed-text.png": { text: string };
} = JSON.parse(Deno.readTextFileSync(new URL("manifest.json", dir)));

export function fixtureBytes(name: string): Uint8Array<ArrayBuffer> {
  return Deno.readFileSync(new URL(name, dir)) as Uint8Array<ArrayBuffer>;
}

const MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  txt: "text/plain",
  md: "text/markdown",
};

/** A File the way a browser hands one over: name and declared type from the extension. */
export function file(name: string, bytes: Uint8Array<ArrayBuffer> = fixtureBytes(name)): File {
  return new File([bytes], name.split("/").pop()!, {
    type: MIME[name.split(".").pop()!] ?? "application/octet-stream",
  });
}

export function form(fields: Record<string, string | File | File[]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    for (const item of Array.isArray(v) ? v : [v]) f.append(k, item);
  }
  return f;
}

/** 40 megapixels (7744 × 5164, 3:2 like a phone camera) of a smooth photo-like JPEG, ~5 MB. */
export async function fortyMegapixelJpeg(): Promise<Uint8Array<ArrayBuffer>> {
  const [width, height] = [7744, 5164];
  const data = new Uint8Array(width * height * 4);
  const grain = noise(4096);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const g = grain[(x * 31 + y * 17) & 4095] >> 5;
      data[i] = ((x >> 4) + g) & 0xff;
      data[i + 1] = ((y >> 4) + g) & 0xff;
      data[i + 2] = (((x ^ y) >> 3) + g) & 0xff;
      data[i + 3] = 255;
    }
  }
  return await encodeJpeg({ data, width, height }, 80) as Uint8Array<ArrayBuffer>;
}

/** A ~9.5 MB PNG (2000 × 1500 of noise, which does not compress). */
export function nineMegabytePng(): Uint8Array<ArrayBuffer> {
  return noisePng(2000, 1500) as Uint8Array<ArrayBuffer>;
}

export type Reply = FormReply;

/** A FormData to process-file-upload, as a frontend posts it (see `invokeForm`). */
export function invokeFileForm(
  supabase: SupabaseClient,
  body: FormData,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return invokeForm(supabase, "process-file-upload", body, headers);
}

/** Exact sum of decimal strings (ledger cost_usd values) to 10 places, without floating point. */
export function sumUsd(values: readonly string[]): string {
  let total = 0n;
  for (const v of values) {
    const [i, f = ""] = v.split(".");
    total += BigInt(i + f.padEnd(10, "0").slice(0, 10));
  }
  const s = total.toString().padStart(11, "0");
  return `${s.slice(0, -10)}.${s.slice(-10)}`;
}

/** The largest data URL a base64 image of `bytes` makes (what Groq's 4 MB applies to). */
export function dataUrlChars(bytes: number, mime: string): number {
  return `data:${mime};base64,`.length + 4 * Math.ceil(bytes / 3);
}
