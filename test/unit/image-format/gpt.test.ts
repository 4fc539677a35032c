// GPT/MBR rules: oslo.utils' check_mbr_partitions (its test cases), the FAT exclusion, and our primary GPT
// header and partition entry checks behind a protective MBR.
import { describe, expect, it } from "vitest";
import { inspectBytes } from "../../../src/domain/image-format";
import { concat, gptDisk, mbr, PROTECTIVE, type Pte } from "./images";

const disk = (ptes: Pte[], edit?: (m: Uint8Array) => void) => concat(mbr(ptes, edit), new Uint8Array(512));
const failures = (b: Uint8Array, size = 9) => inspectBytes(b, size).failures.map((f) => `${f.check}: ${f.message}`);
const mbrOnly = (b: Uint8Array) => failures(b).filter((f) => f.startsWith("mbr"));

describe("MBR partition entries (oslo.utils' checks)", () => {
  it("accepts a protective MBR with correct values, and a DOS disk with partitions", () => {
    expect(mbrOnly(disk([PROTECTIVE]))).toEqual([]);
    expect(failures(disk([{ type: 0x83 }, { type: 0x82, boot: 0x80 }]))).toEqual([]);
  });

  it.each([
    ["an invalid boot flag", [{ ...PROTECTIVE, boot: 0x0a }], "MBR PTE 0 has invalid boot flag"],
    ["no partitions", [{ type: 0 }], "GPT MBR has no partitions defined"],
    [
      "a partition besides the protective one",
      [PROTECTIVE, { type: 0xee }],
      "GPT MBR defines invalid extra partitions",
    ],
    ["a protective partition not in slot 0", [{ type: 0x83 }, PROTECTIVE], "GPT MBR defines invalid extra partitions"],
    [
      "a protective partition's start CHS",
      [{ ...PROTECTIVE, chs: [1, 2, 0] as [number, number, number] }],
      "GPT MBR has invalid start CHS",
    ],
    ["a protective partition's start LBA", [{ ...PROTECTIVE, startLba: 2 }], "GPT MBR has invalid start LBA"],
  ])("refuses %s", (_, ptes, message) => {
    expect(mbrOnly(disk(ptes))).toEqual([`mbr: ${message}`]);
  });

  it("tolerates any start CHS or LBA on other partition types", () => {
    expect(failures(disk([{ type: 0x8e, chs: [1, 0, 0], startLba: 2 }, { type: 2 }]))).toEqual([]);
  });

  it("is no MBR without the 0xAA55 signature, nor in a FAT boot sector", () => {
    expect(inspectBytes(disk([{ type: 0x83 }], (m) => (m[511] = 0))).format).toBe("raw");
    const fat = disk([{ type: 0x83 }], (m) => {
      m[0x10] = 2;
      m[0x15] = 0xf8;
    });
    expect(inspectBytes(fat).format).toBe("raw");
    expect(inspectBytes(mbr([{ type: 0x83 }]).subarray(0, 511)).format).toBe("raw");
  });

  it("is reported as gpt with the byte count as virtual size", () => {
    expect(inspectBytes(disk([{ type: 0x83 }]))).toMatchObject({ format: "gpt", virtualSize: 1024 });
  });
});

describe("GPT header and entries", () => {
  it("accepts a valid GPT, on 512-byte and 4096-byte sectors", () => {
    expect(failures(gptDisk())).toEqual([]);
    expect(failures(gptDisk({ sectorSize: 4096, sectors: 80, partitions: [[36, 44]] }))).toEqual([]);
    expect(inspectBytes(gptDisk()).matches[0]?.subformat).toBe("gpt");
  });

  it.each([
    [
      "a bad header CRC",
      { edit: (h: DataView) => h.setUint32(16, 1, true), keepCrcs: true },
      "GPT header checksum is invalid",
    ],
    ["a header size below 92", { edit: (h: DataView) => h.setUint32(12, 60, true) }, "GPT header is invalid"],
    ["MyLBA other than 1", { edit: (h: DataView) => h.setBigUint64(24, 3n, true) }, "GPT header is invalid"],
    [
      "an entry size not a power of two",
      { edit: (h: DataView) => h.setUint32(84, 130, true) },
      "GPT header is invalid",
    ],
    ["entries at LBA 1", { edit: (h: DataView) => h.setBigUint64(72, 1n, true) }, "GPT header is invalid"],
    [
      "first usable past last usable",
      { edit: (h: DataView) => h.setBigUint64(40, 500n, true) },
      "GPT header is invalid",
    ],
    [
      "a huge entry array",
      { edit: (h: DataView) => h.setUint32(80, 1 << 20, true) },
      "GPT partition entry array is too large",
    ],
  ])("refuses %s", (_, o, message) => {
    expect(failures(gptDisk(o))).toEqual([`gpt: ${message}`]);
  });

  it("refuses entries whose CRC does not match", () => {
    const d = gptDisk();
    d[1024 + 60] = d[1024 + 60]! ^ 1;
    expect(failures(d)).toEqual(["gpt: GPT partition entries checksum is invalid"]);
  });

  it.each([
    ["before the first usable LBA", [10, 100]],
    ["after the last usable LBA", [40, 190]],
    ["ending before it starts", [100, 50]],
  ])("refuses a partition %s", (_, range) => {
    expect(failures(gptDisk({ partitions: [[40, 60], range as [number, number]] }))).toEqual([
      "gpt: GPT partition entry 1 is invalid",
    ]);
  });

  it("takes a protective MBR with no GPT header behind it, as oslo.utils and Glance do", () => {
    expect(failures(gptDisk({ edit: (h) => h.setUint8(0, 0), keepCrcs: true }))).toEqual([]);
    expect(inspectBytes(gptDisk({ edit: (h) => h.setUint8(0, 0), keepCrcs: true })).matches[0]?.subformat).toBe("gpt");
  });

  it("refuses entries that run past the end of the image", () => {
    expect(failures(gptDisk().subarray(0, 4096))).toEqual(["gpt: GPT partition entries are truncated"]);
  });

  it("forgets the gpt checks on a plain MBR disk", () => {
    expect(inspectBytes(disk([{ type: 0x83 }])).matches[0]?.subformat).toBe("mbr");
  });
});
