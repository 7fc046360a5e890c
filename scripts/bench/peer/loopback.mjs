// Preloaded into the Portkey gateway's process by `npm run bench:peer` (`node --import`): its
// start-server.js listens on every interface and takes no host option, and a benchmark peer must
// not be reachable from the network. Every server this process opens is bound to 127.0.0.1.
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "object" && args[0] !== null) {
    return listen.call(this, { ...args[0], host: "127.0.0.1" }, ...args.slice(1));
  }
  if (typeof args[0] === "number" || typeof args[0] === "string") {
    const cb = args.find((a) => typeof a === "function");
    return listen.call(this, Number(args[0]), "127.0.0.1", cb);
  }
  return listen.apply(this, args);
};

// Portkey 1.15.2 streams by wrapping the provider's fetch Response in a new Response and then
// appending its own headers. Under @hono/node-server 1.19 (which replaces the global Response),
// that new Response keeps the fetch Response's Headers object, whose guard is "immutable", and
// every streamed request fails with 500 "Something went wrong" (TypeError: immutable). The
// provider's answer is handed on with an ordinary, mutable copy of its headers — what an
// unpatched Portkey gets under the Response class it was built against. Costs one small copy.
const NativeResponse = globalThis.Response;
const nativeFetch = globalThis.fetch;
globalThis.fetch = async (...a) => {
  const res = await nativeFetch(...a);
  return new NativeResponse(res.body, {
    status: res.status,
    statusText: res.statusText,
    headers: new Headers(res.headers),
  });
};
