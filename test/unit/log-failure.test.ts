import { afterEach, describe, expect, it, vi } from "vitest";
import { describeError, logFailure } from "../../src/lib/log-failure";

afterEach(() => vi.restoreAllMocks());

describe("logFailure", () => {
  it("logs the error class and throw site, never the message", () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    logFailure("upload", "img-1", new TypeError("R2 bucket glance-images key images/x AccessKey=AKIA-SECRET"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^upload failed for img-1: TypeError at /);
    expect(lines[0]).not.toContain("AKIA-SECRET");
    expect(lines[0]).not.toContain("glance-images");
  });

  it("copes with values that are not errors", () => {
    expect(describeError("a string with a secret")).not.toContain("secret");
    expect(describeError(undefined)).toMatch(/^Error/);
  });
});
