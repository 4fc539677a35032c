// The image format inspector: every format probe watches one pass over the bytes (in blocks of any size), and
// the result says which formats matched, which one the data is, its virtual size and its failed checks.
import { ByteTap, TAIL_BYTES } from "./byte-tap";
import { gptProbe } from "./gpt";
import { isoProbe } from "./iso";
import { luksProbe } from "./luks";
import {
  type DetectedFormat,
  FORMATS,
  type FormatReport,
  type Probe,
  type ProbeFactory,
  type SafetyFailure,
} from "./probe";
import { qcow2Probe } from "./qcow2";
import { qedProbe } from "./qed";
import { vdiProbe } from "./vdi";
import { vhdProbe } from "./vhd";
import { vhdxProbe } from "./vhdx";
import { vmdkProbe } from "./vmdk";

const PROBES: Record<Exclude<DetectedFormat, "raw">, ProbeFactory> = {
  qcow2: qcow2Probe,
  vhd: vhdProbe,
  vhdx: vhdxProbe,
  vmdk: vmdkProbe,
  vdi: vdiProbe,
  qed: qedProbe,
  iso: isoProbe,
  gpt: gptProbe,
  luks: luksProbe,
};

export interface InspectionResult {
  /** Bytes inspected (the image's size). */
  readonly size: number;
  /** The format the data is, or null when several formats matched and none of them wins. */
  readonly format: DetectedFormat | null;
  /** That format's virtual size (null when unknown, or when `format` is null). */
  readonly virtualSize: number | null;
  /** That format's failed safety checks (with `format` null: every match's). */
  readonly failures: readonly SafetyFailure[];
  /** Every format whose signature matched, in FORMATS order; only raw when none did. */
  readonly matches: readonly FormatReport[];
}

export interface InspectorOptions {
  /** Only these formats are looked for (raw always is); default all. For tests and diagnostics. */
  formats?: readonly DetectedFormat[];
}

export interface ImageInspector {
  /** The next bytes of the image, in order, any length (a zero-length block is fine). */
  feed(block: Uint8Array): void;
  /** Steps over bytes no probe wants (see `nextWanted`), for reading an image back by ranges. */
  skip(length: number): void;
  /** Bytes fed or skipped so far. */
  readonly position: number;
  /** The lowest offset a probe still wants (Infinity when none): bytes before it may be skipped. */
  readonly nextWanted: number;
  /** Upper bound of the bytes the inspector holds (its buffers), whatever the image size. */
  readonly retainedBytes: number;
  /** Ends the stream and returns the verdict; the inspector takes no more bytes afterwards. */
  finish(): InspectionResult;
}

export function createInspector(options: InspectorOptions = {}): ImageInspector {
  const tap = new ByteTap();
  const wanted = options.formats;
  const probes: [DetectedFormat, Probe][] = [];
  for (const name of FORMATS) {
    if (name === "raw" || (wanted && !wanted.includes(name))) continue;
    probes.push([name, PROBES[name](tap)]);
  }
  let result: InspectionResult | null = null;
  const open = () => {
    if (result) throw new Error("the inspector has finished");
  };
  return {
    feed(block) {
      open();
      tap.feed(block);
    },
    skip(length) {
      open();
      tap.skip(length);
    },
    get position() {
      return tap.position;
    },
    get nextWanted() {
      return tap.nextWanted;
    },
    get retainedBytes() {
      return tap.retainedBytes;
    },
    finish() {
      if (result) return result;
      const size = tap.position;
      const end = { size, tail: (n: number) => tap.tail(n) };
      const found = probes.map(([, p]) => p.finish(end)).filter((r): r is FormatReport => r !== null);
      result = conclude(size, found);
      return result;
    },
  };
}

/**
 * Glance's choice among several matches: an ISO with a GPT in its system area (a bootable hybrid) is an ISO.
 * Ours adds one: a fixed VHD is a raw disk plus a footer, so a partition table inside it is expected.
 */
function winner(found: readonly FormatReport[]): FormatReport | null {
  if (found.length === 1) return found[0]!;
  if (found.length !== 2 || found[1]!.format !== "gpt") return null;
  const other = found[0]!;
  if (other.format === "iso" || (other.format === "vhd" && other.subformat === "fixed")) return other;
  return null;
}

function conclude(size: number, found: FormatReport[]): InspectionResult {
  if (!found.length) {
    const raw: FormatReport = { format: "raw", virtualSize: size, failures: [] };
    return { size, format: "raw", virtualSize: size, failures: [], matches: [raw] };
  }
  const one = winner(found);
  if (one) return { size, format: one.format, virtualSize: one.virtualSize, failures: one.failures, matches: found };
  return { size, format: null, virtualSize: null, failures: found.flatMap((r) => r.failures), matches: found };
}

/** Inspects bytes already in memory, fed in blocks of `blockSize` (tests, small bodies). */
export function inspectBytes(bytes: Uint8Array, blockSize = 1 << 20, options?: InspectorOptions): InspectionResult {
  const inspector = createInspector(options);
  for (let at = 0; at < bytes.length; at += blockSize) inspector.feed(bytes.subarray(at, at + blockSize));
  return inspector.finish();
}

/**
 * Inspects an image that is already stored, reading only what the probes want (its head, the regions its
 * pointers lead to, its tail) through `read(offset, length)`: a chunked stage checked before import, say.
 * Same verdict as streaming every byte.
 */
export async function inspectRanges(
  size: number,
  read: (offset: number, length: number) => Promise<Uint8Array>,
  options?: InspectorOptions & { blockSize?: number },
): Promise<InspectionResult> {
  const inspector = createInspector(options);
  const block = options?.blockSize ?? 1 << 20;
  while (inspector.position < size) {
    const target = Math.min(inspector.nextWanted, Math.max(inspector.position, size - TAIL_BYTES));
    if (target > inspector.position) inspector.skip(target - inspector.position);
    const length = Math.min(block, size - inspector.position);
    const bytes = await read(inspector.position, length);
    if (bytes.length !== length)
      throw new RangeError(`short read at ${inspector.position}: ${bytes.length} of ${length}`);
    inspector.feed(bytes);
  }
  return inspector.finish();
}
