// Web-download import URI filter (api-spec §9.3 item 9, OSSA-2026-004): scheme, credentials, port and non-public hosts.

export interface ImportUriOptions {
  /**
   * Hosts exempt from the port and address checks, as `host` (any port) or `host:port`; IPv6 in brackets
   * (`[::1]:8999`). For tests and explicitly trusted mirrors only. Scheme and credential rules still apply.
   */
  allowHosts: string[];
}

export type ImportUriCheck = { ok: true; url: URL } | { ok: false; reason: string };

const ALLOWED_SCHEMES = new Set(["http:", "https:"]);
const ALLOWED_PORTS = new Set([80, 443]);

/**
 * Judges a web-download URI before the importer fetches it.
 *
 * Scope and limits, by design:
 * * Only the URI text is judged. Workers cannot resolve DNS, so a DNS name is accepted unless it is a
 *   local-only name (localhost, *.local, single-label, …); a public name that resolves to a private
 *   address is not caught here.
 * * The importer must NOT let fetch() follow redirects blindly: fetch with `redirect: "manual"` and run
 *   every `Location` (resolved against the current URL) through checkImportUri with the same options,
 *   as Glance does since OSSA-2026-004.
 * * Callers must fetch `result.url` (the normalised URL), not the original string, so that what was
 *   checked is exactly what is requested.
 */
export function checkImportUri(uri: string, options: ImportUriOptions): ImportUriCheck {
  if (typeof uri !== "string" || uri.trim() === "") return { ok: false, reason: "the URI is empty" };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, reason: "the URI is not a valid absolute URL" };
  }
  if (!ALLOWED_SCHEMES.has(url.protocol)) {
    return { ok: false, reason: `scheme '${url.protocol.slice(0, -1)}' is not allowed (only http and https)` };
  }
  // Credentials would be sent to the remote host and logged with the task input; they also enable
  // `http://trusted@evil/` confusion.
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "credentials (user info) in the URI are not allowed" };
  }
  if (options.allowHosts.some((entry) => matchesAllowEntry(url, entry))) return { ok: true, url };
  // The URL parser drops a port equal to the scheme's default, so "" means 80 for http and 443 for https.
  if (url.port !== "" && !ALLOWED_PORTS.has(Number(url.port))) {
    return { ok: false, reason: `port ${url.port} is not allowed (only 80 and 443)` };
  }
  const refusal = hostRefusal(url.hostname);
  if (refusal !== null) return { ok: false, reason: refusal };
  return { ok: true, url };
}

/**
 * Why `host` must not be fetched, or null if it may be. Accepts the URL parser's normalised hostname and
 * also raw spellings the parser would normalise (2130706433, 0x7f.1, 0177.0.0.1, [::ffff:127.0.0.1], …),
 * so the check holds even if a host reaches it without going through `new URL()`.
 */
export function hostRefusal(host: string): string | null {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h === "") return "the URI has no host";
  if (h.includes(":")) {
    const groups = parseIPv6(h);
    if (groups === null) return `host ${host} is not a valid IPv6 address`;
    const why = ipv6Refusal(groups);
    return why === null ? null : `host ${host} is ${why}`;
  }
  // Trailing dots (the DNS root) change nothing about where a name points, for a resolver at least.
  const name = h.replace(/\.+$/, "");
  const v4 = parseIPv4(name);
  if (v4 !== null) {
    const why = ipv4Refusal(v4);
    return why === null ? null : `host ${host} is ${why}`;
  }
  // Same rule as the WHATWG host parser: a name whose last label looks numeric must be a valid IPv4
  // address. Anything else (09.1.1.1, 1.2.3.4.5, 4294967296) is ambiguous between resolvers: refuse it.
  if (/(^|\.)(\d+|0x[0-9a-f]*)$/.test(name)) return `host ${host} is a malformed numeric address`;
  const why = localNameRefusal(name);
  return why === null ? null : `host ${host} is ${why}`;
}

// ---------------------------------------------------------------------------------------------------
// IPv4
// ---------------------------------------------------------------------------------------------------

/**
 * IPv4 in every spelling inet_aton() and the WHATWG URL parser accept: 1 to 4 dot-separated parts,
 * each decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes (127.1 = 127.0.0.1,
 * 2130706433 = 127.0.0.1). Returns the address as an unsigned 32-bit number, or null if not an IPv4 form.
 */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length > 4 || parts.some((p) => p === "")) return null;
  const values: number[] = [];
  for (const part of parts) {
    let v: number;
    if (/^0x[0-9a-f]*$/i.test(part)) v = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) v = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) v = Number(part);
    else return null;
    if (!Number.isFinite(v)) return null;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  let n = last;
  for (const [i, v] of values.entries()) n += v * 256 ** (3 - i);
  return n;
}

interface Range4 {
  base: number;
  bits: number;
  what: string;
}

const range4 = (dotted: string, bits: number, what: string): Range4 => ({ base: parseIPv4(dotted)!, bits, what });

// Special-purpose IPv4 registry (RFC 6890 and successors): everything that is not a public unicast target.
// Broadcast comes before 240/4 so its reason is the specific one.
const REFUSED_V4: readonly Range4[] = [
  range4("0.0.0.0", 8, "an unspecified ('this network') address"),
  range4("10.0.0.0", 8, "a private address"),
  range4("100.64.0.0", 10, "a shared (CGNAT) address"),
  range4("127.0.0.0", 8, "a loopback address"),
  range4("169.254.0.0", 16, "a link-local address (cloud metadata service range)"),
  range4("172.16.0.0", 12, "a private address"),
  range4("192.0.0.0", 24, "a reserved (IETF protocol assignment) address"),
  range4("192.0.2.0", 24, "a reserved (documentation) address"),
  range4("192.88.99.0", 24, "a reserved (6to4 relay) address"),
  range4("192.168.0.0", 16, "a private address"),
  range4("198.18.0.0", 15, "a reserved (benchmarking) address"),
  range4("198.51.100.0", 24, "a reserved (documentation) address"),
  range4("203.0.113.0", 24, "a reserved (documentation) address"),
  range4("224.0.0.0", 4, "a multicast address"),
  range4("255.255.255.255", 32, "the broadcast address"),
  range4("240.0.0.0", 4, "a reserved address"),
];

function ipv4Refusal(addr: number): string | null {
  for (const r of REFUSED_V4) {
    // Compare the top `bits` bits; division keeps this exact for unsigned 32-bit values.
    const size = 2 ** (32 - r.bits);
    if (Math.floor(addr / size) === Math.floor(r.base / size)) return r.what;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// IPv6
// ---------------------------------------------------------------------------------------------------

/** Eight 16-bit groups, or null. Accepts `::` compression, a dotted-quad tail and a `%zone` suffix. */
function parseIPv6(text: string): number[] | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  const lastPart = s.slice(lastColon + 1);
  if (lastPart.includes(".")) {
    // Only strict dotted decimal is allowed inside IPv6, as in RFC 4291 and the WHATWG parser.
    if (!/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(lastPart)) return null;
    const n = parseIPv4(lastPart)!;
    tail = [Math.floor(n / 65536), n % 65536];
    s = s.slice(0, lastColon + 1);
    if (s.endsWith(":") && !s.endsWith("::")) s = s.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === null || rest === null) return null;
  const count = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (count > 7) return null;
    return [...head, ...new Array<number>(8 - count).fill(0), ...rest, ...tail];
  }
  return count === 8 ? [...head, ...tail] : null;
}

function ipv6Refusal(g: number[]): string | null {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const embedded = g6 * 65536 + g7;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const viaV4 = (kind: string) => {
    const why = ipv4Refusal(embedded);
    return why === null ? null : `${kind} embedding ${why}`;
  };
  if (zeroTo(8)) return "the unspecified IPv6 address";
  if (zeroTo(7) && g7 === 1) return "the IPv6 loopback address";
  // ::ffff:a.b.c.d reaches a.b.c.d itself on dual-stack sockets.
  if (zeroTo(5) && g5 === 0xffff) return viaV4("an IPv4-mapped address");
  // ::ffff:0:a.b.c.d (SIIT IPv4-translated) and 64:ff9b::a.b.c.d (NAT64) also land on the IPv4 address.
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return viaV4("an IPv4-translated address");
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return viaV4("a NAT64 address");
  // ::a.b.c.d, deprecated since RFC 4291; no legitimate server uses one.
  if (zeroTo(6)) return "a deprecated IPv4-compatible address";
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "a local-use NAT64 address";
  if (g0 === 0x2002) {
    // 6to4 carries the IPv4 address in groups 1-2.
    const why = ipv4Refusal(g1 * 65536 + g2);
    if (why !== null) return `a 6to4 address embedding ${why}`;
    return null;
  }
  if (g0 === 0x2001 && g1 === 0) return "a Teredo tunnel address";
  if (g0 === 0x2001 && g1 === 0xdb8) return "a reserved (documentation) address";
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "a discard-only address";
  if ((g0 & 0xfe00) === 0xfc00) return "a unique local (private) address";
  if ((g0 & 0xffc0) === 0xfe80) return "a link-local address";
  if ((g0 & 0xffc0) === 0xfec0) return "a site-local address";
  if ((g0 & 0xff00) === 0xff00) return "a multicast address";
  return null;
}

// ---------------------------------------------------------------------------------------------------
// DNS names
// ---------------------------------------------------------------------------------------------------

// Names that only ever resolve inside the host or its site (RFC 6761, RFC 6762, RFC 8375, the ICANN
// `.internal` reservation used by cloud metadata, e.g. metadata.google.internal).
const LOCAL_NAMES = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"]);
const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain"];

function localNameRefusal(name: string): string | null {
  if (LOCAL_NAMES.has(name) || LOCAL_SUFFIXES.some((s) => name.endsWith(s))) return "a local-only name";
  // A dotless name is completed from the resolver's search domains, i.e. names the internal network.
  if (!name.includes(".")) return "a single-label (intranet) name";
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Allow list
// ---------------------------------------------------------------------------------------------------

function matchesAllowEntry(url: URL, entry: string): boolean {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  if (!m) throw new TypeError(`invalid allowHosts entry '${entry}' (expected host or host:port)`);
  let hostname: string;
  try {
    // Normalise the entry exactly like the URI (case, IPv4 spellings, IPv6 compression).
    hostname = new URL(`http://${m[1]}/`).hostname;
  } catch {
    throw new TypeError(`invalid allowHosts entry '${entry}' (bad host)`);
  }
  if (stripDot(hostname) !== stripDot(url.hostname)) return false;
  if (m[2] === undefined) return true;
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return Number(m[2]) === port;
}

const stripDot = (h: string) => h.replace(/\.+$/, "");
