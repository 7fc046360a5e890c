/**
 * The harness's data set (eval/data/, SYNTHETIC, made by the scripts in scripts/eval/data; see
 * eval/data/README.md): curator items and documents with expectations, photos with known text,
 * scanned pages with known facts, voice clips with known words.
 *
 * @module
 */

import type { EvalTask } from "./candidates.ts";
import type { Expectations } from "./expectations.ts";
import type { CuratorItem, DocumentItem } from "./data/make_text_sets.ts";

export type { CuratorItem, DocumentItem };

const DATA = new URL("../../eval/data/", import.meta.url);

export interface PhotoItem {
  readonly id: string;
  readonly file: string;
  readonly mimeType: string;
  readonly style?: string;
  readonly text: string;
}

export interface ScanItem {
  readonly id: string;
  readonly files: readonly string[];
  readonly mimeType: string;
  readonly instruction: string | null;
  readonly expect: Expectations;
}

export interface SpeechItem {
  readonly id: string;
  readonly file: string;
  readonly mimeType: string;
  readonly durationSeconds: number;
  readonly text: string;
  readonly voice?: string;
  readonly condition?: string;
}

/** One question about one document (a document has several). */
export interface DocumentTask {
  readonly id: string;
  readonly document: DocumentItem;
  readonly instruction: string | null;
  readonly expect: Expectations;
}

export interface EvalData {
  readonly curator: readonly CuratorItem[];
  readonly photos: readonly PhotoItem[];
  readonly scans: readonly ScanItem[];
  readonly documents: readonly DocumentTask[];
  readonly clips: readonly SpeechItem[];
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(path, DATA))) as T;
}

/** Loads the data set's manifests (not the image and audio bytes). */
export async function loadEvalData(): Promise<EvalData> {
  const [{ items }, { images, scans }, { clips }, { documents }] = await Promise.all([
    readJson<{ items: CuratorItem[] }>("curator.json"),
    readJson<{ images: PhotoItem[]; scans: ScanItem[] }>("vision/manifest.json"),
    readJson<{ clips: SpeechItem[] }>("speech/manifest.json"),
    readJson<{ documents: DocumentItem[] }>("documents.json"),
  ]);
  return {
    curator: items,
    photos: images,
    scans,
    clips,
    documents: documents.flatMap((d) =>
      d.tasks.map((t) => ({ id: t.id, document: d, instruction: t.instruction, expect: t.expect }))
    ),
  };
}

/** The bytes of an image or clip named in a manifest. */
export function readDataFile(folder: "vision" | "speech", file: string): Promise<Uint8Array> {
  return Deno.readFile(new URL(`${folder}/${file}`, DATA));
}

/** Sizes of the data set, as the eval prints them (the suite checks the minimums). */
export interface DataSizes {
  curatorItems: number;
  multiTurnItems: number;
  longHistoryItems: number;
  photos: number;
  scanItems: number;
  documentTasks: number;
  documents: number;
  longestDocumentPages: number;
  negationChecks: number;
  voiceClips: number;
  voices: number;
  voiceWords: number;
  voiceSeconds: number;
  bytesOnDisk: number;
}

async function folderBytes(url: URL): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(url)) {
    const child = new URL(entry.name + (entry.isDirectory ? "/" : ""), url);
    total += entry.isDirectory ? await folderBytes(child) : (await Deno.stat(child)).size;
  }
  return total;
}

export async function dataSizes(data: EvalData): Promise<DataSizes> {
  const docs = new Map(data.documents.map((t) => [t.document.id, t.document]));
  const negation = (e: Expectations) => (e.mustNot?.length ?? 0) > 0 ? 1 : 0;
  return {
    curatorItems: data.curator.length,
    multiTurnItems: data.curator.filter((i) => i.history.length > 0).length,
    longHistoryItems: data.curator.filter((i) => i.history.length >= 10).length,
    photos: data.photos.length,
    scanItems: data.scans.length,
    documentTasks: data.documents.length,
    documents: docs.size,
    longestDocumentPages: Math.max(0, ...[...docs.values()].map((d) => d.pages)),
    negationChecks: [
      ...data.curator.map((i) => i.expect),
      ...data.documents.map((t) => t.expect),
      ...data.scans.map((s) => s.expect),
    ].reduce((n, e) => n + negation(e), 0),
    voiceClips: data.clips.length,
    voices: new Set(data.clips.map((c) => /festival/i.test(c.voice ?? "") ? "festival" : "espeak"))
      .size,
    voiceWords: data.clips.reduce((n, c) => n + c.text.split(/\s+/).filter(Boolean).length, 0),
    voiceSeconds: Math.round(data.clips.reduce((s, c) => s + c.durationSeconds, 0)),
    bytesOnDisk: await folderBytes(DATA),
  };
}

/**
 * The first `n` items, spread over the list's categories when it has them (so a sample of the
 * curator items still has a negation one). `n` undefined: all.
 */
export function sample<T extends { id: string; category?: string }>(
  items: readonly T[],
  n?: number,
): T[] {
  if (n === undefined || n >= items.length) return [...items];
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = item.category ?? "";
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const out: T[] = [];
  for (let round = 0; out.length < n; round++) {
    for (const group of groups.values()) {
      if (round < group.length && out.length < n) out.push(group[round]);
    }
  }
  return out;
}

/** Items per decision task in `data`. */
export function itemCounts(data: EvalData): Record<EvalTask, number> {
  return {
    chat: data.curator.length,
    photo: data.photos.length,
    scan: data.scans.length,
    document: data.documents.length,
    voice: data.clips.length,
  };
}
