// QED: recognised only to be refused (oslo.utils bans it: nobody supports it and it can name a backing file).
import type { ByteTap } from "./byte-tap";
import { hasTag, u64le } from "./bytes";
import { fail, type Probe } from "./probe";

export function qedProbe(tap: ByteTap): Probe {
  const head = tap.capture(0, 64)!;
  return {
    finish() {
      if (head.filled < 4 || !hasTag(head.bytes, 0, "QED\0")) return null;
      // image_size (little-endian at 48) is what qemu-img shows; informative only, the image is refused anyway.
      const size = head.complete ? u64le(head.bytes, 48) : Number.NaN;
      return {
        format: "qed",
        virtualSize: Number.isSafeInteger(size) ? size : null,
        failures: [fail("banned", "This file format is not allowed")],
      };
    },
  };
}
