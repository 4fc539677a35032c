#!/usr/bin/env node
// Raw HTTP/1.1 requests on a net.Socket: bodies cut off before their framing ends (clean close or reset),
// and bodies trickled slowly, which no HTTP client library sends. Used by scripts/clients/truncation.mjs.
//
//   node scripts/clients/truncated-body.mjs URL PATH CASE [--token T]
//     CASE: one of CASES below; prints the answer as one JSON line.
import net from "node:net";

/**
 * The ways a body can break off. `data` is what is sent after the headers; `ending` is what the client does
 * once it is sent: "end" shuts down its sending side (a clean close, FIN), "reset" resets the connection (RST).
 */
export const CASES = {
  // Chunked, the 5-byte chunk complete, the terminating 0-chunk never sent.
  "chunked-close": { chunked: true, data: "5\r\nhello\r\n", ending: "end" },
  "chunked-reset": { chunked: true, data: "5\r\nhello\r\n", ending: "reset" },
  // Chunked, a chunk announced as 10 bytes that carries only 5.
  "mid-chunk-close": { chunked: true, data: "a\r\nhello", ending: "end" },
  "mid-chunk-reset": { chunked: true, data: "a\r\nhello", ending: "reset" },
  // Chunked, a complete chunk, then the next chunk-size line cut off.
  "size-line-close": { chunked: true, data: "5\r\nhello\r\n1", ending: "end" },
  "size-line-reset": { chunked: true, data: "5\r\nhello\r\n1", ending: "reset" },
  // Content-Length 10, 5 bytes sent.
  "short-cl-close": { length: 10, data: "hello", ending: "end" },
  "short-cl-reset": { length: 10, data: "hello", ending: "reset" },
};

/** A complete chunked body of the same 5 bytes, the control case. */
export const COMPLETE = { chunked: true, data: "5\r\nhello\r\n0\r\n\r\n", ending: "none" };

/**
 * Sends one request and reports what came back.
 *   url: base URL (http only); method, path; headers: extra headers;
 *   body: { chunked?, length?, data, ending } as in CASES, or null;
 *   trickle: { total, chunk, everyMs, stopOnAnswer } sends `total` bytes of Content-Length body, `chunk` bytes
 *     every `everyMs` (stopOnAnswer: stop sending, but keep the socket, once an answer arrives);
 *   waitMs: how long to wait for the server to answer and close.
 * Resolves to { status, headers, body, answeredMs, closedMs, sent, error }; status is null when nothing
 * came back; closedMs is null when the server had not closed the connection within waitMs.
 */
export function send({ url, method = "PUT", path, headers = {}, body = null, trickle = null, waitMs = 10_000 }) {
  const u = new URL(url);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${u.host}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body?.chunked) lines.push("Transfer-Encoding: chunked");
  if (body && !body.chunked) lines.push(`Content-Length: ${body.length ?? Buffer.byteLength(body.data)}`);
  if (trickle) lines.push(`Content-Length: ${trickle.total}`);
  const head = `${lines.join("\r\n")}\r\n\r\n`;
  const t0 = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(Number(u.port || 80), u.hostname);
    let raw = Buffer.alloc(0);
    let answeredMs = null;
    let error = null;
    let sent = 0;
    let timer = null;
    let done = false;
    const finish = (closedMs) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      socket.destroy();
      resolve({ ...parse(raw), answeredMs, closedMs, sent, error });
    };
    const deadline = setTimeout(() => finish(null), waitMs);
    socket.on("data", (d) => {
      answeredMs ??= Date.now() - t0;
      raw = Buffer.concat([raw, d]);
    });
    socket.on("error", (e) => {
      error = e.code ?? e.message;
    });
    socket.on("close", () => finish(Date.now() - t0));
    socket.on("connect", () => {
      socket.write(head);
      if (body) {
        socket.write(body.data, () => {
          sent = Buffer.byteLength(body.data);
          // A pause, so that the server has the partial body before the connection ends.
          setTimeout(() => {
            if (body.ending === "end") socket.end();
            else if (body.ending === "reset") socket.resetAndDestroy();
          }, 300);
        });
      }
      if (trickle) {
        const block = Buffer.alloc(trickle.chunk, 0x61);
        timer = setInterval(() => {
          if (sent >= trickle.total || (trickle.stopOnAnswer && answeredMs !== null) || socket.destroyed) {
            clearInterval(timer);
            return;
          }
          const n = Math.min(trickle.chunk, trickle.total - sent);
          socket.write(block.subarray(0, n), () => {});
          sent += n;
        }, trickle.everyMs);
      }
    });
  });
}

/** Splits a raw HTTP/1.1 response into status, headers and body (chunked bodies decoded). */
function parse(raw) {
  const text = raw.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return { status: null, headers: {}, body: "" };
  const [statusLine, ...headerLines] = text.slice(0, end).split("\r\n");
  const status = Number(statusLine.split(" ")[1]) || null;
  const headers = {};
  for (const l of headerLines) {
    const i = l.indexOf(":");
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if ((headers["transfer-encoding"] ?? "").toLowerCase() === "chunked") body = dechunk(body);
  return { status, headers, body: body.toString("utf8") };
}

function dechunk(buf) {
  const out = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", i);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(i, eol).toString("latin1"), 16);
    if (!(size > 0)) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, path, kase] = process.argv.slice(2);
  const token = process.argv.includes("--token")
    ? process.argv[process.argv.indexOf("--token") + 1]
    : process.env.OS_AUTH_TOKEN;
  const body = CASES[kase] ?? (kase === "complete" ? COMPLETE : undefined);
  if (!url || !path || !body) {
    console.error(`usage: truncated-body.mjs URL PATH (${[...Object.keys(CASES), "complete"].join("|")}) [--token T]`);
    process.exit(2);
  }
  const headers = { "Content-Type": "application/octet-stream", ...(token ? { "X-Auth-Token": token } : {}) };
  console.log(JSON.stringify(await send({ url, path, headers, body })));
}
