// The gateway's keep-alive connections to one worker's Unix socket, and a lean HTTP/1.1 client
// over them. Node's http client (ClientRequest + Agent + IncomingMessage, with their streams,
// listeners and per-request parser) cost more CPU per request than the gateway's own work
// (`npm run bench:gateway`); this one writes the request head itself as one string, parses the
// response head once, and hands the body on as it arrives: a counted body as is, a chunked one
// (a stream: server-sent events) decoded chunk by chunk with no buffering, so each event reaches
// the client in the read that brought it. Each socket's listeners are set once, when it opens.
//
// It serves requests whose body length is known and small (the gateway's `large` requests —
// chunked uploads or over 1 MB — still go through Node's client, which waits for 100-continue).
// A socket goes back to the pool only when both sides of the exchange ended cleanly on a
// keep-alive response; anything else (an early answer before the body was sent, an abort, an
// error, `Connection: close` from the worker) destroys it.
import net from "node:net";

const CR = 0x0d;
const LF = 0x0a;
const HEAD_LIMIT_BYTES = 64 * 1024;

/**
 * One exchange's callbacks (the gateway's): `onResponse(status, rawHeaders)` once the head is in,
 * `onBody(chunk, last)` for each piece of the body, `last` when no more follows (return false to
 * pause the worker's socket until `resume()`), `onEnd()` when the body is complete, `onError(error)` when the connection fails
 * before that. None is called after `destroy()`.
 * @typedef {{ onResponse(status: number, rawHeaders: string[]): void, onBody(chunk: Buffer, last: boolean): boolean,
 *   onEnd(): void, onError(error: Error): void }} ExchangeHandlers
 */

export class WorkerConnections {
  /** @param {string} socketPath */
  constructor(socketPath) {
    this.socketPath = socketPath;
    /** @type {net.Socket[]} */
    this.idle = [];
    /** @type {Set<net.Socket>} */
    this.open = new Set();
  }

  /**
   * Starts a request: writes its head now (`head` from requestHead()); the caller then sends the
   * body with `write()` and `end()` on the returned exchange.
   * @param {string} head
   * @param {boolean} noBody the method is HEAD: the answer has no body, whatever it declares
   * @param {ExchangeHandlers} handlers
   */
  request(head, noBody, handlers) {
    let socket = this.idle.pop();
    if (!socket) {
      socket = net.connect(this.socketPath);
      this.open.add(socket);
      socket.on("data", onSocketData);
      socket.on("error", onSocketError);
      socket.on("close", () => onSocketClose(this, socket));
    }
    const exchange = new Exchange(this, socket, noBody, handlers);
    socket.exchange = exchange;
    // The head and the body leave in one write when the body came in the same read from the
    // client (most requests): uncorked at the end of the body, or at the latest in the tick after
    // the caller's body listeners first flow (they must be attached before this call, so that
    // Node's resume tick runs before this one).
    socket.cork();
    socket.write(head, "latin1");
    process.nextTick(uncorkOnce, exchange);
    return exchange;
  }

  /** Closes every connection (the worker is gone). */
  destroy() {
    for (const s of this.open) s.destroy();
    this.open.clear();
    this.idle.length = 0;
  }
}

function uncorkOnce(exchange) {
  if (exchange.corked) {
    exchange.corked = false;
    exchange.socket.uncork();
  }
}

function onSocketData(chunk) {
  const exchange = this.exchange;
  // Bytes on an idle socket are not an answer to anything: the connection is unusable.
  if (!exchange) this.destroy();
  else exchange.data(chunk);
}

function onSocketError(error) {
  this.lastError = error;
}

function onSocketClose(pool, socket) {
  pool.open.delete(socket);
  const i = pool.idle.indexOf(socket);
  if (i >= 0) pool.idle.splice(i, 1);
  socket.exchange?.closed(socket.lastError);
}

// Response parsing states.
const HEAD = 0;
const COUNTED = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_END = 4;
const TRAILERS = 5;
const UNTIL_CLOSE = 6;
const DONE = 7;

class Exchange {
  constructor(pool, socket, noBody, handlers) {
    this.pool = pool;
    this.socket = socket;
    this.noBody = noBody;
    this.h = handlers;
    this.corked = true;
    this.state = HEAD;
    /** Bytes of a head, a chunk-size line or a trailer line that a read split. */
    this.pending = null;
    this.remaining = 0;
    this.keepAlive = true;
    this.requestEnded = false;
    this.finished = false;
  }

  /** A piece of the request body; false when the socket's buffer is full (wait for "drain"). */
  write(chunk) {
    return this.finished ? true : this.socket.write(chunk);
  }

  /** The request body is complete. */
  end() {
    this.requestEnded = true;
    uncorkOnce(this);
    if (this.state === DONE) this.#release();
  }

  pause() {
    this.socket.pause();
  }

  resume() {
    this.socket.resume();
  }

  /** Ends the exchange and, unless it went back to the pool, its connection; no callback follows. */
  destroy() {
    this.finished = true;
    if (this.socket.exchange !== this) return;
    this.socket.exchange = null;
    this.socket.destroy();
  }

  closed(error) {
    if (this.finished) return;
    if (this.state === UNTIL_CLOSE) {
      this.state = DONE;
      this.finished = true;
      this.h.onEnd();
      return;
    }
    this.finished = true;
    this.h.onError(error ?? new Error("the worker closed the connection"));
  }

  data(chunk) {
    if (this.finished) return;
    let at = 0;
    if (this.pending) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    while (at < chunk.length && !this.finished) {
      switch (this.state) {
        case HEAD: {
          const end = chunk.indexOf("\r\n\r\n", at, "latin1");
          if (end < 0) {
            if (chunk.length - at > HEAD_LIMIT_BYTES) return this.#fail("response head too large");
            this.pending = chunk.subarray(at);
            return;
          }
          if (!this.#head(chunk.toString("latin1", at, end))) return;
          at = end + 4;
          break;
        }
        case COUNTED: {
          const n = Math.min(this.remaining, chunk.length - at);
          this.remaining -= n;
          if (this.remaining === 0) this.state = DONE;
          this.#body(chunk, at, at + n);
          at += n;
          break;
        }
        case UNTIL_CLOSE:
          this.#body(chunk, at, chunk.length);
          at = chunk.length;
          break;
        case CHUNK_SIZE:
        case TRAILERS: {
          const lf = chunk.indexOf(LF, at);
          if (lf < 0) {
            if (chunk.length - at > HEAD_LIMIT_BYTES) return this.#fail("chunk line too long");
            this.pending = chunk.subarray(at);
            return;
          }
          const line = chunk.toString("latin1", at, lf > at && chunk[lf - 1] === CR ? lf - 1 : lf);
          at = lf + 1;
          if (this.state === TRAILERS) {
            if (line === "") this.state = DONE;
            break;
          }
          const size = parseInt(line, 16); // stops at a chunk extension (";name=value")
          if (!Number.isFinite(size) || size < 0) return this.#fail("bad chunk size");
          if (size === 0) this.state = TRAILERS;
          else {
            this.remaining = size;
            this.state = CHUNK_DATA;
          }
          break;
        }
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, chunk.length - at);
          this.remaining -= n;
          if (this.remaining === 0) this.state = CHUNK_DATA_END;
          this.#body(chunk, at, at + n);
          at += n;
          break;
        }
        case CHUNK_DATA_END: {
          // The CRLF after a chunk's data (it may arrive a byte at a time).
          if (chunk[at] === CR) at++;
          else if (chunk[at] === LF) {
            at++;
            this.state = CHUNK_SIZE;
          } else return this.#fail("bad chunk end");
          break;
        }
        case DONE:
          // More bytes than the answer declared: the connection cannot be trusted with another.
          this.keepAlive = false;
          at = chunk.length;
          break;
      }
    }
    if (this.state === DONE && !this.finished) this.#complete();
  }

  /** Parses a response head; false when it was an interim (1xx) one or bad. */
  #head(text) {
    const lines = text.split("\r\n");
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]);
    if (!m) {
      this.#fail("bad status line");
      return false;
    }
    const status = Number(m[2]);
    if (status < 200) return true; // 100 Continue, 103 Early Hints: the answer is still to come
    const raw = [];
    let length = -1;
    let chunked = false;
    this.keepAlive = m[1] === "1";
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      raw.push(name, value);
      switch (name.length) {
        case 10:
          if (name.toLowerCase() === "connection") {
            const v = value.toLowerCase();
            if (v.includes("close")) this.keepAlive = false;
            else if (v.includes("keep-alive")) this.keepAlive = true;
          }
          break;
        case 14:
          if (name.toLowerCase() === "content-length") length = Number(value);
          break;
        case 17:
          if (name.toLowerCase() === "transfer-encoding") chunked = /chunked\s*$/i.test(value);
          break;
      }
    }
    if (this.noBody || status === 204 || status === 304) this.state = DONE;
    else if (chunked) this.state = CHUNK_SIZE;
    else if (length >= 0 && Number.isSafeInteger(length)) {
      this.remaining = length;
      this.state = length === 0 ? DONE : COUNTED;
    } else {
      this.state = UNTIL_CLOSE;
      this.keepAlive = false;
    }
    this.h.onResponse(status, raw);
    return !this.finished;
  }

  #body(chunk, from, to) {
    if (to === from) return;
    const piece = from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to);
    if (this.h.onBody(piece, this.state === DONE) === false) this.socket.pause();
  }

  #complete() {
    this.finished = true;
    this.h.onEnd();
    if (this.requestEnded) this.#release();
    // else: the worker answered before the whole body arrived (an early 413); the gateway
    // destroys this exchange, as that connection cannot carry another request.
  }

  #release() {
    if (this.socket.exchange !== this) return;
    this.socket.exchange = null;
    if (this.keepAlive && !this.socket.destroyed) {
      this.socket.resume();
      this.pool.idle.push(this.socket);
    } else this.socket.destroy();
  }

  #fail(reason) {
    this.finished = true;
    this.socket.exchange = null;
    this.socket.destroy();
    this.h.onError(new Error(`bad response from the worker: ${reason}`));
  }
}

/** Header names the gateway never copies into a worker request (see gateway.mjs HOP_BY_HOP). */
export function requestHead(method, path, raw, skip, named) {
  let head = `${method} ${path} HTTP/1.1\r\nhost: localhost\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (skip.has(name) || named?.has(name)) continue;
    head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return head + "\r\n";
}
