// watchDeletion: a streaming upload or stage notices within a second that its image was deleted.

/**
 * Looks at the image row every `everyMs` (one D1 read each) and aborts the signal with `reason()` once the
 * image is gone, so pump() stops at once, even in the middle of a slow read, and the client gets its 410
 * while it is still sending (the lease alone looks only every UPLOAD_STALE_SECONDS/4). `stop` ends it.
 */
export function watchDeletion(
  repo: { find(id: string, projectId: null): Promise<unknown> },
  imageId: string,
  everyMs: number,
  reason: () => Error,
): { signal: AbortSignal; stop: () => void } {
  const ctl = new AbortController();
  const timer = setInterval(() => {
    void repo
      .find(imageId, null)
      .then((found) => {
        if (found || ctl.signal.aborted) return;
        clearInterval(timer);
        ctl.abort(reason());
      })
      .catch(() => {});
  }, everyMs);
  return { signal: ctl.signal, stop: () => clearInterval(timer) };
}

/** How often a streaming upload or stage looks whether its image was deleted. */
export const DELETE_WATCH_MS = 1000;
