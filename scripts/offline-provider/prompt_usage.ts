/**
 * What the offline provider reports as prompt usage: text tokens, image tokens counted per model
 * the way each provider documents it (`_shared/ai/image_tokens.ts`), and the cached part of the
 * prompt under a simulation of the providers' automatic prefix caching.
 *
 * A test double: the figures are the documented rules applied to our own token estimate (one token
 * per 4 characters), never a model's tokenizer.
 *
 * @module
 */

import {
  countImageTokens,
  type ImageDetail,
  imageTokenRule,
} from "../../supabase/functions/_shared/ai/image_tokens.ts";

export type CacheProvider = "groq" | "openai";

/** How a provider's automatic prompt caching behaves, with where each figure comes from. */
export interface PromptCachePolicy {
  /** Prompts shorter than this are never cached. */
  readonly minPrefixTokens: number;
  /** Cached prefixes are whole multiples of this many tokens. */
  readonly incrementTokens: number;
  /** A prefix unused for this long is gone. */
  readonly ttlMs: number;
  readonly source: string;
  /** Figures we assumed rather than read. */
  readonly uncertain?: string;
}

export const PROMPT_CACHE_POLICIES: Readonly<Record<CacheProvider, PromptCachePolicy>> = {
  // developers.openai.com/api/docs/guides/prompt-caching (read 2026-12-06): automatic for prompts
  // of 1,024 tokens or more, "cache hits occur in 128-token increments" (the guide's older wording;
  // the current page keeps 1,024), caches "typically cleared after 5–10 minutes of inactivity",
  // always within an hour. We take 10 minutes.
  openai: {
    minPrefixTokens: 1_024,
    incrementTokens: 128,
    ttlMs: 10 * 60_000,
    source: "developers.openai.com/api/docs/guides/prompt-caching, read 2026-12-06",
    uncertain: "lifetime is '5–10 minutes of inactivity, up to an hour': 10 minutes assumed",
  },
  // console.groq.com/docs/prompt-caching (read 2026-12-06): automatic prefix matching, 50 % off
  // cached tokens, "cached data automatically expires after 2 hours without use". Groq states no
  // minimum prefix and no granularity.
  groq: {
    minPrefixTokens: 1_024,
    incrementTokens: 128,
    ttlMs: 2 * 60 * 60_000,
    source: "console.groq.com/docs/prompt-caching, read 2026-12-06",
    uncertain:
      "Groq states no minimum prefix or granularity: OpenAI's 1,024 / 128 tokens assumed (the stricter reading)",
  },
};

/** One image of a request, as the request log summarises it. */
export interface PromptImage {
  readonly bytes: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly detail?: string;
}

/** An image whose size the offline provider cannot read (an http URL) counts as OpenAI's low. */
const UNKNOWN_IMAGE_TOKENS = 85;

/** Image tokens of one image sent to `provider:model`, by the model's documented rule. */
export function imageTokens(provider: string, model: string, image: PromptImage): number {
  if (image.width === null || image.height === null || image.width < 1 || image.height < 1) {
    return UNKNOWN_IMAGE_TOKENS;
  }
  const detail: ImageDetail = image.detail === "low" || image.detail === "high"
    ? image.detail
    : "auto";
  return countImageTokens(imageTokenRule(provider, model), {
    width: image.width,
    height: image.height,
  }, detail).tokens;
}

/**
 * The prompt as the cache sees it: text in order, with role boundaries, and each image as a marker
 * as long (in characters, four a token) as the tokens it counts, so prefix positions are tokens.
 */
export class PromptText {
  private parts: string[] = [];
  imageTokens = 0;
  textChars = 0;

  role(role: string) {
    this.parts.push(`\u0000${role}\u0000`);
  }

  text(text: string) {
    this.parts.push(text);
    this.textChars += text.length;
  }

  /** `key` identifies the image's content (`contentKey` of its URL): two photos of the same size
   * are different prefixes. */
  image(tokens: number, image: PromptImage, key = "") {
    this.imageTokens += tokens;
    const marker = `\u0001${key}:${image.bytes}:${image.width}x${image.height}:${
      image.detail ?? ""
    }`;
    this.parts.push(marker.padEnd(Math.max(marker.length, tokens * 4), "\u0002"));
  }

  toString(): string {
    return this.parts.join("");
  }
}

/** A 64-bit FNV-1a digest of a whole string (an image's data URL), as hex. */
export function contentKey(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16) + h2.toString(16);
}

interface CacheEntry {
  lastUsed: number;
}

export interface PromptCache {
  /**
   * Tokens of `prompt` served from the cache (a multiple of the increment, at least the minimum,
   * at most `promptTokens`), then remembers `prompt`'s prefixes for later requests.
   */
  use(provider: CacheProvider, model: string, prompt: string, promptTokens: number): number;
  clear(): void;
  readonly size: number;
}

/**
 * Automatic prefix caching as the providers describe it: a request reuses the longest prefix, in
 * whole increments from the minimum up, that an earlier request to the same model sent within the
 * lifetime; every request's own prefixes are then cached (the lifetime restarts on use). Bounded:
 * the least recently used prefixes go first beyond `maxEntries`.
 */
export function createPromptCache(
  now: () => number,
  options: {
    policies?: Readonly<Record<CacheProvider, PromptCachePolicy>>;
    maxEntries?: number;
  } = {},
): PromptCache {
  const policies = options.policies ?? PROMPT_CACHE_POLICIES;
  const maxEntries = options.maxEntries ?? 200_000;
  const entries = new Map<string, CacheEntry>();

  return {
    use(provider, model, prompt, promptTokens) {
      const policy = policies[provider];
      const at = now();
      const step = policy.incrementTokens * 4;
      const keys: { tokens: number; key: string }[] = [];
      // Two 32-bit FNV-1a hashes with different offsets: 64 bits per prefix.
      let h1 = 0x811c9dc5;
      let h2 = 0x01000193 ^ 0x9e3779b9;
      for (let i = 0; i < prompt.length; i++) {
        const c = prompt.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
        h2 = Math.imul(h2 ^ c, 0x01000193 ^ 0x5bd1e995) >>> 0;
        const end = i + 1;
        if (end % step === 0) {
          const tokens = end / 4;
          if (tokens >= policy.minPrefixTokens) {
            keys.push({ tokens, key: `${provider}:${model}:${end}:${h1}:${h2}` });
          }
        }
      }
      let cached = 0;
      for (let k = keys.length - 1; k >= 0; k--) {
        const entry = entries.get(keys[k].key);
        if (entry && at - entry.lastUsed <= policy.ttlMs) {
          cached = keys[k].tokens;
          break;
        }
      }
      for (const { key } of keys) {
        entries.delete(key);
        entries.set(key, { lastUsed: at });
      }
      while (entries.size > maxEntries) {
        entries.delete(entries.keys().next().value as string);
      }
      const floor = Math.floor(promptTokens / policy.incrementTokens) * policy.incrementTokens;
      return Math.min(cached, floor);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
