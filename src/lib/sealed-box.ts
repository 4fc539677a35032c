// SealedBox: AES-GCM with a key derived (HKDF-SHA-256) from a secret, for a credential that must cross a queue.

const enc = new TextEncoder();
const IV_BYTES = 12;

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Seals short texts so that whoever reads the queue message (or a dead-letter copy of it) learns nothing
 * without the secret; `purpose` separates the keys of different uses of one secret.
 */
export class SealedBox {
  private key: Promise<CryptoKey> | null = null;

  constructor(
    private readonly secret: string,
    private readonly purpose: string,
  ) {}

  private cryptoKey(): Promise<CryptoKey> {
    this.key ??= (async () => {
      const raw = await crypto.subtle.importKey("raw", enc.encode(this.secret), "HKDF", false, ["deriveKey"]);
      const params = {
        name: "HKDF",
        hash: "SHA-256",
        salt: enc.encode("glance-workers"),
        info: enc.encode(this.purpose),
      };
      return crypto.subtle.deriveKey(params, raw, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    })();
    return this.key;
  }

  async seal(plain: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await this.cryptoKey(), enc.encode(plain));
    const out = new Uint8Array(IV_BYTES + sealed.byteLength);
    out.set(iv);
    out.set(new Uint8Array(sealed), IV_BYTES);
    return toBase64(out);
  }

  /** The sealed text, or null when it was not sealed with this secret and purpose (or was tampered with). */
  async open(sealed: string): Promise<string | null> {
    const bytes = fromBase64(sealed);
    if (!bytes || bytes.length <= IV_BYTES) return null;
    try {
      const iv = bytes.subarray(0, IV_BYTES);
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv },
        await this.cryptoKey(),
        bytes.subarray(IV_BYTES),
      );
      return new TextDecoder().decode(plain);
    } catch {
      return null;
    }
  }
}
