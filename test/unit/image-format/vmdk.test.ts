// VMDK rules (oslo.utils' VMDKInspector and its tests): createType, descriptor lines, extents, the header's
// descriptor location and version, the footer; and bare descriptor files, which always name other files.
import { describe, expect, it } from "vitest";
import { createInspector, inspectBytes } from "../../../src/domain/image-format";
import { concat, enc, sparseDescriptor, vmdk, vmdkFooter } from "./images";

const problem = (b: Uint8Array, size = 11) => inspectBytes(b, size).failures.map((f) => `${f.check}: ${f.message}`);
const withDescriptor = (lines: string[]) => vmdk({ descriptor: lines.join("\n") });

describe("vmdk descriptor checks", () => {
  const lines = [
    "# a comment",
    'createType="monolithicSparse"',
    "",
    " ",
    "someUnknownThing=foo",
    "ddb whatever",
    "rw 0 somefile.vmdk",
  ];

  it("accepts a monolithicSparse or streamOptimized descriptor, with its capacity as virtual size", () => {
    expect(inspectBytes(withDescriptor(lines))).toMatchObject({
      format: "vmdk",
      virtualSize: 2048 * 512,
      failures: [],
    });
    const stream = vmdk({ descriptor: sparseDescriptor(undefined, "streamOptimized"), capacitySectors: 10n });
    expect(inspectBytes(stream)).toMatchObject({ virtualSize: 5120, failures: [] });
    expect(inspectBytes(stream).matches[0]?.subformat).toBe("streamOptimized");
  });

  it.each([
    ["createType without quotes", ["createType monolithicFlat"], "Unsupported subformat"],
    ["an unsafe createType", ['createType="monolithicFlat"'], "Unsupported subformat"],
    ["an implausibly long createType", [`createType="${"x".repeat(64)}"`], "Unsupported subformat"],
    ["an extent access mode nobody knows", ["wronly 2048 somefile2.vmdk"], "Invalid VMDK descriptor data"],
    ["an extent naming a path", ["rw 2048 /etc/hosts"], "Invalid extent filenames found"],
    ["a relative path upwards", ['RW 2048 SPARSE "../../etc/shadow"'], "Invalid extent filenames found"],
  ])("refuses %s", (_, extra, message) => {
    const type = extra[0]!.toLowerCase().startsWith("createtype");
    const base = type ? lines.filter((l) => !l.startsWith("createType")) : lines;
    expect(problem(withDescriptor([...base, ...extra]))).toEqual([`descriptor: ${message}`]);
  });

  it("reports an invalid line before a path in an extent, as oslo.utils does", () => {
    expect(problem(withDescriptor([...lines, "rw 2048 /etc/hosts", "what is this"]))).toEqual([
      "descriptor: Invalid VMDK descriptor data",
    ]);
  });

  it("refuses a descriptor without extents", () => {
    expect(problem(withDescriptor(lines.slice(0, -1)))).toEqual(["descriptor: No extents found"]);
  });

  it("refuses an empty or non-ASCII descriptor", () => {
    expect(problem(vmdk({ descriptor: "" }))).toEqual(["descriptor: No descriptor found"]);
    expect(problem(vmdk({ descriptor: `${sparseDescriptor()}\u00e9` }))).toEqual(["descriptor: No descriptor found"]);
  });

  it("reads the descriptor up to its first NUL only", () => {
    const b = vmdk({ descriptor: sparseDescriptor() });
    b.set(enc("rw 1 /etc/passwd"), 512 + sparseDescriptor().length + 1);
    expect(problem(b)).toEqual([]);
  });

  it("refuses a descriptor cut short by the end of the image", () => {
    const b = vmdk({ descriptor: "x".repeat(5000) }).subarray(0, 3000);
    expect(problem(b)).toEqual(["descriptor: VMDK descriptor is truncated"]);
  });
});

describe("vmdk header", () => {
  it("refuses an unknown version and a descriptor anywhere but sector 1", () => {
    expect(problem(vmdk({ descriptor: sparseDescriptor(), version: 4 }))).toEqual([
      "descriptor: Unsupported format version 4",
    ]);
    expect(problem(vmdk({ descriptor: sparseDescriptor(), descSector: 2n }))).toEqual([
      "descriptor: Wrong descriptor location",
    ]);
    expect(problem(vmdk({ descriptor: sparseDescriptor(), descSector: 0n }))).toEqual([
      "descriptor: Wrong descriptor location",
    ]);
  });

  it("reads at most qemu's 1 MiB - 1 of descriptor, whatever the header claims", () => {
    const descriptor = `${sparseDescriptor()}# ${"x".repeat(2 << 20)}`;
    const b = vmdk({ descriptor, descSectors: 1n << 40n, padTo: 512 + descriptor.length + 512 });
    const inspector = createInspector();
    inspector.feed(b);
    expect(inspector.retainedBytes).toBeLessThan(1.1 * 2 ** 20);
    expect(inspector.finish()).toMatchObject({ format: "vmdk", failures: [] });
  });

  it("refuses a truncated header and the old COWD format", () => {
    expect(problem(enc("KDMV\x01\x00\x00\x00"))).toEqual(["header: Image header is truncated"]);
    expect(inspectBytes(concat(enc("COWD"), new Uint8Array(2044)))).toMatchObject({
      format: "vmdk",
      failures: [{ check: "descriptor", message: "Unsupported subformat" }],
    });
  });
});

describe("vmdk footer", () => {
  const header = vmdk({
    descriptor: sparseDescriptor(undefined, "streamOptimized"),
    gdOffset: 2n ** 64n - 1n,
    padTo: 20480,
  });
  const image = (edit?: Parameters<typeof vmdkFooter>[1]) => concat(header, vmdkFooter(header, edit));

  it("accepts a valid footer and takes the capacity from it, as qemu does", () => {
    expect(inspectBytes(image())).toMatchObject({ virtualSize: 2048 * 512, failures: [] });
    const bigger = image((f) => new DataView(f.buffer, f.byteOffset).setBigUint64(12, 4096n, true));
    expect(inspectBytes(bigger)).toMatchObject({ virtualSize: 4096 * 512, failures: [] });
  });

  const set32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
  it.each([
    ["signature", (f: Uint8Array) => f.set(enc("leak")), "Header and footer signature do not match"],
    ["version", (f: Uint8Array) => set32(f, 4, 2), "Header and footer versions do not match"],
    ["descriptor size", (f: Uint8Array) => set32(f, 36, 2), "Footer specifies a different descriptor than header"],
    ["descriptor offset", (f: Uint8Array) => set32(f, 28, 3), "Footer specifies a different descriptor than header"],
    ["another footer", (f: Uint8Array) => f.fill(0xff, 56, 64), "Footer indicates another footer"],
    ["footer marker type", (_: Uint8Array, m: Uint8Array) => set32(m, 12, 7), "Footer marker is invalid"],
    ["footer marker size", (_: Uint8Array, m: Uint8Array) => set32(m, 8, 1), "Footer marker is invalid"],
    ["footer marker padding", (_: Uint8Array, m: Uint8Array) => m.fill(1, 16, 512), "Footer marker is invalid"],
    ["end-of-stream type", (_: Uint8Array, m: Uint8Array) => set32(m, 1024 + 12, 7), "End-of-stream marker is invalid"],
    ["end-of-stream size", (_: Uint8Array, m: Uint8Array) => set32(m, 1024 + 8, 1), "End-of-stream marker is invalid"],
    ["end-of-stream value", (_: Uint8Array, m: Uint8Array) => set32(m, 1024, 1), "End-of-stream marker is invalid"],
    ["end-of-stream padding", (_: Uint8Array, m: Uint8Array) => m.fill(1, 1040), "End-of-stream marker is invalid"],
  ])("refuses a footer whose %s is wrong", (_, edit, message) => {
    expect(problem(image(edit))).toEqual([`footer: ${message}`]);
  });

  it("refuses a missing footer", () => {
    const short = vmdk({ descriptor: sparseDescriptor(), gdOffset: 2n ** 64n - 1n, descSectors: 1n });
    expect(problem(short)).toEqual(["footer: Footer is missing"]);
  });
});

describe("vmdk descriptor files", () => {
  const flat = '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "/etc/hosts" 0\n';

  it("recognises a text descriptor and refuses it", () => {
    expect(inspectBytes(enc(flat), 3)).toMatchObject({
      format: "vmdk",
      virtualSize: null,
      failures: [{ check: "descriptor", message: "Unsupported subformat" }],
    });
  });

  it("refuses even a safe-looking createType: a descriptor file names separate extent files", () => {
    expect(problem(enc(sparseDescriptor()))).toEqual(["descriptor: VMDK descriptor file without an embedded extent"]);
  });

  it("is text only: binary in the first sector, non-ASCII or no createType make it raw", () => {
    expect(inspectBytes(concat(enc("\x01"), enc(flat))).format).toBe("raw");
    expect(inspectBytes(concat(enc("abc\0"), enc(flat))).format).toBe("raw");
    expect(inspectBytes(enc(`${"x".repeat(600)}\u00e9${flat}`)).format).toBe("raw");
    expect(inspectBytes(enc("just some text\n".repeat(100))).format).toBe("raw");
  });

  it("reads past the first sector up to a NUL", () => {
    const text = concat(enc(`${"# padding\n".repeat(80)}${flat}`), new Uint8Array(10), enc(flat));
    expect(inspectBytes(text).format).toBe("vmdk");
    const hidden = concat(enc("# padding\n".repeat(80)), new Uint8Array(1), enc(flat));
    expect(inspectBytes(hidden).format).toBe("raw");
  });
});
