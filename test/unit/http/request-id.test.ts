// requestIdFrom: adopt a safe inbound id (req- prefixed exactly once), otherwise mint req-<uuid>.
import { describe, expect, it } from "vitest";
import { requestIdFrom } from "../../../src/http/request-id";

const FRESH = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requestIdFrom", () => {
  it("mints a new id when none is given", () => {
    expect(requestIdFrom(undefined)).toMatch(FRESH);
    expect(requestIdFrom("")).toMatch(FRESH);
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });

  it("adopts a safe id, adding req- only when missing", () => {
    expect(requestIdFrom("req-abc")).toBe("req-abc");
    expect(requestIdFrom("abc")).toBe("req-abc");
    expect(requestIdFrom("req-req-abc")).toBe("req-req-abc");
    expect(requestIdFrom("x".repeat(64))).toBe(`req-${"x".repeat(64)}`);
  });

  it("ignores ids that are too long or carry unsafe characters", () => {
    for (const bad of ["x".repeat(65), "a b", "a\nb", "<script>", "a,b", "ü"])
      expect(requestIdFrom(bad), bad).toMatch(FRESH);
  });
});
