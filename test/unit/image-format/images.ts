// Hand-built image structures for rule-by-rule tests (the real images are the fixtures): each builder writes
// the fields the rule reads and nothing else, so a test states exactly what it changes.
import { crc32 } from "../../../src/domain/image-format/bytes";

export const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** A qcow2 header in a buffer of `length` bytes (big-endian fields; offsets from docs/interop/qcow2.txt). */
export function qcow2(
  o: {
    version?: number;
    backingOffset?: bigint;
    size?: bigint;
    clusterBits?: number;
    incompatible?: bigint;
    /** Header extensions as [type, data]. */
    extensions?: [number, Uint8Array][];
    length?: number;
  } = {},
): Uint8Array {
  const version = o.version ?? 3;
  const b = new Uint8Array(o.length ?? 1024);
  const v = view(b);
  b.set(enc("QFI\xfb"));
  v.setUint32(4, version);
  v.setBigUint64(8, o.backingOffset ?? 0n);
  v.setUint32(20, o.clusterBits ?? 16);
  v.setBigUint64(24, o.size ?? 1n << 30n);
  let at = 72;
  if (version >= 3) {
    v.setBigUint64(72, o.incompatible ?? 0n);
    v.setUint32(100, 112);
    at = 112;
  }
  for (const [type, data] of o.extensions ?? []) {
    v.setUint32(at, type);
    v.setUint32(at + 4, data.length);
    b.set(data, at + 8);
    at += 8 + Math.ceil(data.length / 8) * 8;
  }
  return b;
}

/** A VMDK sparse extent: 512-byte header, the descriptor at sector 1; `padTo` bytes in all (default: the header's). */
export function vmdk(o: {
  descriptor: string;
  version?: number;
  capacitySectors?: bigint;
  descSector?: bigint;
  descSectors?: bigint;
  gdOffset?: bigint;
  padTo?: number;
}): Uint8Array {
  const b = new Uint8Array(o.padTo ?? 512 + 512 * Number(o.descSectors ?? 20n));
  const v = view(b);
  b.set(enc("KDMV"));
  v.setUint32(4, o.version ?? 1, true);
  v.setBigUint64(12, o.capacitySectors ?? 2048n, true);
  v.setBigUint64(20, 128n, true);
  v.setBigUint64(28, o.descSector ?? 1n, true);
  v.setBigUint64(36, o.descSectors ?? 20n, true);
  v.setBigUint64(56, o.gdOffset ?? 21n, true);
  b.set(enc(o.descriptor), 512);
  return b;
}

export const sparseDescriptor = (extent = 'RW 2048 SPARSE "disk.vmdk"', type = "monolithicSparse") =>
  `# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="${type}"\n\n` +
  `# Extent description\n${extent}\n\n# The Disk Data Base\n#DDB\n\nddb.adapterType = "ide"\n`;

/** The three sectors a streamed VMDK ends with: footer marker, a copy of the header, end-of-stream marker. */
export function vmdkFooter(header: Uint8Array, edit: (footer: Uint8Array, markers: Uint8Array) => void = () => {}) {
  const tail = new Uint8Array(1536);
  view(tail).setUint32(12, 3, true);
  tail.set(header.subarray(0, 512), 512);
  view(tail).setBigUint64(512 + 56, 21n, true);
  edit(tail.subarray(512, 1024), tail);
  return tail;
}

export interface Pte {
  boot?: number;
  type: number;
  chs?: [number, number, number];
  startLba?: number;
  sectors?: number;
}

/** An MBR sector with up to four partition entries and the 0xAA55 signature. */
export function mbr(ptes: Pte[], edit: (m: Uint8Array) => void = () => {}): Uint8Array {
  const m = new Uint8Array(512);
  ptes.forEach((p, i) => {
    const at = 446 + 16 * i;
    m[at] = p.boot ?? 0;
    m.set(p.chs ?? [0, 2, 0], at + 1);
    m[at + 4] = p.type;
    view(m).setUint32(at + 8, p.startLba ?? 1, true);
    view(m).setUint32(at + 12, p.sectors ?? 0xffffffff, true);
  });
  m[510] = 0x55;
  m[511] = 0xaa;
  edit(m);
  return m;
}

export const PROTECTIVE: Pte = { type: 0xee, chs: [0, 2, 0], startLba: 1 };

/**
 * A GPT disk of `sectors` 512-byte sectors: protective MBR, header at LBA 1, 128 entries at LBA 2, the
 * partitions given as [first, last] LBAs. `edit` may change the header or entries before the CRCs are set
 * (set `keepCrcs` to break them on purpose).
 */
export function gptDisk(
  o: {
    partitions?: [number, number][];
    sectors?: number;
    sectorSize?: number;
    edit?: (header: DataView, entries: Uint8Array) => void;
    keepCrcs?: boolean;
  } = {},
): Uint8Array {
  const ss = o.sectorSize ?? 512;
  const sectors = o.sectors ?? 200;
  const disk = new Uint8Array(sectors * ss);
  disk.set(mbr([PROTECTIVE]));
  const entries = disk.subarray(2 * ss, 2 * ss + 128 * 128);
  (o.partitions ?? [[40, 100]]).forEach(([first, last], i) => {
    entries.set(
      [0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4],
      i * 128,
    );
    view(entries).setBigUint64(i * 128 + 32, BigInt(first), true);
    view(entries).setBigUint64(i * 128 + 40, BigInt(last), true);
  });
  const header = disk.subarray(ss, ss + 92);
  const h = view(header);
  header.set(enc("EFI PART"));
  h.setUint32(8, 0x10000, true);
  h.setUint32(12, 92, true);
  h.setBigUint64(24, 1n, true);
  h.setBigUint64(32, BigInt(sectors - 1), true);
  h.setBigUint64(40, 34n, true);
  h.setBigUint64(48, BigInt(sectors - 34), true);
  h.setBigUint64(72, 2n, true);
  h.setUint32(80, 128, true);
  h.setUint32(84, 128, true);
  o.edit?.(h, entries);
  if (!o.keepCrcs) {
    h.setUint32(88, crc32(0, disk.subarray(h.getUint32(72, true) * ss, h.getUint32(72, true) * ss + 16384)), true);
    h.setUint32(16, 0, true);
    h.setUint32(16, crc32(0, header), true);
  }
  return disk;
}

/** A VHD footer (big-endian): disk type, creator application, CHS geometry, current size; checksum set. */
export function vhdFooter(o: { type?: number; creator?: string; chs?: [number, number, number]; size?: bigint } = {}) {
  const f = new Uint8Array(512);
  const v = view(f);
  f.set(enc("conectix"));
  f.set(enc(o.creator ?? "qemu"), 28);
  v.setBigUint64(40, o.size ?? 1048576n);
  v.setBigUint64(48, o.size ?? 1048576n);
  const [c, h, s] = o.chs ?? [31, 4, 17];
  v.setUint16(56, c);
  f[58] = h;
  f[59] = s;
  v.setUint32(60, o.type ?? 3);
  let sum = 0;
  for (const x of f) sum += x;
  v.setUint32(64, ~sum >>> 0);
  return f;
}

const guid = (text: string) => {
  const hex = text.replaceAll("-", "");
  const raw = Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  return Uint8Array.from([3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15], (i) => raw[i]!);
};

/** A VHDX skeleton: identifier, region table at 192 KiB, metadata table and items at `metadataAt`. */
export function vhdx(
  o: { metadataAt?: number; size?: bigint; hasParent?: boolean; itemOffset?: number; regions?: number } = {},
) {
  const meta = o.metadataAt ?? 0x100000;
  const item = o.itemOffset ?? 0x10000;
  const b = new Uint8Array(Math.max(meta, 0x40000) + Math.max(item, 128) + 64);
  const v = view(b);
  b.set(enc("vhdxfile"));
  const rt = 192 * 1024;
  v.setUint32(rt, 0x69676572, true);
  v.setUint32(rt + 8, o.regions ?? 1, true);
  b.set(guid("8B7CA206-4790-4B9A-B8FE-575F050F886E"), rt + 16);
  v.setBigUint64(rt + 32, BigInt(meta), true);
  v.setUint32(rt + 40, 0x100000, true);
  if (meta + item + 16 <= b.length && meta >= 0) {
    b.set(enc("metadata"), meta);
    v.setUint16(meta + 10, 2, true);
    b.set(guid("2FA54224-CD1B-4876-B211-5DBED83BF4B8"), meta + 32);
    v.setUint32(meta + 48, item, true);
    v.setUint32(meta + 52, 8, true);
    b.set(guid("CAA16737-FA36-4D43-B3B6-33F0AA44E76B"), meta + 64);
    v.setUint32(meta + 80, item + 8, true);
    v.setUint32(meta + 84, 8, true);
    v.setBigUint64(meta + item, o.size ?? 1n << 30n, true);
    v.setUint32(meta + item + 12, o.hasParent ? 2 : 0, true);
  }
  return b;
}

/** 32 KiB of zeros, then one ISO 9660 / UDF volume descriptor, then padding. */
export function iso(
  o: { id?: string; type?: number; blocks?: number; blockSize?: number; systemArea?: Uint8Array } = {},
) {
  const b = new Uint8Array(36 * 1024);
  if (o.systemArea) b.set(o.systemArea);
  const d = 32 * 1024;
  b[d] = o.type ?? 1;
  b.set(enc(o.id ?? "CD001"), d + 1);
  view(b).setUint32(d + 80, o.blocks ?? 18, true);
  view(b).setUint16(d + 128, o.blockSize ?? 2048, true);
  return b;
}

/** A LUKS header (big-endian) with the payload at `payloadSectors`, followed by `payload` bytes. */
export function luks(o: { version?: number; payloadSectors?: number; payload?: number } = {}): Uint8Array {
  const sectors = o.payloadSectors ?? 8;
  const b = new Uint8Array(sectors * 512 + (o.payload ?? 4096));
  b.set(enc("LUKS\xba\xbe"));
  view(b).setUint16(6, o.version ?? 1);
  view(b).setUint32(104, sectors);
  return b;
}

/** A seeded generator of block sizes, for cutting a stream at arbitrary places. */
export function cuts(seed: number, max: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return 1 + ((x >>> 0) % max);
  };
}
