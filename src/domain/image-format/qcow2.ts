// qcow2 (and the old qcow v1, which shares the magic): virtual size from the header, and oslo.utils' checks
// for a backing file, an external data file and incompatible features qemu may not understand.
import type { ByteTap, Captured } from "./byte-tap";
import { hasTag, u32be, u64be } from "./bytes";
import { type FormatReport, fail, type Probe, type SafetyFailure, sizeOrFailure } from "./probe";

// Big-endian header (qemu docs/interop/qcow2.txt): magic 0, version 4, backing_file_offset 8, cluster_bits 20,
// size 24, incompatible_features 72 (v3), header_length 100 (v3).
const MAGIC = "QFI\xfb";
const HEAD = 512;
/** Header extensions live in the first cluster; we read at most this much of it (they are a few hundred bytes). */
const EXTENSION_AREA_MAX = 64 * 1024;
const EXT_DATA_FILE = 0x44415441;
/** Incompatible feature bits oslo.utils knows: dirty, corrupt, external data file, compression type. */
const KNOWN_INCOMPATIBLE = 0x0f;
const INCOMPAT_DATA_FILE = 0x04;

export function qcow2Probe(tap: ByteTap): Probe {
  let area: Uint8Array | null = null;
  let areaFilled = 0;
  const head: Captured = tap.capture(0, HEAD, (h) => {
    if (!hasTag(h, 0, MAGIC)) return;
    // The extension area ends with the first cluster (qemu reads no further), capped for memory.
    const clusterBits = u32be(h, 20);
    const areaSize = clusterBits >= 9 && clusterBits <= 21 ? Math.min(2 ** clusterBits, EXTENSION_AREA_MAX) : HEAD;
    const buf = tap.alloc(areaSize);
    buf.set(h);
    areaFilled = HEAD;
    area = buf;
    tap.stream(HEAD, areaSize - HEAD, (slice, at) => {
      buf.set(slice, HEAD + at);
      areaFilled = HEAD + at + slice.length;
      return true;
    });
  })!;
  return {
    finish(): FormatReport | null {
      const h = head.bytes;
      if (head.filled < MAGIC.length || !hasTag(h, 0, MAGIC)) return null;
      const version = u32be(h, 4);
      const subformat = version === 2 || version === 3 ? `v${version}` : undefined;
      if (!head.complete) {
        return {
          format: "qcow2",
          subformat,
          virtualSize: null,
          failures: [fail("header", "Image header is truncated")],
        };
      }
      const failures: SafetyFailure[] = [];
      if (u64be(h, 8) !== 0) failures.push(fail("backing_file", "Image has a backing file"));
      const dataFileBit = version === 3 && (h[79]! & INCOMPAT_DATA_FILE) !== 0;
      if (dataFileBit || hasDataFileExtension(area ?? h, areaFilled, version))
        failures.push(fail("data_file", "Image has data_file set"));
      const features = unknownFeatures(h, version);
      if (features) failures.push(fail("unknown_features", features));
      const virtualSize = sizeOrFailure(u64be(h, 24), failures);
      return { format: "qcow2", subformat, virtualSize, failures };
    },
  };
}

/** oslo.utils' check_unknown_features: v2 has no feature bits; v3 may set only the bits it knows. */
function unknownFeatures(h: Uint8Array, version: number): string | null {
  if (version === 2) return null;
  if (version !== 3) return "Unsupported qcow2 version";
  for (let i = 72; i < 79; i++) if (h[i] !== 0) return "Unknown QCOW2 features found";
  return (h[79]! & ~KNOWN_INCOMPATIBLE) !== 0 ? "Unknown QCOW2 features found" : null;
}

/**
 * Defence in depth beyond oslo.utils: a header extension naming an external data file refuses the image even
 * without the feature bit (qemu ignores it then, but nothing legitimate writes one).
 */
function hasDataFileExtension(area: Uint8Array, filled: number, version: number): boolean {
  let at = version === 3 ? u32be(area, 100) : 72;
  if (version === 3 && at < 104) return false;
  while (at + 8 <= filled) {
    const type = u32be(area, at);
    if (type === 0) return false;
    if (type === EXT_DATA_FILE) return true;
    at += 8 + Math.ceil(u32be(area, at + 4) / 8) * 8;
  }
  return false;
}
