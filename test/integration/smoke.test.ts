import { describe, expect, it } from "vitest";
import { call, createImage } from "../helpers/api";

describe("smoke", () => {
  it("creates and shows an image", async () => {
    const img = await createImage({ name: "x" });
    const res = await call("GET", `/v2/images/${img.id}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe("x");
  });
});
