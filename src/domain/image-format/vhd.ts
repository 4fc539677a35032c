// VHD (qemu's "vpc"): dynamic and differencing disks start with a copy of the 512-byte footer; a fixed disk
// has it only at the end, so the tail is checked too (oslo.utils looks at the start only and calls those raw).
import type { ByteTap } from "./byte-tap";
import { hasTag, u16be, u32be, u64be } from "./bytes";
import { type FormatReport, fail, type Probe, type SafetyFailure, sizeOrFailure } from "./probe";

const COOKIE = "conectix";
const FOOTER = 512;
const FIXED = 2;
const DYNAMIC = 3;
const DIFFERENCING = 4;
/** Creators whose size field qemu trusts over the CHS geometry (block/vpc.c). */
const SIZE_CREATORS = ["win ", "qem2", "d2v ", "CTXS", "tap\0"];
const MAX_GEOMETRY_SECTORS = 65535 * 16 * 255;

export function vhdProbe(tap: ByteTap): Probe {
  const head = tap.capture(0, FOOTER)!;
  return {
    finish(end): FormatReport | null {
      if (head.filled >= COOKIE.length && hasTag(head.bytes, 0, COOKIE)) {
        if (!head.complete) return report("dynamic", null, [fail("header", "Image header is truncated")]);
        return fromFooter(head.bytes);
      }
      // A fixed disk: raw data followed by the footer, which qemu accepts only with the fixed type.
      const tail = end.tail(FOOTER);
      if (end.size >= 2 * FOOTER && tail.length === FOOTER && hasTag(tail, 0, COOKIE) && u32be(tail, 60) === FIXED)
        return fromFooter(tail);
      return null;
    },
  };
}

function fromFooter(f: Uint8Array): FormatReport {
  const type = u32be(f, 60);
  const failures: SafetyFailure[] = [];
  // Beyond oslo.utils: a differencing disk names its parent by host path (Hyper-V follows it).
  if (type === DIFFERENCING) failures.push(fail("disk_type", "VHD differencing images are not allowed"));
  else if (type !== FIXED && type !== DYNAMIC) failures.push(fail("disk_type", "Unknown VHD disk type"));
  const subformat = type === FIXED ? "fixed" : type === DYNAMIC ? "dynamic" : undefined;
  return report(subformat, sizeOrFailure(virtualSize(f), failures), failures);
}

/**
 * qemu's rule (block/vpc.c): Virtual PC and qemu's own "qemu" images size the disk by CHS geometry, Hyper-V and
 * friends by the footer's current size, and so does a disk whose geometry is at its maximum.
 */
function virtualSize(f: Uint8Array): number {
  const chs = u16be(f, 56) * f[58]! * f[59]!;
  const creator = String.fromCharCode(...f.subarray(28, 32));
  if (SIZE_CREATORS.includes(creator) || chs === MAX_GEOMETRY_SECTORS) return u64be(f, 48);
  return chs * 512;
}

function report(subformat: string | undefined, virtualSize: number | null, failures: SafetyFailure[]): FormatReport {
  return { format: "vhd", ...(subformat ? { subformat } : {}), virtualSize, failures };
}
