/**
 * The harness's data set (eval/data/, made in this repository; see eval/data/README.md).
 *
 * @module
 */

import type { ReferenceFact } from "./metrics.ts";

const DATA = new URL("../../eval/data/", import.meta.url);

export interface CuratorQuestion {
  readonly id: string;
  readonly category: "logistics" | "homework" | "motivation" | "adversarial";
  readonly question: string;
}

export interface VisionItem {
  readonly id: string;
  readonly file: string;
  readonly mimeType: string;
  readonly text: string;
}

export interface SpeechItem {
  readonly id: string;
  readonly file: string;
  readonly mimeType: string;
  readonly durationSeconds: number;
  readonly text: string;
}

export interface DocumentItem {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly facts: readonly ReferenceFact[];
}

export interface EvalData {
  readonly questions: readonly CuratorQuestion[];
  readonly images: readonly VisionItem[];
  readonly clips: readonly SpeechItem[];
  readonly documents: readonly DocumentItem[];
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(path, DATA))) as T;
}

/** Loads the data set's manifests (not the image and audio bytes). */
export async function loadEvalData(): Promise<EvalData> {
  const [{ questions }, { images }, { clips }, { documents }] = await Promise.all([
    readJson<{ questions: CuratorQuestion[] }>("curator_questions.json"),
    readJson<{ images: VisionItem[] }>("vision/manifest.json"),
    readJson<{ clips: SpeechItem[] }>("speech/manifest.json"),
    readJson<{ documents: DocumentItem[] }>("documents.json"),
  ]);
  return { questions, images, clips, documents };
}

/** The bytes of an image or clip named in a manifest. */
export function readDataFile(folder: "vision" | "speech", file: string): Promise<Uint8Array> {
  return Deno.readFile(new URL(`${folder}/${file}`, DATA));
}

/**
 * The first `n` items, spread over the list's categories when it has them (so a sample of the
 * curator questions still has an adversarial one). `n` undefined: all.
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
