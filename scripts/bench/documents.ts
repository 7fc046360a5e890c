// What extracting one document costs, measured on the extractors alone (no stack): each input in a
// fresh Deno 2.1 process (the edge line), CPU (user + system) and peak RSS (VmHWM) of the whole
// process, the library load included; then the accepted inputs 20 times in one process, with the
// RSS after each (does it grow?). Inputs are built here (supabase/functions/_shared/files/
// test_documents.ts) into a temporary folder.
//   node_modules/deno/deno run -A scripts/bench/documents.ts [--only pdf-200,docx-bomb]
// One measurement (what the runner spawns):
//   tools/deno-edge/node_modules/@deno/linux-x64-glibc/deno run -A --config supabase/functions/process-file-upload/deno.json \
//     scripts/bench/documents.ts --measure <file> [--repeat 20]
import {
  deflateBomb,
  documentXml,
  docxArchive,
  pdfDocument,
  proseLines,
} from "../../supabase/functions/_shared/files/test_documents.ts";
import { noise } from "../../supabase/functions/_shared/files/test_fixtures.ts";

const ROOT = new URL("../../", import.meta.url);
const EDGE_DENO = new URL("tools/deno-edge/node_modules/@deno/linux-x64-glibc/deno", ROOT).pathname;
const CONFIG = new URL("supabase/functions/process-file-upload/deno.json", ROOT).pathname;

const textPages = (n: number) =>
  pdfDocument(Array.from({ length: n }, (_, i) => ({ lines: proseLines(28, i + 1) })));

/** Each input: a name and a builder. */
const INPUTS: Record<string, () => Uint8Array> = {
  "pdf-1": () => textPages(1),
  "pdf-50": () => textPages(50),
  "pdf-200": () => textPages(200),
  "pdf-300": () => textPages(300),
  "pdf-2000": () => textPages(2000),
  "pdf-stream-bomb-600mb": () =>
    pdfDocument([{
      lines: ["x"],
      contents: Array(20).fill(deflateBomb(30 << 20, { zlib: true })),
    }]),
  "pdf-image-30000x30000": () =>
    pdfDocument([{ lines: ["Scanned with CamScanner"], image: { width: 30000, height: 30000 } }]),
  "pdf-scan-20-pages": () =>
    pdfDocument(Array.from({ length: 20 }, () => ({ image: { width: 1240, height: 1754 } }))),
  "docx-text-5mb": () => {
    // ~5 MB compressed: prose paragraphs, ~4:1 in deflate.
    const xml = documentXml(proseLines(220_000, 7, 100));
    return docxArchive(xml);
  },
  "docx-photos-10mb": () =>
    docxArchive(documentXml(proseLines(30, 3)), [
      { name: "word/media/image1.png", data: noise(5 << 20, 1), method: 0 },
      { name: "word/media/image2.png", data: noise(5 << 20, 2), method: 8 },
    ]),
  "docx-bomb-1gb": () =>
    docxArchive({
      name: "word/document.xml",
      data: deflateBomb(1100 << 20),
      method: "raw",
      declaredSize: 1100 << 20,
    }),
  "docx-bomb-lying": () =>
    docxArchive({
      name: "word/document.xml",
      data: deflateBomb(1100 << 20),
      method: "raw",
      declaredSize: 10 << 20,
    }),
};

async function measure(file: string, repeat: number) {
  const { extractPdfText } = await import("../../supabase/functions/_shared/files/pdf.ts");
  const { extractDocxText } = await import("../../supabase/functions/_shared/files/docx.ts");
  const bytes = await Deno.readFile(file);
  const rss: number[] = [];
  let outcome = "";
  const started = performance.now();
  for (let i = 0; i < repeat; i++) {
    const result = file.endsWith(".pdf")
      ? await extractPdfText(bytes)
      : await extractDocxText(bytes);
    outcome = result.ok
      ? "pages" in result
        ? `ok ${result.pages.length} pages, ${
          result.pages.reduce((n, p) => n + p.text.length, 0)
        } chars, ${result.pages.filter((p) => !p.hasText).length} need images`
        : `ok ${result.text.length} chars`
      : `${result.code} ${result.reason}`;
    rss.push(Math.round(Deno.memoryUsage().rss / 2 ** 20));
  }
  const wallMs = Math.round(performance.now() - started);
  // process.cpuUsage is not implemented on Deno 2.1: utime + stime from /proc (clock ticks).
  const stat = (await Deno.readTextFile("/proc/self/stat")).split(") ")[1].split(" ");
  const cpuMs = (Number(stat[11]) + Number(stat[12])) * 10;
  const status = await Deno.readTextFile("/proc/self/status");
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  console.log(JSON.stringify({
    outcome,
    cpuMs,
    wallMs,
    peakRssMb: Math.round(hwm),
    rssAfterEachMb: repeat > 1 ? rss : undefined,
  }));
}

async function run(only: string[] | null) {
  const dir = await Deno.makeTempDir({ prefix: "bench-documents-" });
  const rows: string[] = [];
  for (const [name, build] of Object.entries(INPUTS)) {
    if (only && !only.includes(name)) continue;
    const bytes = build();
    const file = `${dir}/${name}.${name.startsWith("pdf") ? "pdf" : "docx"}`;
    await Deno.writeFile(file, bytes);
    for (const repeat of [1, 20]) {
      const out = await new Deno.Command(EDGE_DENO, {
        args: [
          "run",
          "-A",
          "--config",
          CONFIG,
          new URL(import.meta.url).pathname,
          "--measure",
          file,
          "--repeat",
          String(repeat),
        ],
        stdout: "piped",
        stderr: "inherit",
        env: { DENO_TLS_CA_STORE: "system" },
      }).output();
      const m = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
      const growth = m.rssAfterEachMb
        ? ` rss ${m.rssAfterEachMb[0]}→${m.rssAfterEachMb.at(-1)} MB`
        : "";
      rows.push(
        `| ${name} | ${
          (bytes.length / 2 ** 20).toFixed(2)
        } MB | ×${repeat} | ${m.outcome} | ${m.cpuMs} ms | ${m.wallMs} ms | ${m.peakRssMb} MB${growth} |`,
      );
      console.log(rows.at(-1));
      if (!m.outcome.startsWith("ok")) break; // a refusal needs no 20-request run
    }
  }
  await Deno.remove(dir, { recursive: true });
  console.log("\n| input | size | requests | outcome | CPU | wall | peak RSS |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const row of rows) console.log(row);
}

const args = Deno.args;
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (flag("--measure")) {
  await measure(flag("--measure")!, Number(flag("--repeat") ?? 1));
} else {
  await run(flag("--only")?.split(",") ?? null);
}
