// watchDeletion: a streaming upload or stage notices soon after that its image was deleted.

/** How often a streaming upload or stage looks, at first, whether its image was deleted. */
export const DELETE_WATCH_MS = 1000;

/**
 * The wait before the next look, `elapsedMs` into an upload: every second for the first minute, then 1/60 of the
 * time the upload has run. A deletion is noticed within ~1.7 % of the upload's duration, and the looks grow only
 * logarithmically (~300 in an hour, ~500 in a day), which keeps a slow upload within Workers' 1,000 D1 queries
 * per invocation (README "At the edge").
 */
export function nextWatchDelay(elapsedMs: number): number {
  return Math.max(DELETE_WATCH_MS, Math.floor(elapsedMs / 60));
}

/**
 * Looks at the image row on the nextWatchDelay schedule (one D1 read each) and aborts the signal with `reason()`
 * once the image is gone, so pump() stops at once, even in the middle of a slow read, and the client gets its 410
 * while it is still sending (the lease alone looks only every UPLOAD_STALE_SECONDS/4). `stop` ends it.
 */
export function watchDeletion(
  repo: { find(id: string, projectId: null): Promise<unknown> },
  imageId: string,
  reason: () => Error,
): { signal: AbortSignal; stop: () => void } {
  const ctl = new AbortController();
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const look = () => {
    void repo
      .find(imageId, null)
      .then((found) => {
        if (stopped || ctl.signal.aborted) return;
        if (!found) return ctl.abort(reason());
        schedule();
      })
      .catch(() => {
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(look, nextWatchDelay(Date.now() - started));
  };
  schedule();
  return {
    signal: ctl.signal,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
