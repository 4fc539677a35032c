// The one error renderer: domain errors -> status + WebOb-shaped body (HTML, JSON or text, chosen by Accept).
import type { Context } from "hono";
import { DomainError, type ErrorKind } from "../domain/errors";
import { describeError } from "../lib/log-failure";
import type { AppEnv } from "./context";

const STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  not_implemented: 501,
  service_unavailable: 503,
};

/** WebOb's reason phrases and default explanations (webob/exc.py). */
const WEBOB: Record<number, [title: string, explanation: string]> = {
  400: [
    "Bad Request",
    "The server could not comply with the request since it is either malformed or otherwise incorrect.",
  ],
  401: [
    "Unauthorized",
    "This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.",
  ],
  403: ["Forbidden", "Access was denied to this resource."],
  404: ["Not Found", "The resource could not be found."],
  405: ["Method Not Allowed", "The method is not allowed for this resource."],
  409: ["Conflict", "There was a conflict when trying to complete your request."],
  410: ["Gone", "This resource is no longer available.  No forwarding address is given."],
  413: ["Request Entity Too Large", "The body of your request was too large for this server."],
  415: ["Unsupported Media Type", "The request media type is not supported by this server."],
  416: ["Request Range Not Satisfiable", "The Range requested is not available."],
  500: ["Internal Server Error", "The server has either erred or is incapable of performing the requested operation."],
  501: ["Not Implemented", "The request method is not implemented by this server."],
  503: ["Service Unavailable", "The server is currently unavailable. Please try again at a later time."],
};

type Format = "html" | "json" | "plain";

/** q-value WebOb would give `offer` under this Accept header (most specific matching range wins). */
function quality(accept: string, offer: string): number {
  const [type, sub] = offer.split("/");
  let best = -1;
  let q = 0;
  for (const part of accept.split(",")) {
    const [range = "", ...params] = part.trim().toLowerCase().split(";");
    const [rt, rs] = range.trim().split("/");
    const specificity =
      rt === type && rs === sub ? 2 : rt === type && rs === "*" ? 1 : rt === "*" && rs === "*" ? 0 : -1;
    if (specificity <= best) continue;
    best = specificity;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    q = qp ? Number(qp.slice(2)) || 0 : 1;
  }
  return best < 0 ? 0 : q;
}

/** WebOb offers text/html then application/json; no or an empty Accept header falls back to text/plain. */
export function errorFormat(accept: string | undefined): Format {
  if (!accept || accept.trim() === "") return "plain";
  const html = quality(accept, "text/html");
  const json = quality(accept, "application/json");
  if (html <= 0 && json <= 0) return "plain";
  return json > html ? "json" : "html";
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

/** json.dumps' default ensure_ascii: everything outside printable ASCII becomes a \\uXXXX escape. */
const pyJsonString = (s: string) =>
  JSON.stringify(s).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Builds the exact bytes WebOb would send for this status, explanation and detail. */
export function errorBody(
  status: number,
  format: Format,
  explanation?: string,
  detail = "",
): { body: string; type: string } {
  const [title, defaultExplanation] = WEBOB[status] ?? ["Error", ""];
  const code = `${status} ${title}`;
  const expl = explanation ?? defaultExplanation;
  // WebOb's 415 template puts the line break before the <br />s and nothing after the detail; its 405
  // template ends right after the detail too.
  const message = (e: string, d: string) =>
    status === 415
      ? `${e}\n<br /><br />\n${d}`
      : status === 405
        ? `${e}<br /><br />\n${d}`
        : `${e}<br /><br />\n${d}\n\n`;
  switch (format) {
    case "json":
      // Python's json.dumps spacing and escaping, as Glance sends it.
      return {
        body: `{"message": ${pyJsonString(message(expl, detail))}, "code": ${pyJsonString(code)}, "title": ${pyJsonString(title)}}`,
        type: "application/json",
      };
    case "html":
      return {
        body: `<html>\n <head>\n  <title>${code}</title>\n </head>\n <body>\n  <h1>${code}</h1>\n  ${message(escapeHtml(expl), escapeHtml(detail))}\n </body>\n</html>`,
        type: "text/html; charset=UTF-8",
      };
    case "plain": {
      // webob strip_tags: newlines become spaces, then each <br /> becomes a newline.
      const text = message(expl, detail)
        .replace(/\r/g, "")
        .replace(/\n/g, " ")
        .replace(/<br \/>/g, "\n")
        .replace(/<[^>]*>/g, "");
      return { body: `${code}\n\n${text}`, type: "text/plain; charset=UTF-8" };
    }
  }
}

function errorResponse(
  c: Context<AppEnv>,
  status: number,
  explanation?: string,
  detail?: string,
  headers: Record<string, string> = {},
): Response {
  const { body, type } = errorBody(status, errorFormat(c.req.header("accept")), explanation, detail);
  return new Response(c.req.method === "HEAD" ? null : body, { status, headers: { ...headers, "Content-Type": type } });
}

/** Root onError: domain errors keep their status and text; anything else is a bare 500 with no details. */
export function renderError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof DomainError) {
    return errorResponse(c, STATUS[err.kind], err.explanation, err.detail, err.headers);
  }
  // Log the request id, the error's class and where it was thrown, never its message: messages from storage
  // or identity backends can carry object keys, credentials or SQL (OSSA-2013-002, OSSA-2014-004).
  console.error(`[${c.get("requestId") ?? "-"}] unhandled ${describeError(err)}`);
  return errorResponse(c, 500);
}
