// GPT and MBR disks (oslo.utils calls both "gpt"): the MBR's partition entries as oslo.utils checks them, and,
// beyond oslo.utils, a primary GPT header found behind a protective MBR and its partition entries (CRCs, bounds).
import type { ByteTap, Captured } from "./byte-tap";
import { crc32, hasTag, u16le, u32le, u64le } from "./bytes";
import { type FormatReport, fail, type Probe, type SafetyFailure } from "./probe";

const SECTOR = 512;
const PTE_START = 446;
const PROTECTIVE = 0xee;
/** Sector sizes whose LBA 1 may hold the GPT header (512-byte and 4Kn disks). */
const SECTOR_SIZES = [512, 4096];
/** The spec reserves 16 KiB; this bounds the bytes we checksum however large a header says the array is. */
const MAX_ENTRY_ARRAY = 4 * 1024 * 1024;

export function gptProbe(tap: ByteTap): Probe {
  let gptProblem: string | null = null;
  let entriesChecked = false;
  const headers: Captured[] = [];
  const mbr = tap.capture(0, SECTOR, (m) => {
    if (!isMbr(m) || !hasProtectivePartition(m)) return;
    for (const size of SECTOR_SIZES) headers.push(tap.capture(size, SECTOR, (h) => header(h, size))!);
  })!;
  let headerFound = false;

  function header(h: Uint8Array, sectorSize: number): void {
    if (headerFound || !hasTag(h, 0, "EFI PART")) return;
    headerFound = true;
    gptProblem = headerProblem(h);
    if (gptProblem) return;
    const start = u64le(h, 72) * sectorSize;
    const count = u32le(h, 80);
    const entrySize = u32le(h, 84);
    if (count * entrySize > MAX_ENTRY_ARRAY) {
      gptProblem = "GPT partition entry array is too large";
      return;
    }
    const first = u64le(h, 40);
    const last = u64le(h, 48);
    const expected = u32le(h, 88);
    const entry = new Uint8Array(48);
    let crc = 0;
    let index = 0;
    const ok = tap.stream(
      start,
      count * entrySize,
      (slice, at) => {
        crc = crc32(crc, slice);
        for (let i = 0; i < slice.length; i++) {
          const inEntry = (at + i) % entrySize;
          if (inEntry < 48) entry[inEntry] = slice[i]!;
          if (inEntry === entrySize - 1) {
            if (!gptProblem && !entryValid(entry, first, last)) gptProblem = `GPT partition entry ${index} is invalid`;
            index++;
          }
        }
        return true;
      },
      () => {
        entriesChecked = true;
        if (!gptProblem && crc !== expected) gptProblem = "GPT partition entries checksum is invalid";
      },
    );
    if (!ok) gptProblem = "GPT partition entries lie before the GPT header";
  }

  return {
    finish(end): FormatReport | null {
      if (!mbr.complete || !isMbr(mbr.bytes)) return null;
      const failures: SafetyFailure[] = [];
      const problem = mbrProblem(mbr.bytes);
      if (problem) failures.push(fail("mbr", problem));
      // No GPT header behind a protective MBR is no failure: oslo.utils checks only the MBR, and Glance takes
      // such a disk (its own "stub GPT" test). A header that is there must be valid, entries included.
      if (headerFound) {
        const gpt = gptProblem ?? (entriesChecked ? null : "GPT partition entries are truncated");
        if (gpt) failures.push(fail("gpt", gpt));
      }
      // qemu-img sees a partitioned disk as raw: its virtual size is its length.
      return { format: "gpt", subformat: headers.length ? "gpt" : "mbr", virtualSize: end.size, failures };
    },
  };
}

/** The 0xAA55 boot signature, and not a FAT boot sector (which has one too: oslo.utils' exclusion). */
function isMbr(m: Uint8Array): boolean {
  const fat = m[0x10] === 2 && m[0x15] === 0xf8;
  return u16le(m, 510) === 0xaa55 && !fat;
}

function hasProtectivePartition(m: Uint8Array): boolean {
  for (let i = 0; i < 4; i++) if (m[PTE_START + 16 * i + 4] === PROTECTIVE) return true;
  return false;
}

/** oslo.utils' check_mbr_partitions, with its messages. */
function mbrProblem(m: Uint8Array): string | null {
  const used: number[] = [];
  let protective = false;
  for (let i = 0; i < 4; i++) {
    const p = PTE_START + 16 * i;
    if (m[p] !== 0x00 && m[p] !== 0x80) return `MBR PTE ${i} has invalid boot flag`;
    const type = m[p + 4]!;
    if (type !== 0) used.push(i);
    if (type === PROTECTIVE) {
      protective = true;
      if (m[p + 1] !== 0x00 || m[p + 2] !== 0x02 || m[p + 3] !== 0x00) return "GPT MBR has invalid start CHS";
      if (u32le(m, p + 8) !== 1) return "GPT MBR has invalid start LBA";
    }
  }
  if (protective && (used.length !== 1 || used[0] !== 0)) return "GPT MBR defines invalid extra partitions";
  if (!used.length) return "GPT MBR has no partitions defined";
  return null;
}

/** The UEFI validity rules for a primary header (UEFI 2.10 section 5.3.2), except the backup's location. */
function headerProblem(h: Uint8Array): string | null {
  const size = u32le(h, 12);
  if (size < 92 || size > SECTOR) return "GPT header is invalid";
  const copy = h.slice(0, size);
  copy.fill(0, 16, 20);
  if (crc32(0, copy) !== u32le(h, 16)) return "GPT header checksum is invalid";
  const entrySize = u32le(h, 84);
  const first = u64le(h, 40);
  const last = u64le(h, 48);
  const entries = u64le(h, 72);
  const valid =
    u64le(h, 24) === 1 &&
    entrySize >= 128 &&
    (entrySize & (entrySize - 1)) === 0 &&
    entries >= 2 &&
    first <= last + 1 &&
    Number.isSafeInteger(last);
  return valid ? null : "GPT header is invalid";
}

/** An unused entry (zero type GUID) is fine; a used one must lie inside the usable LBAs, first <= last. */
function entryValid(e: Uint8Array, firstUsable: number, lastUsable: number): boolean {
  let used = false;
  for (let i = 0; i < 16; i++) if (e[i] !== 0) used = true;
  if (!used) return true;
  const first = u64le(e, 32);
  const last = u64le(e, 40);
  return first <= last && first >= firstUsable && last <= lastUsable;
}
