// The disk-image fixtures (built by scripts/fixtures/make-format-fixtures.sh) and what the manifest expects.
import { env } from "cloudflare:workers";
import manifest from "../fixtures/image-formats/manifest.json";

export interface ClaimVerdict {
  accepted: boolean;
  virtual_size?: number | null;
  message?: string;
}

export interface FormatFixture {
  file: string;
  bytes: number;
  about: string;
  /** What `qemu-img info --output=json` says (probing the format), or why it cannot open the file. */
  qemu: { format?: string; virtual_size?: number; error?: string };
  /** The format the inspector must settle on; null when several match and none wins. */
  format: string | null;
  matches: string[];
  /** Names of the safety checks that must fail. */
  failures: string[];
  /** Verdict expected for each claimed disk_format. */
  claims: Record<string, ClaimVerdict>;
}

export const FORMAT_FIXTURES = manifest.fixtures as unknown as FormatFixture[];

const offsets = new Map<string, number>();
let at = 0;
for (const f of FORMAT_FIXTURES) {
  offsets.set(f.file, at);
  at += f.bytes;
}

/** A fixture's bytes (a view into the blob the test config binds). */
export function fixtureBytes(file: string): Uint8Array {
  const f = FORMAT_FIXTURES.find((x) => x.file === file);
  const offset = offsets.get(file);
  if (!f || offset === undefined) throw new Error(`no fixture ${file}`);
  return new Uint8Array(env.FORMAT_FIXTURES, offset, f.bytes);
}
