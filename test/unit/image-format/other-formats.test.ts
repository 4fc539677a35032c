// VDI, ISO, LUKS, QED and raw rules.
import { describe, expect, it } from "vitest";
import { inspectBytes } from "../../../src/domain/image-format";
import { concat, enc, iso, luks, qcow2 } from "./images";

describe("vdi", () => {
  const header = () => {
    const b = new Uint8Array(512);
    new DataView(b.buffer).setUint32(0x40, 0xbeda107f, true);
    new DataView(b.buffer).setBigUint64(0x170, 7n << 20n, true);
    return b;
  };
  it("takes the size from the header, once the whole header is there", () => {
    expect(inspectBytes(header(), 3)).toMatchObject({ format: "vdi", virtualSize: 7 << 20, failures: [] });
    expect(inspectBytes(header().subarray(0, 400)).format).toBe("raw");
  });
});

describe("iso", () => {
  it("reads the size from the primary volume descriptor at 32 KiB", () => {
    expect(inspectBytes(iso({ blocks: 300, blockSize: 2048 }), 1000)).toMatchObject({
      format: "iso",
      virtualSize: 300 * 2048,
      failures: [],
    });
  });

  it("knows UDF's NSR02/NSR03, and has no size without a primary volume descriptor", () => {
    expect(inspectBytes(iso({ id: "NSR02", type: 0 }))).toMatchObject({ format: "iso", virtualSize: null });
    expect(inspectBytes(iso({ id: "NSR03" })).matches[0]?.subformat).toBe("udf");
    expect(inspectBytes(iso({ id: "CD002" })).format).toBe("raw");
    expect(inspectBytes(iso().subarray(0, 34 * 1024 - 1)).format).toBe("raw");
  });

  it("is ambiguous with a qcow2 header in its system area", () => {
    const r = inspectBytes(iso({ systemArea: qcow2() }));
    expect(r).toMatchObject({ format: null, virtualSize: null });
    expect(r.matches.map((m) => m.format)).toEqual(["qcow2", "iso"]);
  });
});

describe("luks", () => {
  it("sizes the payload after the header", () => {
    expect(inspectBytes(luks({ payloadSectors: 8, payload: 10_000 }))).toMatchObject({
      format: "luks",
      virtualSize: 10_000,
      failures: [],
    });
  });

  it("refuses any version but 1, and a payload offset past the end", () => {
    expect(inspectBytes(luks({ version: 2 })).failures).toEqual([
      { check: "version", message: "LUKS version 2 is not supported" },
    ]);
    expect(inspectBytes(luks({ payloadSectors: 100 }).subarray(0, 4096)).failures[0]?.check).toBe("header");
  });
});

describe("qed and raw", () => {
  it("always refuses QED", () => {
    const qed = concat(enc("QED\0"), new Uint8Array(60));
    expect(inspectBytes(qed)).toMatchObject({
      format: "qed",
      failures: [{ check: "banned", message: "This file format is not allowed" }],
    });
  });

  it("calls anything else raw, sized by its bytes (and nothing at all raw of size 0)", () => {
    expect(inspectBytes(enc("hello"))).toEqual({
      size: 5,
      format: "raw",
      virtualSize: 5,
      failures: [],
      matches: [{ format: "raw", virtualSize: 5, failures: [] }],
    });
    expect(inspectBytes(new Uint8Array(0))).toMatchObject({ format: "raw", virtualSize: 0 });
  });
});
