// VMDK: a sparse extent ("KDMV" header, embedded descriptor, maybe a footer at the end) or a bare descriptor
// file. Only single-file monolithicSparse/streamOptimized images pass; anything naming other files is refused.
import type { ByteTap, Captured } from "./byte-tap";
import { allOnes64, hasTag, u32le, u64le } from "./bytes";
import { type FormatReport, fail, type Probe, type SafetyFailure, sizeOrFailure } from "./probe";
import { createType, DESCRIPTOR_MAX, DescriptorText, descriptorProblem, SAFE_TYPES } from "./vmdk-descriptor";

// Little-endian sparse header: magic 0, version 4, capacity 12 (sectors), descriptor offset 28 and size 36
// (sectors), gdOffset 56 (all ones: the real header is the footer at the end of a stream).
const SECTOR = 512;
const MARKER_FOOTER = 3;
const FOOTER_REGION = 3 * SECTOR;

export function vmdkProbe(tap: ByteTap): Probe {
  let embedded: DescriptorText | null = null;
  let headerProblem: string | null = null;
  // A descriptor file has no binary header: text from byte 0 (oslo.utils parses those too; qemu would open
  // the files its extents name).
  const file = new DescriptorText(tap, true);
  file.collect(0, DESCRIPTOR_MAX);
  const head: Captured = tap.capture(0, SECTOR, (h) => {
    if (!hasTag(h, 0, "KDMV")) return;
    const version = u32le(h, 4);
    const descOffset = u64le(h, 28) * SECTOR;
    const descSectors = u64le(h, 36);
    if (version < 1 || version > 3) headerProblem = `Unsupported format version ${version}`;
    else if (descOffset !== SECTOR) headerProblem = "Wrong descriptor location";
    else {
      embedded = new DescriptorText(tap, false);
      const size = Number.isSafeInteger(descSectors) ? Math.min(descSectors * SECTOR, DESCRIPTOR_MAX) : DESCRIPTOR_MAX;
      embedded.collect(SECTOR, size);
    }
  })!;

  return {
    finish(end): FormatReport | null {
      const h = head.bytes;
      if (head.filled >= 4 && hasTag(h, 0, "COWD"))
        return { format: "vmdk", subformat: "vmfsSparse", virtualSize: null, failures: [unsupported()] };
      if (head.filled >= 4 && hasTag(h, 0, "KDMV")) return sparse(end.tail(FOOTER_REGION));
      const text = file.text();
      const type = text === null ? null : createType(text);
      if (type === null) return null;
      // A descriptor file always names separate extent files: never a self-contained image.
      const problem = descriptorProblem(text) ?? "VMDK descriptor file without an embedded extent";
      return { format: "vmdk", subformat: type, virtualSize: null, failures: [fail("descriptor", problem)] };
    },
  };

  function sparse(tail: Uint8Array): FormatReport {
    const h = head.bytes;
    const failures: SafetyFailure[] = [];
    if (!head.complete)
      return { format: "vmdk", virtualSize: null, failures: [fail("header", "Image header is truncated")] };
    const desc: DescriptorText | null = embedded;
    const text = desc?.ended ? desc.text() : null;
    const type = text === null ? null : createType(text);
    if (headerProblem) failures.push(fail("descriptor", headerProblem));
    else if (desc && !desc.ended) failures.push(fail("descriptor", "VMDK descriptor is truncated"));
    else {
      const problem = descriptorProblem(text);
      if (problem) failures.push(fail("descriptor", problem));
    }
    let sizeFrom = h;
    if (allOnes64(h, 56)) {
      const problem = footerProblem(h, tail);
      if (problem) failures.push(fail("footer", problem));
      // qemu takes the whole header from the footer then, capacity included.
      else sizeFrom = tail.subarray(SECTOR, 2 * SECTOR);
    }
    const safe = type !== null && SAFE_TYPES.includes(type);
    const virtualSize = safe ? sizeOrFailure(u64le(sizeFrom, 12) * SECTOR, failures) : null;
    return { format: "vmdk", ...(type ? { subformat: original(type) } : {}), virtualSize, failures };
  }
}

const unsupported = () => fail("descriptor", "Unsupported subformat");

/** createType in its usual spelling for the two safe types (the descriptor is read lower-cased). */
function original(type: string): string {
  return type === "monolithicsparse" ? "monolithicSparse" : type === "streamoptimized" ? "streamOptimized" : type;
}

/**
 * oslo.utils' check_footer: the last three sectors are a footer marker, a copy of the header that agrees on
 * signature, version and descriptor and does not point at yet another footer, and an end-of-stream marker.
 */
function footerProblem(header: Uint8Array, tail: Uint8Array): string | null {
  if (tail.length < FOOTER_REGION) return "Footer is missing";
  const footer = tail.subarray(SECTOR, 2 * SECTOR);
  if (!hasTag(footer, 0, "KDMV")) return "Header and footer signature do not match";
  if (u32le(footer, 4) !== u32le(header, 4)) return "Header and footer versions do not match";
  for (const at of [28, 32, 36, 40])
    if (u32le(footer, at) !== u32le(header, at)) return "Footer specifies a different descriptor than header";
  if (allOnes64(footer, 56)) return "Footer indicates another footer";
  if (!isMarker(tail.subarray(0, SECTOR), MARKER_FOOTER, false)) return "Footer marker is invalid";
  if (!isMarker(tail.subarray(2 * SECTOR), 0, true)) return "End-of-stream marker is invalid";
  return null;
}

/** A marker sector: value (zero for end-of-stream), size 0, the type, then 496 zero bytes. */
function isMarker(s: Uint8Array, type: number, zeroValue: boolean): boolean {
  if (zeroValue && (u32le(s, 0) !== 0 || u32le(s, 4) !== 0)) return false;
  if (u32le(s, 8) !== 0 || u32le(s, 12) !== type) return false;
  for (let i = 16; i < SECTOR; i++) if (s[i] !== 0) return false;
  return true;
}
