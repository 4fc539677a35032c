// ISO 9660 and UDF: the first volume descriptor sits after the 32 KiB system area; a primary volume
// descriptor gives the size (volume space size x logical block size).
import type { ByteTap } from "./byte-tap";
import { u16le, u32le } from "./bytes";
import type { FormatReport, Probe } from "./probe";

const SYSTEM_AREA = 32 * 1024;
const DESCRIPTOR = 2048;
const SIGNATURES: Record<string, string> = { CD001: "iso9660", NSR02: "udf", NSR03: "udf" };

export function isoProbe(tap: ByteTap): Probe {
  const desc = tap.capture(SYSTEM_AREA, DESCRIPTOR)!;
  return {
    finish(): FormatReport | null {
      if (!desc.complete) return null;
      const d = desc.bytes;
      const subformat = SIGNATURES[String.fromCharCode(...d.subarray(1, 6))];
      if (!subformat) return null;
      // Only a primary volume descriptor (type 1) carries the size; oslo.utils reports 0 (unknown) otherwise.
      const size = d[0] === 1 ? u32le(d, 80) * u16le(d, 128) : 0;
      return { format: "iso", subformat, virtualSize: size || null, failures: [] };
    },
  };
}
