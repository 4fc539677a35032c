// VirtualBox VDI: a 512-byte little-endian header with the signature at 0x40 and the disk size at 0x170.
import type { ByteTap } from "./byte-tap";
import { u32le, u64le } from "./bytes";
import { type Probe, type SafetyFailure, sizeOrFailure } from "./probe";

const SIGNATURE = 0xbeda107f;

export function vdiProbe(tap: ByteTap): Probe {
  // oslo.utils matches only a whole header; so do we (the size field sits near its end).
  const head = tap.capture(0, 512)!;
  return {
    finish() {
      if (!head.complete || u32le(head.bytes, 0x40) !== SIGNATURE) return null;
      const failures: SafetyFailure[] = [];
      const virtualSize = sizeOrFailure(u64le(head.bytes, 0x170), failures);
      return { format: "vdi", virtualSize, failures };
    },
  };
}
