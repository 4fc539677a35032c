// Glance's verdict (glance/location.py master, and its unit tests in test_store_image.py): format match,
// claimed raw, uninspectable formats, several matches, the GPT non-fatal list; and inferring a disk_format.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_FORMAT_SETTINGS,
  type FormatSettings,
  inferDiskFormat,
  inspectBytes,
  judge,
} from "../../../src/domain/image-format";
import { concat, enc, gptDisk, iso, mbr, PROTECTIVE, qcow2 } from "./images";

const lax: FormatSettings = { requireFormatMatch: false, gptNonfatalChecks: [] };
const plainQcow2 = inspectBytes(qcow2({ size: 1n << 30n, length: 4096 }));
const backed = inspectBytes(qcow2({ backingOffset: 0x200n }));
const raw = inspectBytes(enc("YYYY"));
// Glance's stub GPT: a protective MBR in 1024 bytes (no GPT header behind it).
const stubGpt = concat(mbr([PROTECTIVE]), new Uint8Array(512));
const brokenStubGpt = concat(mbr([{ type: 0 }]), new Uint8Array(512));

describe("judge", () => {
  it("accepts data of the claimed format with its virtual size", () => {
    expect(judge("qcow2", plainQcow2, DEFAULT_FORMAT_SETTINGS)).toEqual({
      accepted: true,
      diskFormat: "qcow2",
      virtualSize: 2 ** 30,
    });
    expect(judge("raw", raw, DEFAULT_FORMAT_SETTINGS)).toEqual({ accepted: true, diskFormat: "raw", virtualSize: 4 });
  });

  it("refuses data that contradicts the claim, with Glance's message", () => {
    expect(judge("vmdk", plainQcow2, DEFAULT_FORMAT_SETTINGS)).toEqual({
      accepted: false,
      reason: "mismatch",
      message: "Image disk_format vmdk does not match stream data qcow2",
    });
    expect(judge("qcow2", raw, DEFAULT_FORMAT_SETTINGS)).toMatchObject({
      message: "Image disk_format qcow2 does not match stream data raw",
    });
  });

  it("takes any format claimed as raw, sized by its bytes, but still runs its safety checks", () => {
    expect(judge("raw", plainQcow2, DEFAULT_FORMAT_SETTINGS)).toEqual({
      accepted: true,
      diskFormat: "raw",
      virtualSize: 4096,
    });
    expect(judge("raw", inspectBytes(stubGpt), DEFAULT_FORMAT_SETTINGS)).toEqual({
      accepted: true,
      diskFormat: "raw",
      virtualSize: 1024,
    });
    expect(judge("raw", backed, DEFAULT_FORMAT_SETTINGS)).toEqual({
      accepted: false,
      reason: "unsafe",
      message: "Image failed safety checks",
    });
  });

  it("takes raw-looking data for a format it cannot inspect (ami, aki, ari, ploop), without a virtual size", () => {
    for (const claim of ["ami", "aki", "ari", "ploop"])
      expect(judge(claim, raw, DEFAULT_FORMAT_SETTINGS)).toEqual({
        accepted: true,
        diskFormat: claim,
        virtualSize: null,
      });
    // ...but not a recognised format hiding behind such a claim.
    expect(judge("ami", inspectBytes(stubGpt), DEFAULT_FORMAT_SETTINGS)).toMatchObject({
      accepted: false,
      message: "Image disk_format ami does not match stream data gpt",
    });
  });

  it("refuses an unsafe image of the claimed format", () => {
    expect(judge("qcow2", backed, DEFAULT_FORMAT_SETTINGS)).toMatchObject({
      accepted: false,
      message: "Image failed safety checks",
    });
  });

  it("forgives listed GPT checks on gpt data only (gpt_safety_checks_nonfatal)", () => {
    const broken = inspectBytes(brokenStubGpt);
    expect(judge("gpt", broken, DEFAULT_FORMAT_SETTINGS)).toMatchObject({ accepted: false, reason: "unsafe" });
    const forgiving = { ...DEFAULT_FORMAT_SETTINGS, gptNonfatalChecks: ["mbr"] };
    expect(judge("gpt", broken, forgiving)).toEqual({ accepted: true, diskFormat: "gpt", virtualSize: 1024 });
    expect(judge("raw", broken, forgiving)).toMatchObject({ accepted: true });
    // Every failure must be listed; and the list means nothing to other formats.
    const both = gptDisk({ edit: (h) => h.setUint32(16, 1, true), keepCrcs: true });
    both[446 + 8] = 2;
    expect(judge("raw", inspectBytes(both), forgiving)).toMatchObject({ accepted: false });
    expect(judge("raw", inspectBytes(both), { ...forgiving, gptNonfatalChecks: ["mbr", "gpt"] })).toMatchObject({
      accepted: true,
    });
    expect(judge("qcow2", backed, { ...forgiving, gptNonfatalChecks: ["backing_file"] })).toMatchObject({
      accepted: false,
    });
  });

  it("takes an ISO with a GPT as an ISO and refuses any other combination", () => {
    const hybrid = inspectBytes(iso({ systemArea: gptDisk().subarray(0, 32 * 1024), blocks: 18 }));
    expect(hybrid.matches.map((m) => m.format)).toEqual(["iso", "gpt"]);
    expect(judge("iso", hybrid, DEFAULT_FORMAT_SETTINGS)).toEqual({
      accepted: true,
      diskFormat: "iso",
      virtualSize: 18 * 2048,
    });
    const polyglot = inspectBytes(iso({ systemArea: qcow2() }));
    for (const claim of ["iso", "qcow2", "raw"])
      expect(judge(claim, polyglot, DEFAULT_FORMAT_SETTINGS)).toEqual({
        accepted: false,
        reason: "multiple",
        message: "Multiple formats detected: qcow2,iso",
      });
  });

  it("with requireFormatMatch off lets a mismatch or an ambiguity through without a virtual size, safety first", () => {
    expect(judge("vmdk", plainQcow2, lax)).toEqual({ accepted: true, diskFormat: "vmdk", virtualSize: null });
    expect(judge("vmdk", backed, lax)).toMatchObject({ accepted: false, message: "Image failed safety checks" });
    const polyglot = inspectBytes(iso({ systemArea: qcow2() }));
    expect(judge("iso", polyglot, lax)).toEqual({ accepted: true, diskFormat: "iso", virtualSize: null });
    const unsafePolyglot = inspectBytes(iso({ systemArea: qcow2({ backingOffset: 8n }) }));
    expect(judge("iso", unsafePolyglot, lax)).toMatchObject({ accepted: false, reason: "unsafe" });
  });

  it("stores no virtual size of 0 (Glance's 'unknown')", () => {
    expect(judge("raw", inspectBytes(new Uint8Array(0)), DEFAULT_FORMAT_SETTINGS)).toEqual({
      accepted: true,
      diskFormat: "raw",
      virtualSize: null,
    });
  });
});

describe("inferDiskFormat", () => {
  it("records the detected format when Glance has it, else raw, and the verdict follows", () => {
    expect(inferDiskFormat(plainQcow2)).toBe("qcow2");
    expect(inferDiskFormat(raw)).toBe("raw");
    expect(inferDiskFormat(inspectBytes(stubGpt))).toBe("raw");
    const qed = inspectBytes(concat(enc("QED\0"), new Uint8Array(60)));
    expect(inferDiskFormat(qed)).toBe("raw");
    expect(judge(inferDiskFormat(qed), qed, DEFAULT_FORMAT_SETTINGS)).toMatchObject({
      accepted: false,
      reason: "unsafe",
    });
    const polyglot = inspectBytes(iso({ systemArea: qcow2() }));
    expect(judge(inferDiskFormat(polyglot), polyglot, DEFAULT_FORMAT_SETTINGS)).toMatchObject({ reason: "multiple" });
    expect(judge(inferDiskFormat(backed), backed, DEFAULT_FORMAT_SETTINGS)).toMatchObject({ reason: "unsafe" });
  });
});
