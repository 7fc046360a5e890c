// The key for a bench's paid run against `--base-url`: OPENAI_API_KEY for an api.openai.com URL,
// GROQ_API_KEY otherwise. Exits with a clear message when the key is not set.
export function providerKeyFor(baseURL, bench) {
  const key =
    (new URL(baseURL).hostname.endsWith("openai.com")
      ? process.env.OPENAI_API_KEY
      : process.env.GROQ_API_KEY) ?? "";
  if (!key) {
    console.error(`${bench}: --base-url needs GROQ_API_KEY (or OPENAI_API_KEY for OpenAI)`);
    process.exit(2);
  }
  return key;
}
