// A student's access token for handler tests that call the handler directly: HS256 with the local
// stack's well-known secret (the handler is given it as LEGACY_JWT_SECRET), with the claims Auth
// puts on a real one (`aud` is checked).
export const TEST_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
const json64 = (v: unknown) => b64url(new TextEncoder().encode(JSON.stringify(v)));

export async function studentToken(
  sub: string = crypto.randomUUID(),
): Promise<string> {
  const head = `${json64({ alg: "HS256", typ: "JWT" })}.${
    json64({
      sub,
      role: "authenticated",
      aud: "authenticated",
      exp: Date.now() / 1000 + 60,
    })
  }`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(TEST_JWT_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(head),
  );
  return `${head}.${b64url(new Uint8Array(sig))}`;
}
