// Calibrates the work meter (supabase/functions/_shared/files/work_meter.ts): for each input, in a
// fresh process of the workers' Deno 2.1 (tools/deno-edge), the extraction a request runs (PDF
// text, DOCX text, image preparation) with a meter of five requests' budgets, printing the units the meter
// counted beside the CPU (user + system, /proc/self/stat) and peak RSS it really took. A unit is
// meant to be about a microsecond: the ratio column should stay at or below ~1.
//   node_modules/deno/deno run -A scripts/bench/work_calibration.ts [--only id,id]
import { CORPUS } from "../../tests/functions/process-file-upload/corpus/hostile.mjs";
import * as corpus from "../../tests/functions/process-file-upload/corpus/hostile.mjs";
import { extractPdfText } from "../../supabase/functions/_shared/files/pdf.ts";
import { extractDocxText } from "../../supabase/functions/_shared/files/docx.ts";
import { prepareImageForVision } from "../../supabase/functions/_shared/files/image.ts";
import {
  REQUEST_WORK_UNITS,
  WorkLimitExceeded,
  WorkMeter,
} from "../../supabase/functions/_shared/files/work_meter.ts";
import { pdfDocument, proseLines } from "../../supabase/functions/_shared/files/test_documents.ts";

const ROOT = new URL("../../", import.meta.url);
const EDGE_DENO = new URL("tools/deno-edge/node_modules/@deno/linux-x64-glibc/deno", ROOT).pathname;
const CONFIG = new URL("supabase/functions/process-file-upload/deno.json", ROOT).pathname;
const GROQ = { maxBytes: 4_000_000, maxPixels: 33_177_600 };

/** Inputs: the hostile corpus, plus ordinary files at the sizes the meter must let through. */
const INPUTS: Record<string, { name: string; make: () => Uint8Array }> = {
  ...Object.fromEntries(CORPUS.map((c) => [c.id, { name: c.name, make: c.make }])),
  "pdf-300-half": {
    name: "dense.pdf",
    make: () =>
      pdfDocument(
        Array.from({ length: 300 }, (_, i) => ({ lines: proseLines(12, i + 1) })),
      ),
  },
  "pdf-largest-accepted": {
    name: "largest.pdf",
    // As 09_largest_accepted_test.ts builds it: 300 pages just under the PDF character cap.
    make: () =>
      pdfDocument(
        Array.from({ length: 300 }, (_, i) => ({
          lines: proseLines(Math.floor(Math.floor((700_000 * 0.95) / 300) / 90), i + 1),
        })),
      ),
  },
  "docx-prose": {
    name: "prose.docx",
    make: () =>
      corpus.docxWith(
        proseLines(25_000, 1).map((l) => `<w:p><w:r><w:t>${l}</w:t></w:r></w:p>`).join(""),
      ),
  },
  "pdf-form-100": {
    name: "form.pdf",
    make: () => corpus.xobjectReusePdf(100, 2_000),
  },
  "png-grey-7071-up": {
    name: "up.png",
    make: () => corpus.filteredPng(7071, 7071, { colorType: 0, filter: 2 }),
  },
  "png-rgb-4600-none": {
    name: "none.png",
    make: () => corpus.filteredPng(4600, 4600, { colorType: 2, filter: 0, padTo: 3_200_000 }),
  },
  "png-rgba-4000-paeth": {
    name: "rgba.png",
    make: () => corpus.filteredPng(4000, 4000, { colorType: 6, filter: 4, padTo: 3_200_000 }),
  },
  "jpeg-progressive-10": {
    name: "p10.jpg",
    make: () => corpus.progressiveJpeg(4000, 3000, 10, 3_200_000),
  },
  "jpeg-progressive-60": {
    name: "p60.jpg",
    make: () => corpus.progressiveJpeg(4000, 3000, 60, 3_200_000),
  },
};

function cpuMs(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

function hwmMb(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
}

async function measure(id: string): Promise<void> {
  const input = INPUTS[id];
  const bytes = new Uint8Array(input.make());
  // Five requests' worth: enough to see the ratio, without running a hostile file for minutes.
  const meter = new WorkMeter(5 * REQUEST_WORK_UNITS);
  const ext = input.name.split(".").pop();
  const t0 = cpuMs();
  let outcome = "";
  try {
    if (ext === "pdf") {
      const r = await extractPdfText(bytes, { meter });
      outcome = r.ok ? `ok ${r.pages.length} pages` : r.reason;
    } else if (ext === "docx") {
      const r = await extractDocxText(bytes, {}, meter);
      outcome = r.ok ? `ok ${r.text.length} chars` : r.reason;
    } else {
      const r = await prepareImageForVision(bytes, GROQ, { meter });
      outcome = r.ok ? `ok ${r.image.width}×${r.image.height}` : r.message;
    }
  } catch (error) {
    if (!(error instanceof WorkLimitExceeded)) throw error;
    outcome = `over 5 budgets (${error.what})`;
  }
  const cpu = cpuMs() - t0;
  console.log(JSON.stringify({ id, units: Math.round(meter.used), cpu, hwm: hwmMb(), outcome }));
}

const args = Deno.args;
if (args[0] === "--measure") {
  await measure(args[1]);
} else {
  const only = args.indexOf("--only") >= 0 ? args[args.indexOf("--only") + 1].split(",") : null;
  console.log("input                      units (k)   CPU ms  units/µs  peak RSS MB  outcome");
  for (const id of Object.keys(INPUTS)) {
    if (only && !only.includes(id)) continue;
    const out = await new Deno.Command(EDGE_DENO, {
      args: ["run", "-A", "--config", CONFIG, new URL(import.meta.url).pathname, "--measure", id],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const line = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
    try {
      const r = JSON.parse(line);
      console.log(
        `${id.padEnd(26)} ${String(Math.round(r.units / 1000)).padStart(9)} ${
          String(r.cpu).padStart(8)
        } ${(r.units / 1000 / Math.max(1, r.cpu)).toFixed(2).padStart(9)} ${
          r.hwm.toFixed(0).padStart(12)
        }  ${r.outcome}`,
      );
    } catch {
      console.log(`${id}: ${new TextDecoder().decode(out.stderr).slice(0, 300)}`);
    }
  }
}
