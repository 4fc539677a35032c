// What every format probe shares: the names oslo.utils gives formats, a probe's report and its failures.
import type { ByteTap } from "./byte-tap";

/** oslo.utils' format names (qemu-img's, except vhd for qemu's "vpc"), in oslo's ALL_FORMATS order. */
export const FORMATS = ["raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "qed", "iso", "gpt", "luks"] as const;
export type DetectedFormat = (typeof FORMATS)[number];

/** One failed safety check: `check` is oslo's check name (what gpt_safety_checks_nonfatal lists). */
export interface SafetyFailure {
  readonly check: string;
  readonly message: string;
}

/** What one format found in data that carries its signature. */
export interface FormatReport {
  readonly format: DetectedFormat;
  /** e.g. qcow2 "v2"/"v3", vmdk's createType, vhd "fixed"/"dynamic", iso "iso9660"/"udf"; absent if unknown. */
  readonly subformat?: string;
  /** What qemu-img would report as virtual-size; null when the data does not say (or cannot be trusted). */
  readonly virtualSize: number | null;
  /** Empty when every safety check passed. */
  readonly failures: readonly SafetyFailure[];
}

/** How the stream ended, for the probes' final word. */
export interface StreamEnd {
  readonly size: number;
  /** The last min(length, 1536, size) bytes. */
  tail(length: number): Uint8Array;
}

export interface Probe {
  /** The report, or null when the data does not carry this format's signature. */
  finish(end: StreamEnd): FormatReport | null;
}

/** A probe registers the regions it needs on the tap when it is created. */
export type ProbeFactory = (tap: ByteTap) => Probe;

export const fail = (check: string, message: string): SafetyFailure => ({ check, message });

/** A size field taken as virtual_size: a safe integer, else null plus a failure (a lie we will not store). */
export function sizeOrFailure(size: number, failures: SafetyFailure[]): number | null {
  if (Number.isSafeInteger(size) && size >= 0) return size;
  failures.push(fail("virtual_size", "Virtual size is out of range"));
  return null;
}
