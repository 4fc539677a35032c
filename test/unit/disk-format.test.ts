import { describe, expect, it } from "vitest";
import { detectDiskFormat, FORMAT_PROBE_BYTES } from "../../src/domain/disk-format";

const at = (offset: number, bytes: number[] | string, size = FORMAT_PROBE_BYTES) => {
  const head = new Uint8Array(size);
  head.set(typeof bytes === "string" ? [...bytes].map((c) => c.charCodeAt(0)) : bytes, offset);
  return head;
};

describe("detectDiskFormat", () => {
  it.each([
    ["qcow2", at(0, [0x51, 0x46, 0x49, 0xfb])],
    ["vmdk", at(0, "KDMV")],
    ["vhdx", at(0, "vhdxfile")],
    ["vhd", at(0, "conectix")],
    ["vdi", at(0x40, [0x7f, 0x10, 0xda, 0xbe])],
    ["iso", at(0x8001, "CD001")],
    ["raw", at(0, "hello world")],
    ["raw", new Uint8Array(0)],
    // Too short to hold the ISO signature: never read past the end.
    ["raw", at(0, "", 100)],
  ])("%s", (format, head) => {
    expect(detectDiskFormat(head)).toBe(format);
  });
});
