// Every real image of the fixture set, fed in odd block sizes: the same verdict at every size, the format and
// failures the manifest expects, and for each claimed disk_format the verdict (virtual_size = qemu-img's).
import { describe, expect, it } from "vitest";
import { DEFAULT_FORMAT_SETTINGS, inspectBytes, inspectRanges, judge } from "../../../src/domain/image-format";
import { FORMAT_FIXTURES, fixtureBytes } from "../../helpers/format-fixtures";

const BLOCK_SIZES = [1, 7, 4096, 1 << 20, Number.MAX_SAFE_INTEGER];

describe.each(FORMAT_FIXTURES)("$file ($about)", (fx) => {
  const data = fixtureBytes(fx.file);
  const whole = inspectBytes(data, data.length || 1);

  it("detects the expected format, matches and failures", () => {
    expect(whole.size).toBe(fx.bytes);
    expect(whole.format).toBe(fx.format);
    expect(whole.matches.map((m) => m.format)).toEqual(fx.matches);
    expect([...new Set(whole.failures.map((f) => f.check))].sort()).toEqual([...fx.failures].sort());
  });

  it.each(BLOCK_SIZES)("gives the same result fed in blocks of %i bytes", (size) => {
    expect(inspectBytes(data, size)).toEqual(whole);
  });

  it("gives the same result read back by ranges, reading only part of a large image", async () => {
    let read = 0;
    const result = await inspectRanges(
      data.length,
      async (offset, length) => {
        read += length;
        return data.subarray(offset, offset + length);
      },
      { blockSize: 64 * 1024 },
    );
    expect(result).toEqual(whole);
    if (data.length > 4 << 20) expect(read).toBeLessThan(data.length / 2);
  });

  it.each(Object.entries(fx.claims))("claimed %s: %j", (claim, expected) => {
    const verdict = judge(claim, whole, DEFAULT_FORMAT_SETTINGS);
    if (expected.accepted)
      expect(verdict).toEqual({ accepted: true, diskFormat: claim, virtualSize: expected.virtual_size });
    else expect(verdict).toMatchObject({ accepted: false, message: expected.message });
  });
});

describe("the fixture set", () => {
  it("has a good image of every format and the unsafe variants the issue lists", () => {
    const good = new Set(
      FORMAT_FIXTURES.filter((f) => Object.values(f.claims).some((c) => c.accepted)).map((f) => f.format),
    );
    expect([...good].sort()).toEqual(["gpt", "iso", "luks", "qcow2", "raw", "vdi", "vhd", "vhdx", "vmdk"]);
    const failed = new Set(FORMAT_FIXTURES.flatMap((f) => f.failures.map((c) => `${f.format}:${c}`)));
    for (const c of [
      "qcow2:backing_file",
      "qcow2:data_file",
      "qcow2:unknown_features",
      "qed:banned",
      "vmdk:descriptor",
      "vmdk:footer",
      "gpt:mbr",
      "gpt:gpt",
    ])
      expect(failed).toContain(c);
    expect(FORMAT_FIXTURES.some((f) => f.format === null && f.matches.includes("iso"))).toBe(true);
  });

  it("records a virtual_size for every accepted claim of an inspectable format, equal to qemu-img's", () => {
    for (const f of FORMAT_FIXTURES) {
      for (const [claim, v] of Object.entries(f.claims)) {
        if (!v.accepted || claim === "ami") continue;
        expect(v.virtual_size, `${f.file} as ${claim}`).toBeGreaterThan(0);
        // When qemu probes the same format we claim, it must report the very size we expect.
        if (f.qemu.format === (claim === "vhd" ? "vpc" : claim)) expect(v.virtual_size).toBe(f.qemu.virtual_size);
      }
    }
  });
});
