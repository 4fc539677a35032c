// Memory stays bounded whatever the image size or its claims, and the verdict never depends on how the stream
// is cut into blocks (random cuts of every fixture small enough, and of synthetic worst cases).
import { describe, expect, it } from "vitest";
import { createInspector, type InspectionResult, inspectBytes } from "../../../src/domain/image-format";
import { FORMAT_FIXTURES, fixtureBytes } from "../../helpers/format-fixtures";
import { cuts, enc, gptDisk, qcow2, sparseDescriptor, vhdx, vmdk } from "./images";

const MIB = 1 << 20;
/** The bound the issue sets: about 1 MiB of buffers per upload. */
const BOUND = 1.1 * MIB;

/** Streams `head`, then `total - head.length` bytes of one reused zero block, returning the inspector. */
function stream(head: Uint8Array, total: number, block = MIB) {
  const inspector = createInspector();
  inspector.feed(head);
  const zeros = new Uint8Array(block);
  let peak = inspector.retainedBytes;
  for (let at = head.length; at < total; at += block) {
    inspector.feed(zeros.subarray(0, Math.min(block, total - at)));
    peak = Math.max(peak, inspector.retainedBytes);
  }
  return { inspector, peak };
}

describe("memory", () => {
  it.each([
    ["raw", new Uint8Array(4096)],
    ["qcow2", qcow2({ length: 65536 })],
    ["vhdx", vhdx()],
    ["gpt", gptDisk()],
  ])("stays under the bound on a 2 GiB %s stream", (_, head) => {
    const { inspector, peak } = stream(head, 2 * 1024 * MIB);
    expect(peak).toBeLessThan(BOUND);
    expect(inspector.finish().size).toBe(2 * 1024 * MIB);
  });

  it.each([
    ["a text upload (scanned as a possible VMDK descriptor)", enc("text ".repeat(400_000))],
    [
      "a VMDK claiming a huge descriptor",
      vmdk({ descriptor: `# ${"x".repeat(3 * MIB)}`, descSectors: 1n << 40n, padTo: 3 * MIB + 600 }),
    ],
    ["a GPT claiming a huge entry array", gptDisk({ edit: (h) => h.setUint32(80, 32768, true) })],
    [
      "a VHDX with 2047 metadata entries",
      (() => {
        const b = vhdx();
        new DataView(b.buffer).setUint16(0x100000 + 10, 2047, true);
        return b;
      })(),
    ],
  ])("stays under the bound on %s", (_, head) => {
    const { peak } = stream(head, head.length + 64 * MIB);
    expect(peak).toBeLessThan(BOUND);
  });

  it("keeps nothing of a block no probe wants", () => {
    const { inspector } = stream(new Uint8Array(4096), 64 * MIB);
    const before = inspector.retainedBytes;
    inspector.feed(new Uint8Array(8 * MIB));
    expect(inspector.retainedBytes).toBe(before);
    expect(inspector.nextWanted).toBe(Number.POSITIVE_INFINITY);
  });
});

function cutFeed(data: Uint8Array, next: () => number): InspectionResult {
  const inspector = createInspector();
  for (let at = 0; at < data.length; ) {
    const n = next();
    inspector.feed(data.subarray(at, at + n));
    at += n;
  }
  return inspector.finish();
}

describe("block-size independence", () => {
  const small = FORMAT_FIXTURES.filter((f) => f.bytes <= 1.1 * MIB);

  it.each(small.map((f) => f.file))("%s: random cuts give the whole-buffer verdict", (file) => {
    const data = fixtureBytes(file);
    const whole = inspectBytes(data, data.length || 1);
    for (const [seed, max] of [
      [1, 3],
      [2, 700],
      [3, 70_000],
    ] as const)
      expect(cutFeed(data, cuts(seed, max))).toEqual(whole);
  });

  it("holds for synthetic worst cases: pointers, footers and text", () => {
    const header = vmdk({ descriptor: sparseDescriptor(), gdOffset: 2n ** 64n - 1n });
    const samples = [vhdx({ size: 9n << 30n }), header, enc(`${"# pad\n".repeat(200)}createType="x"\n`), gptDisk()];
    for (const data of samples) {
      const whole = inspectBytes(data, data.length);
      for (let seed = 1; seed <= 10; seed++) expect(cutFeed(data, cuts(seed, 1 + seed * 97))).toEqual(whole);
    }
  });

  it("ignores empty blocks", () => {
    const data = qcow2();
    const inspector = createInspector();
    for (let at = 0; at < data.length; at += 100) {
      inspector.feed(new Uint8Array(0));
      inspector.feed(data.subarray(at, at + 100));
    }
    expect(inspector.finish()).toEqual(inspectBytes(data));
  });

  it("takes no bytes after finishing", () => {
    const inspector = createInspector();
    inspector.finish();
    expect(() => inspector.feed(new Uint8Array(1))).toThrow();
  });
});
