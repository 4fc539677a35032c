// qcow2 rules (oslo.utils' QcowInspector and its tests): backing file, data file, feature bits, version.
import { describe, expect, it } from "vitest";
import { inspectBytes } from "../../../src/domain/image-format";
import { enc, qcow2 } from "./images";

const checks = (b: Uint8Array) => inspectBytes(b, 13).failures.map((f) => `${f.check}: ${f.message}`);

describe("qcow2", () => {
  it("takes the virtual size from the header", () => {
    const r = inspectBytes(qcow2({ size: 5n << 30n }));
    expect(r).toMatchObject({ format: "qcow2", virtualSize: 5 * 2 ** 30, failures: [] });
    expect(r.matches[0]?.subformat).toBe("v3");
  });

  it("refuses a backing file", () => {
    expect(checks(qcow2({ backingOffset: 0x200n }))).toEqual(["backing_file: Image has a backing file"]);
    expect(checks(qcow2({ version: 2, backingOffset: 0x200n }))).toEqual(["backing_file: Image has a backing file"]);
  });

  it("refuses the external data file bit", () => {
    expect(checks(qcow2({ incompatible: 0x4n }))).toEqual(["data_file: Image has data_file set"]);
  });

  it("refuses a data-file name extension even without the bit (defence in depth)", () => {
    const ext: [number, Uint8Array][] = [
      [0x6803f857, new Uint8Array(48)],
      [0x44415441, enc("/etc/hosts")],
    ];
    expect(checks(qcow2({ extensions: ext }))).toEqual(["data_file: Image has data_file set"]);
    expect(checks(qcow2({ version: 2, extensions: ext }))).toEqual(["data_file: Image has data_file set"]);
    // Past the extension area's end marker, bytes are not extensions.
    const after = qcow2({ extensions: [[0x6803f857, new Uint8Array(48)]] });
    after.set([0, 0, 0, 0, 0, 0, 0, 0, 0x44, 0x41, 0x54, 0x41], 112 + 56);
    expect(checks(after)).toEqual([]);
  });

  it("finds extensions past the first 512 bytes, within the first cluster", () => {
    const big: [number, Uint8Array][] = [
      [0x6803f857, new Uint8Array(2000)],
      [0x44415441, enc("x")],
    ];
    expect(checks(qcow2({ extensions: big, length: 65536 }))).toEqual(["data_file: Image has data_file set"]);
    // With 512-byte clusters the first cluster ends at 512: qemu reads no extension beyond it.
    expect(checks(qcow2({ extensions: big, clusterBits: 9, length: 65536 }))).toEqual([]);
  });

  it.each([
    ["no features", 3, 0n, null],
    ["dirty bit (known)", 3, 0x1n, null],
    ["corrupt and compression type bits (known)", 3, 0xan, null],
    ["bit 4, extended L2 (unknown to oslo.utils)", 3, 0x10n, "Unknown QCOW2 features found"],
    ["bit 7 of the low byte", 3, 0x80n, "Unknown QCOW2 features found"],
    ["a bit in the high byte", 3, 1n << 56n, "Unknown QCOW2 features found"],
    ["version 2 has no feature field", 2, 0x80n, null],
    ["version 1", 1, 0n, "Unsupported qcow2 version"],
    ["version 4", 4, 0n, "Unsupported qcow2 version"],
  ])("feature bits: %s", (_, version, incompatible, message) => {
    const failures = checks(qcow2({ version, incompatible }));
    expect(failures).toEqual(message ? [`unknown_features: ${message}`] : []);
  });

  it("matches its magic even when truncated, and refuses it", () => {
    expect(inspectBytes(qcow2().subarray(0, 100))).toMatchObject({
      format: "qcow2",
      virtualSize: null,
      failures: [{ check: "header", message: "Image header is truncated" }],
    });
    expect(inspectBytes(enc("QFI")).format).toBe("raw");
  });

  it("does not trust a size beyond 2^53", () => {
    expect(inspectBytes(qcow2({ size: 1n << 60n }))).toMatchObject({
      virtualSize: null,
      failures: [{ check: "virtual_size" }],
    });
  });
});
