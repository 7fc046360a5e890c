// A worker process's figures from /proc, read through files opened once. The supervisor reads a
// worker's CPU at both ends of every request and polls its memory every 25 ms; `readFileSync` of
// `/proc/<pid>/stat` costs an open, an fstat, two reads, a close, a string and a split each time
// (`npm run bench:gateway`: ~70 µs of the gateway's CPU per request went to the two reads of
// `begin`). A /proc file is generated afresh at every read from offset 0, so one positioned
// `readSync` on a held descriptor gives current figures, parsed here from the bytes.
// A held descriptor also keeps naming the same process: once it has been reaped, reads fail
// (ESRCH) instead of reading a process that reused its pid.
import { closeSync, openSync, readSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ: `getconf CLK_TCK` is 100 on Linux x86-64 and arm64.
const SPACE = 0x20;
const CLOSE_PAREN = 0x29;

export class ProcFiles {
  #stat;
  #status;
  #buf = Buffer.allocUnsafe(8192);

  /** @param {number} pid */
  constructor(pid) {
    this.pid = pid;
    this.#stat = openOrNull(`/proc/${pid}/stat`);
    this.#status = openOrNull(`/proc/${pid}/status`);
  }

  #read(fd) {
    if (fd === null) return 0;
    try {
      return readSync(fd, this.#buf, 0, this.#buf.length, 0);
    } catch {
      return 0; // ESRCH: the process has been reaped
    }
  }

  /** Index in the buffer of the first byte after `) ` in `/proc/<pid>/stat`, or -1. */
  #statFields() {
    const n = this.#read(this.#stat);
    // The command name (field 2) is in parentheses and may hold spaces or parentheses: the last
    // `)` ends it.
    for (let i = n - 1; i > 0; i--) if (this.#buf[i] === CLOSE_PAREN) return i + 2;
    return -1;
  }

  #cpuMs = null;
  #cpuAt = -Infinity;

  /**
   * CPU ms (utime + stime) of the process, or null once it is gone. With `maxAgeMs`, a figure read
   * that recently is reused: the kernel counts in 10 ms ticks, so a read less than a millisecond
   * old is as good as a new one (one request's end and the next one's start, or many requests
   * beginning together, then share a read).
   */
  cpuMs(maxAgeMs = 0) {
    const now = performance.now();
    if (maxAgeMs > 0 && now - this.#cpuAt < maxAgeMs && this.#cpuMs !== null) return this.#cpuMs;
    this.#cpuAt = now;
    return (this.#cpuMs = this.#readCpuMs());
  }

  #readCpuMs() {
    let i = this.#statFields();
    if (i < 0) return null;
    // After the command name: state is field 0, utime field 11, stime field 12.
    for (let field = 0; field < 11; i++) if (this.#buf[i] === SPACE) field++;
    let utime = 0;
    for (; this.#buf[i] !== SPACE; i++) utime = utime * 10 + this.#buf[i] - 48;
    let stime = 0;
    for (i++; this.#buf[i] !== SPACE; i++) stime = stime * 10 + this.#buf[i] - 48;
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  }

  /** False once the process has exited, even before Node has reaped it (state Z, a zombie). */
  alive() {
    const i = this.#statFields();
    return i >= 0 && this.#buf[i] !== 0x5a; // "Z"
  }

  /** Resident MB (VmRSS) and its peak (VmHWM), or null once the process is gone. */
  memoryMb() {
    const n = this.#read(this.#status);
    if (n === 0) return null;
    const text = this.#buf.toString("latin1", 0, n);
    return { rssMb: kbField(text, "VmRSS:") / 1024, hwmMb: kbField(text, "VmHWM:") / 1024 };
  }

  /** CPU ms and resident MB together, or null once the process is gone. */
  sample() {
    const cpuMs = this.cpuMs();
    const memory = cpuMs === null ? null : this.memoryMb();
    return memory && { cpuMs, ...memory };
  }

  close() {
    for (const fd of [this.#stat, this.#status]) {
      if (fd !== null) {
        try {
          closeSync(fd);
        } catch { /* closed already */ }
      }
    }
    this.#stat = this.#status = null;
  }
}

function openOrNull(path) {
  try {
    return openSync(path, "r");
  } catch {
    return null;
  }
}

/** The number after `name` in /proc/<pid>/status (kB), 0 when the line is missing. */
function kbField(text, name) {
  const at = text.indexOf(name);
  return at < 0 ? 0 : parseInt(text.slice(at + name.length, text.indexOf("\n", at)), 10) || 0;
}
