// survivesDisconnect: lets a body-consuming use case finish its cleanup when the client resets the connection.

import type { Context } from "hono";
import type { AppEnv } from "./context";

/**
 * The runtime cancels a request's work when its client resets the connection (workerd drops the handler
 * unless the work is registered with waitUntil). An upload cut off that way would never run its cleanup and
 * the image would stay `saving`/`uploading`, bytes in R2, until the stale-upload reclaim. Registering the
 * use case's promise keeps it running to its end (the body read fails, the upload restores `queued`).
 */
export function survivesDisconnect<T>(c: Context<AppEnv>, work: Promise<T>): Promise<T> {
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    // No ExecutionContext (app.request in unit tests): nothing can cancel the work either.
  }
  ctx?.waitUntil(work.catch(() => {}));
  return work;
}
