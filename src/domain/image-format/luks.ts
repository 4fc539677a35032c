// LUKS (version 1, as oslo.utils and qemu support): the payload after the header is the disk, so the virtual
// size is what follows the payload offset. Nothing is decrypted: Glance passes no passphrase.
import type { ByteTap } from "./byte-tap";
import { hasTag, u16be, u32be } from "./bytes";
import { type FormatReport, fail, type Probe, type SafetyFailure } from "./probe";

// Big-endian header: magic 0 (6 bytes), version 6, cipher name 8, cipher mode 40, hash 72, payload offset 104
// (in 512-byte sectors).
const MAGIC = "LUKS\xba\xbe";

export function luksProbe(tap: ByteTap): Probe {
  const head = tap.capture(0, 112)!;
  return {
    finish(end): FormatReport | null {
      const h = head.bytes;
      if (head.filled < MAGIC.length || !hasTag(h, 0, MAGIC)) return null;
      if (!head.complete)
        return { format: "luks", virtualSize: null, failures: [fail("header", "Image header is truncated")] };
      const failures: SafetyFailure[] = [];
      const version = u16be(h, 6);
      if (version !== 1) failures.push(fail("version", `LUKS version ${version} is not supported`));
      const payload = u32be(h, 104) * 512;
      if (payload > end.size) failures.push(fail("header", "LUKS payload lies beyond the end of the image"));
      const virtualSize = version === 1 && payload <= end.size ? end.size - payload : null;
      return { format: "luks", subformat: `v${version}`, virtualSize, failures };
    },
  };
}
