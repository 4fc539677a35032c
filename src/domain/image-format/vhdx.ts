// VHDX: the virtual size is a metadata item, found through two pointers (region table -> metadata table ->
// item), each captured when it streams by; a pointer to bytes already gone by makes the image unparsable.
import type { ByteTap } from "./byte-tap";
import { equalAt, guidBytes, hasTag, u16le, u32le, u64le } from "./bytes";
import { type FormatReport, fail, type Probe, type SafetyFailure, sizeOrFailure } from "./probe";

const REGION_TABLE = 192 * 1024;
const MAX_ENTRIES = 2047;
const METADATA_REGION = guidBytes("8B7CA206-4790-4B9A-B8FE-575F050F886E");
const VIRTUAL_DISK_SIZE = guidBytes("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
const FILE_PARAMETERS = guidBytes("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
const HAS_PARENT = 0x2;

export function vhdxProbe(tap: ByteTap): Probe {
  let problem: string | null = null;
  let size: Uint8Array | null = null;
  let params: Uint8Array | null = null;
  let stage = "region table";

  // 1. The region table header (signature "regi", entry count), then its entries.
  const ident = tap.capture(0, 8, (id) => {
    if (!hasTag(id, 0, "vhdxfile")) return;
    tap.capture(REGION_TABLE, 16, (h) => {
      const count = u32le(h, 8);
      if (u32le(h, 0) !== 0x69676572) problem = "VHDX region table signature not found";
      else if (count > MAX_ENTRIES) problem = "VHDX region table has too many entries";
      else tap.capture(REGION_TABLE + 16, count * 32, regionEntries);
    });
  })!;

  // 2. The metadata region's entry gives the metadata table's offset.
  function regionEntries(entries: Uint8Array): void {
    for (let at = 0; at < entries.length; at += 32) {
      if (!equalAt(entries, at, METADATA_REGION)) continue;
      const offset = u64le(entries, at + 16);
      stage = "metadata table";
      if (!tap.capture(offset, 32, (h) => metadataHeader(offset, h)))
        problem = "VHDX metadata region lies before the region table or out of range";
      return;
    }
    problem = "VHDX metadata region not found";
  }

  function metadataHeader(region: number, h: Uint8Array): void {
    const count = u16le(h, 10);
    if (!hasTag(h, 0, "metadata")) problem = "VHDX metadata table signature not found";
    else if (count > MAX_ENTRIES) problem = "VHDX metadata table has too many entries";
    else tap.capture(region + 32, count * 32, (entries) => metadataEntries(region, entries));
  }

  // 3. Items are addressed relative to the metadata region.
  function metadataEntries(region: number, entries: Uint8Array): void {
    stage = "virtual disk size item";
    for (let at = 0; at < entries.length; at += 32) {
      const item = region + u32le(entries, at + 16);
      const wanted = equalAt(entries, at, VIRTUAL_DISK_SIZE) ? 1 : equalAt(entries, at, FILE_PARAMETERS) ? 2 : 0;
      if (!wanted) continue;
      const ok = tap.capture(item, 8, (b) => {
        if (wanted === 1) size = b;
        else params = b;
      });
      if (!ok) problem = "VHDX metadata item lies before the metadata table or out of range";
    }
  }

  return {
    finish(): FormatReport | null {
      if (!ident.complete || !hasTag(ident.bytes, 0, "vhdxfile")) return null;
      const failures: SafetyFailure[] = [];
      let virtualSize: number | null = null;
      if (problem) failures.push(fail("metadata", problem));
      else if (!size) failures.push(fail("metadata", `VHDX ${stage} is missing or truncated`));
      else virtualSize = sizeOrFailure(u64le(size, 0), failures);
      // Beyond oslo.utils: a differencing VHDX names its parent by path (qemu refuses those; others follow it).
      if (params && (u32le(params, 4) & HAS_PARENT) !== 0)
        failures.push(fail("parent", "VHDX differencing images are not allowed"));
      return { format: "vhdx", virtualSize, failures };
    },
  };
}
