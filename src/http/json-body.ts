// Reads a JSON request body the way Glance's JSONRequestDeserializer does, with a size cap Workers need.
import { badRequest, payloadTooLarge } from "../domain/errors";
import { readCapped } from "../lib/read-capped";

/**
 * A shell line continuation pasted inside single quotes sends a literal backslash + line break (the seed
 * walkthrough's create command does). Outside strings it is never valid JSON, so we read it as whitespace;
 * inside a string it stays an error.
 */
export function dropLineContinuations(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === "\\") out += text[++i] ?? "";
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === "\\") {
      const nl = text.startsWith("\r\n", i + 1) ? 2 : text[i + 1] === "\n" || text[i + 1] === "\r" ? 1 : 0;
      if (nl > 0) {
        out += " ";
        i += nl;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** Reads at most `cap` bytes of body; 413 beyond it, before the whole body is buffered. */
async function readCappedText(req: Request, cap: number): Promise<string> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > cap) throw payloadTooLarge("The request body is too large.");
  const bytes = await readCapped(req.body, cap);
  if (bytes === "too-large") throw payloadTooLarge("The request body is too large.");
  return new TextDecoder().decode(bytes);
}

/** Parses a body that must be a JSON object or array (Glance: 400 for missing, malformed or scalar bodies). */
export async function readJson(req: Request, cap: number): Promise<unknown> {
  const text = await readCappedText(req, cap);
  if (text.trim() === "") throw badRequest("Body expected in request.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = JSON.parse(dropLineContinuations(text));
    } catch {
      throw badRequest("Malformed JSON in request body.");
    }
  }
  if (value === null || typeof value !== "object") throw badRequest("Unexpected body type. Expected list/dict.");
  return value;
}
