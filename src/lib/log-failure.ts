// logFailure: the one way the service logs an unexpected error — its class and throw site, never its message.

/**
 * Messages from storage, queues or identity backends can carry object keys, bucket names, credentials or
 * SQL (OSSA-2013-002, OSSA-2014-004), so only the error's class and where it was thrown are logged.
 */
export function logFailure(what: string, subject: string, err: unknown): void {
  console.error(`${what} failed for ${subject}: ${describeError(err)}`);
}

/** "<ErrorClass> at <first stack frame>": enough to find the code path, nothing from the message. */
export function describeError(err: unknown): string {
  const e = err instanceof Error ? err : new Error("non-Error thrown");
  const where =
    (e.stack ?? "")
      .split("\n")
      .find((line) => line.trim().startsWith("at "))
      ?.trim() ?? "";
  return `${e.name} ${where}`.trim();
}
