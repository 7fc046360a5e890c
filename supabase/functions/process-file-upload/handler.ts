// process-file-upload: a student's photo, screenshot, PDF, Word or text file, read on Groq at the
// lowest cost: text the file already carries goes to a text model, only pictures go to a vision
// model. The story of a request: preflight → authenticate → read the form within the limit →
// validate the fields → check the files by their bytes → idempotency → extract the content (PDF
// text layer per page, DOCX text) → plan the calls and reserve their ceiling → run them, one
// ledger row per provider attempt, all under one request id → respond.
import { imagePolicyFromEnv } from "../_shared/ai/image_policy.ts";
import { candidatesFor, type Task } from "../_shared/ai/config.ts";
import {
  FileFields,
  type FileKind as ResponseKind,
  type FileMethod,
  type FileResponse,
  MAX_PAGE_IMAGES,
  MAX_UPLOAD_FILE_BYTES,
} from "../_shared/contracts/file.ts";
import type { Platform } from "../_shared/contracts/chat.ts";
import {
  type ImageSource,
  MAX_TEXT_PARTS,
  planFileAnalysis,
  runFileAnalysis,
  type Spend,
  visionLimits,
} from "../_shared/files/analysis.ts";
import type { TextSection } from "../_shared/files/chunk.ts";
import { decodeUtf8Text, detectFileKind, fileGroup } from "../_shared/files/detect.ts";
import { extractDocxText } from "../_shared/files/docx.ts";
import {
  checkImageForVision,
  type ImageLimits,
  prepareImageForVision,
} from "../_shared/files/image.ts";
import { heavyWork, WorkerBusy } from "../_shared/files/heavy_work.ts";
import { WorkLimitExceeded, WorkMeter } from "../_shared/files/work_meter.ts";
import { extractPdfText, pagesWithoutText } from "../_shared/files/pdf.ts";
import { DEFAULT_INSTRUCTIONS } from "../_shared/files/prompts.ts";
import { authenticate, requirePlatform } from "../_shared/http/auth.ts";
import { formatBytes, readForm } from "../_shared/http/body.ts";
import { preflight } from "../_shared/http/cors.ts";
import { errorResponse, HttpError, invalidRequest } from "../_shared/http/errors.ts";
import {
  type FilePart,
  formHash,
  type MultipartForm,
  singleFile,
  textFields,
} from "../_shared/http/form.ts";
import { StepTimer } from "../_shared/http/timing.ts";
import {
  answerJson,
  beginIdempotent,
  type BudgetHold,
  idempotencyKey,
  type IdempotencyScope,
  replayResponse,
  reserveBudget,
  upstreamError,
} from "../_shared/request.ts";
import type { Env, Runtime } from "../_shared/runtime.ts";

export const FUNCTION_NAME = "process-file-upload";
/** Room for the multipart framing and the text fields around the files. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
const SUPPORTED = "png, jpeg, webp, gif, pdf, docx, txt or md";

/** The largest accepted file: FILE_MAX_BYTES when it is a positive integer, else 20 MB. Page
 * images of a PDF may add up to as much again. */
export function maxFileBytes(env: Env): number {
  const n = Number(env.FILE_MAX_BYTES);
  return Number.isSafeInteger(n) && n > 0 ? n : MAX_UPLOAD_FILE_BYTES;
}

interface Upload {
  file: FilePart;
  platform: Platform;
  instruction?: string;
  pageImages: FilePart[];
}

function parseFields(form: MultipartForm): Upload {
  const pageImages: FilePart[] = [];
  for (const value of form.getAll("page_images")) {
    if (value.kind === "text") {
      throw new HttpError(
        "invalid_request",
        "page_images: each page image must be a file part.",
      );
    }
    pageImages.push(value);
  }
  const parsed = FileFields.safeParse(
    textFields(form, ["file", "page_images"]),
  );
  if (!parsed.success) {
    throw invalidRequest(
      parsed.error.issues,
      "Send file, platform (main | tripwire), and optionally instruction and page_images.",
      "form",
    );
  }
  const file = singleFile(form, "file", "file");
  if (pageImages.length > MAX_PAGE_IMAGES) {
    throw new HttpError(
      "invalid_request",
      `page_images: at most ${MAX_PAGE_IMAGES} images.`,
      {
        hint:
          "Send only the images of the pages without text (the pages page_images_required names).",
      },
    );
  }
  return { ...parsed.data, file, pageImages };
}

interface CheckedFile {
  kind: NonNullable<ReturnType<typeof detectFileKind>>;
  bytes: Uint8Array;
  pageImages: ImageSource[];
}

const unprocessable = (
  message: string,
  hint = "Open the file, save it again and resend it.",
) => new HttpError("unprocessable_file", message, { hint });

/** Decides the files by their bytes: 413 too large, 422 empty, 415 not a supported kind. */
function checkFiles(upload: Upload, maxBytes: number): CheckedFile {
  if (upload.file.size > maxBytes) {
    throw new HttpError(
      "payload_too_large",
      `The file is larger than ${formatBytes(maxBytes)}.`,
      {
        hint: "Send a smaller file, or split the document.",
      },
    );
  }
  const imagesBytes = upload.pageImages.reduce((n, f) => n + f.size, 0);
  if (imagesBytes > maxBytes) {
    throw new HttpError(
      "payload_too_large",
      `The page images together are larger than ${formatBytes(maxBytes)}.`,
      {
        hint: "Send smaller page images (a photo of a page needs no more than 2–3 MB).",
      },
    );
  }
  if (upload.file.size === 0) {
    throw unprocessable("The file is empty.", "Choose the file again.");
  }
  const bytes = upload.file.bytes;
  const kind = detectFileKind(bytes, upload.file.filename);
  if (kind === null) {
    throw new HttpError(
      "unsupported_media_type",
      "The file is not a supported kind of file.",
      {
        hint: `Send ${SUPPORTED}. The file's content decides, not its name.`,
      },
    );
  }
  if (upload.pageImages.length > 0 && kind !== "pdf") {
    throw new HttpError(
      "invalid_request",
      "page_images: only a PDF takes page images.",
      {
        hint: "Send an image as `file` itself.",
      },
    );
  }
  const pageImages: ImageSource[] = [];
  for (const [i, image] of upload.pageImages.entries()) {
    const field = `page_images[${i}]`;
    const imageBytes = image.bytes;
    const imageKind = imageBytes.length > 0 ? detectFileKind(imageBytes) : null;
    if (imageKind === null || fileGroup(imageKind) !== "image") {
      throw new HttpError(
        "unsupported_media_type",
        `${field}: not a png, jpeg, webp or gif image.`,
        {
          hint: "Render each page as an image (PNG or JPEG).",
        },
      );
    }
    pageImages.push({ bytes: imageBytes, field });
  }
  return { kind, bytes, pageImages };
}

/** A document the extractors refused: over a decode budget (413) or unreadable (422). */
interface DocumentFailure {
  code: "unprocessable_file" | "payload_too_large";
  reason: string;
  message: string;
  hint?: string;
}

function documentError(failure: DocumentFailure): HttpError {
  const hint = failure.hint ??
    (failure.reason === "encrypted"
      ? "Remove the password (print to PDF, or save without protection) and resend."
      : "Open the file, save it again and resend it.");
  return new HttpError(failure.code, failure.message, { hint });
}

interface Content {
  kind: ResponseKind;
  pages?: number;
  text: TextSection[];
  images: ImageSource[];
  extractedText?: string;
}

/** What there is to read: text sections (PDF text pages, DOCX, txt/md) and images (an image
 * upload, or the page images of a PDF's pages without text). 422 when the file cannot be read. */
async function extractContent(
  checked: CheckedFile,
  meter: WorkMeter,
): Promise<Content> {
  const { kind, bytes } = checked;
  switch (fileGroup(kind)) {
    case "image":
      return { kind: "image", text: [], images: [{ bytes, field: "file" }] };
    case "pdf": {
      const result = await extractPdfText(bytes, { meter });
      if (!result.ok) throw documentError(result);
      const pages = result.pages;
      const missing = pagesWithoutText(pages);
      const images = pageImagesFor(missing, pages.length, checked.pageImages);
      const textPages = pages.filter((p) => p.hasText);
      return {
        kind: "pdf",
        pages: pages.length,
        text: textPages.map((p) => ({ page: p.page, text: p.text })),
        images,
        extractedText: textPages.length > 0
          ? textPages.map((p) => p.text.trim()).join("\n\n")
          : undefined,
      };
    }
    case "docx": {
      const result = await extractDocxText(bytes, {}, meter);
      if (!result.ok) throw documentError(result);
      return {
        kind: "docx",
        text: [{ text: result.text }],
        images: [],
        extractedText: result.text,
      };
    }
    case "text": {
      const text = (decodeUtf8Text(bytes) ?? "").trim();
      if (text === "") {
        throw unprocessable(
          "The text file has no text.",
          "Choose the file again.",
        );
      }
      return { kind: "text", text: [{ text }], images: [] };
    }
  }
}

/**
 * Every image that will be sent, judged from its header and structure alone (no decoding) against
 * the vision models' limits and the server's decode envelope: a bomb or an image too big to shrink
 * here is 413 and a damaged one 422, in milliseconds, before any budget is held or provider paid.
 */
function checkImages(
  images: readonly ImageSource[],
  limits: ImageLimits,
): void {
  for (const image of images) {
    const check = checkImageForVision(image.bytes, limits);
    if (!check.ok) {
      const message = image.field === "file" ? check.message : `${image.field}: ${check.message}`;
      throw new HttpError(check.code, message, { hint: check.hint });
    }
  }
}

/**
 * Every image made to fit the models' limits now, before any budget is held: decoding is the
 * costly, hostile-input part, and a hold taken before it could outlive a worker it kills.
 */
async function prepareImages(
  images: readonly ImageSource[],
  limits: ImageLimits,
  meter: WorkMeter,
): Promise<ImageSource[]> {
  const prepared: ImageSource[] = [];
  for (const image of images) {
    const result = await prepareImageForVision(image.bytes, limits, { meter });
    if (!result.ok) {
      throw unprocessable(
        `${image.field}: the image could not be read; it may be damaged.`,
      );
    }
    prepared.push({ ...image, bytes: result.image.bytes });
  }
  return prepared;
}

/** The meter's and the gate's refusals as the client sees them. */
function workError(error: unknown): unknown {
  if (error instanceof WorkLimitExceeded) {
    return new HttpError(
      "work_limit_exceeded",
      "The file would take more work to read than one request may spend.",
      {
        hint: "Export it again (print to PDF, save as a baseline JPEG or a plain PNG), or split " +
          "it and send the parts one by one.",
      },
    );
  }
  if (error instanceof WorkerBusy) {
    return new HttpError(
      "worker_busy",
      "The server is busy reading other files.",
      {
        hint: "Send the file again in a moment.",
        retryAfterSeconds: error.retryAfterSeconds,
      },
    );
  }
  return error;
}

/**
 * Which page image shows which page. Two ways are accepted, told apart by the count: one image
 * for every page of the PDF (what a viewer that renders all pages sends), or one for each page
 * without a text layer, in page order (what the `page_images_required` error asks for). Images of
 * pages that have text are not looked at. Any other count is a 400 naming the pages.
 */
function pageImagesFor(
  missing: readonly number[],
  pageCount: number,
  images: readonly ImageSource[],
): ImageSource[] {
  if (missing.length === 0) return []; // every page has text: no vision call is needed
  const pageList = missing.join(", ");
  if (images.length === 0) {
    throw new HttpError(
      "page_images_required",
      `${missing.length === pageCount ? "The PDF is scanned" : "Some pages are scanned"}: ` +
        `page${missing.length > 1 ? "s" : ""} ${pageList} ${
          missing.length > 1 ? "have" : "has"
        } no text layer.`,
      {
        hint:
          `Resend with page_images: an image of each of pages ${pageList}, in page order (or one image per page).`,
        details: { pages: [...missing], page_count: pageCount },
      },
    );
  }
  if (images.length === pageCount) {
    return missing.map((page) => ({ ...images[page - 1], page }));
  }
  if (images.length === missing.length) {
    return missing.map((page, i) => ({ ...images[i], page }));
  }
  throw new HttpError(
    "invalid_request",
    `page_images: ${images.length} images for a PDF of ${pageCount} pages, ` +
      `${missing.length} without text (${pageList}).`,
    {
      hint:
        `Send ${missing.length} images (pages ${pageList}, in page order) or ${pageCount} (every page).`,
      details: { pages: [...missing], page_count: pageCount },
    },
  );
}

/**
 * Reads the form (the file, and page images up to as much again), validates it and checks the
 * files by their bytes. The body is read once into one buffer and every file is a view into it
 * (http/multipart.ts), so a 40 MB request costs 40 MB, not three copies.
 */
async function readUpload(req: Request, maxBytes: number, withHash: boolean) {
  const form = await readForm(req, 2 * maxBytes + FORM_OVERHEAD_BYTES);
  const { file, pageImages, ...fields } = parseFields(form);
  const checked = checkFiles({ file, pageImages, ...fields }, maxBytes);
  // The form's content, not its bytes: every FormData upload gets a new random boundary.
  const hash = withHash ? await formHash(form) : undefined;
  return { upload: fields, checked, hash };
}

function candidates(rt: Runtime, task: Task, platform: Platform) {
  const list = candidatesFor(task, platform, rt.env, rt.now());
  for (const w of list.warnings) {
    rt.log(
      JSON.stringify({ level: "warn", type: "ai_model_config", message: w }),
    );
  }
  return list.candidates;
}

/**
 * @example Deno.serve(createFileHandler(createRuntime(Deno.env.toObject())));
 */
export function createFileHandler(
  rt: Runtime,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const pre = preflight(req);
    if (pre) return pre;
    let idem: IdempotencyScope | null = null;
    let requestId: string | undefined;
    let hold: BudgetHold | null = null;
    const spent: Spend = { costUsd: "0", attempts: 0 };
    const timer = new StepTimer();
    const ticket = heavyWork.enter();
    try {
      if (req.method !== "POST") {
        throw new HttpError("method_not_allowed", "Use POST.");
      }
      const user = await authenticate(req, { secret: rt.jwtSecret });
      const key = idempotencyKey(req);
      const { upload, checked, hash } = await readUpload(
        req,
        maxFileBytes(rt.env),
        key !== null,
      );
      requirePlatform(user, upload.platform);
      timer.mark("parse");

      if (key) {
        const scope = { key, userId: user.id, fn: FUNCTION_NAME };
        const stored = await beginIdempotent(rt.store, scope, hash!);
        if (stored) return replayResponse(stored);
        idem = scope;
        timer.mark("idempotency");
      }

      // Extraction and decoding: one job at a time on this worker, under the request's meter.
      const meter = new WorkMeter();
      const extract = async () => {
        const content = await extractContent(checked, meter);
        const vision = content.images.length > 0 ? candidates(rt, "vision", upload.platform) : [];
        const limits = visionLimits(vision).limits;
        checkImages(content.images, limits);
        content.images = await prepareImages(content.images, limits, meter);
        return { content, vision };
      };
      const { content, vision } = await (fileGroup(checked.kind) === "text"
        ? extract()
        : heavyWork.run(ticket, req.signal, extract, () =>
          meter.used))
        .catch((error) => Promise.reject(workError(error)));
      timer.mark("extract");
      const instruction = upload.instruction ??
        DEFAULT_INSTRUCTIONS[content.kind === "image" ? "image" : "document"];
      const planned = planFileAnalysis(
        { instruction, text: content.text, images: content.images },
        {
          document: content.text.length > 0 ? candidates(rt, "document", upload.platform) : [],
          vision,
        },
        rt.now(),
        imagePolicyFromEnv(rt.env),
      );
      if (!planned.ok) {
        throw new HttpError(
          "payload_too_large",
          `The text is too long to analyse in one request (${planned.parts} parts, at most ${MAX_TEXT_PARTS}).`,
          { hint: "Split the document and send its parts one by one." },
        );
      }
      const plan = planned.plan;

      requestId = crypto.randomUUID();
      hold = await reserveBudget(rt, {
        userId: user.id,
        platform: upload.platform,
        requestId,
        amountUsd: plan.ceilingUsd,
      });
      timer.mark("budget");

      const outcome = await runFileAnalysis(
        rt,
        {
          requestId,
          userId: user.id,
          platform: upload.platform,
          functionName: FUNCTION_NAME,
          signal: req.signal,
        },
        plan,
        spent,
      );
      timer.mark("model");
      if (!outcome.ok) {
        if ("unreadableImage" in outcome) {
          throw unprocessable(
            `${outcome.unreadableImage}: the image could not be read; it may be damaged.`,
          );
        }
        throw upstreamError(outcome.failure);
      }

      const method: FileMethod = outcome.usedText && outcome.usedVision
        ? "mixed"
        : outcome.usedVision
        ? "vision"
        : "text";
      const body: FileResponse = {
        request_id: requestId,
        kind: content.kind,
        method,
        ...(content.pages !== undefined ? { pages: content.pages } : {}),
        analysis: outcome.analysis,
        ...(content.extractedText !== undefined ? { extracted_text: content.extractedText } : {}),
        provider: outcome.provider,
        models: outcome.models,
        cost_usd: spent.costUsd,
        truncated: outcome.truncated,
      };
      return await answerJson(rt, idem, requestId, body, timer);
    } catch (err) {
      if (idem) await rt.store.idempotencyRelease(idem).catch(() => {});
      return errorResponse(err, rt.log, requestId);
    } finally {
      heavyWork.leave(ticket);
      hold?.settle(spent.costUsd);
    }
  };
}
