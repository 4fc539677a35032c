// VHD and VHDX rules: qemu's size rule for VHD, fixed disks found by their footer, differencing disks refused;
// VHDX's size found through its two pointers, and a pointer to bytes already streamed past.
import { describe, expect, it } from "vitest";
import { inspectBytes } from "../../../src/domain/image-format";
import { concat, vhdFooter, vhdx } from "./images";

const dynamic = (f: Uint8Array) => concat(f, new Uint8Array(1536), f);

describe("vhd", () => {
  it("sizes a qemu or Virtual PC disk by its CHS geometry, as qemu does", () => {
    const f = vhdFooter({ creator: "vpc ", chs: [100, 16, 63], size: 123456789n });
    expect(inspectBytes(dynamic(f))).toMatchObject({ format: "vhd", virtualSize: 100 * 16 * 63 * 512, failures: [] });
  });

  it.each(["win ", "qem2", "d2v ", "CTXS", "tap\0"])("sizes a disk made by %j by its current size", (creator) => {
    const f = vhdFooter({ creator, chs: [100, 16, 63], size: 123456000n });
    expect(inspectBytes(dynamic(f)).virtualSize).toBe(123456000);
  });

  it("uses the current size when the geometry is at its maximum", () => {
    const f = vhdFooter({ creator: "vpc ", chs: [65535, 16, 255], size: 200n << 30n });
    expect(inspectBytes(dynamic(f)).virtualSize).toBe(200 * 2 ** 30);
  });

  it("finds a fixed disk by the footer at its end only", () => {
    const fixed = concat(new Uint8Array(4096), vhdFooter({ type: 2, chs: [1, 1, 8] }));
    expect(inspectBytes(fixed, 100)).toMatchObject({ format: "vhd", virtualSize: 4096, failures: [] });
    expect(inspectBytes(fixed).matches[0]?.subformat).toBe("fixed");
    // qemu opens a footer-only VHD only if it says "fixed".
    expect(inspectBytes(concat(new Uint8Array(4096), vhdFooter({ type: 3 }))).format).toBe("raw");
  });

  it("refuses differencing and unknown disk types", () => {
    expect(inspectBytes(dynamic(vhdFooter({ type: 4 }))).failures).toEqual([
      { check: "disk_type", message: "VHD differencing images are not allowed" },
    ]);
    expect(inspectBytes(dynamic(vhdFooter({ type: 6 }))).failures[0]?.message).toBe("Unknown VHD disk type");
  });

  it("refuses a truncated copy of the footer", () => {
    expect(inspectBytes(vhdFooter().subarray(0, 100)).failures[0]?.check).toBe("header");
  });
});

describe("vhdx", () => {
  it.each([1, 7, 4096, 1 << 20])(
    "finds the virtual disk size through region and metadata tables (blocks of %i)",
    (n) => {
      expect(inspectBytes(vhdx({ size: 3n << 30n }), n)).toMatchObject({
        format: "vhdx",
        virtualSize: 3 * 2 ** 30,
        failures: [],
      });
    },
  );

  it("refuses metadata that lies before the region table: it has already streamed past", () => {
    expect(inspectBytes(vhdx({ metadataAt: 0x10000 })).failures).toEqual([
      { check: "metadata", message: "VHDX metadata region lies before the region table or out of range" },
    ]);
  });

  it("refuses a metadata item placed inside the metadata table", () => {
    expect(inspectBytes(vhdx({ itemOffset: 16 })).failures[0]).toEqual({
      check: "metadata",
      message: "VHDX metadata item lies before the metadata table or out of range",
    });
  });

  it("refuses a bad region table, a missing metadata region and a truncated image", () => {
    const noSig = vhdx();
    noSig[192 * 1024] = 0;
    expect(inspectBytes(noSig).failures[0]?.message).toBe("VHDX region table signature not found");
    const tooMany = vhdx({ regions: 5000 });
    expect(inspectBytes(tooMany).failures[0]?.message).toBe("VHDX region table has too many entries");
    const noMeta = vhdx();
    noMeta[192 * 1024 + 16] = noMeta[192 * 1024 + 16]! ^ 1;
    expect(inspectBytes(noMeta).failures[0]?.message).toBe("VHDX metadata region not found");
    expect(inspectBytes(vhdx().subarray(0, 300 * 1024)).failures[0]?.message).toBe(
      "VHDX metadata table is missing or truncated",
    );
  });

  it("refuses a differencing VHDX (HasParent)", () => {
    expect(inspectBytes(vhdx({ hasParent: true })).failures).toEqual([
      { check: "parent", message: "VHDX differencing images are not allowed" },
    ]);
  });
});
