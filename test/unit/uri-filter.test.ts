// checkImportUri / hostRefusal: web-download URI filtering (scheme, credentials, port, internal hosts in every spelling).
import { describe, expect, it } from "vitest";
import { checkImportUri, hostRefusal, parseIPv4 } from "../../src/domain/uri-filter";

const NO_ALLOW = { allowHosts: [] };
const check = (uri: string, allowHosts: string[] = []) => checkImportUri(uri, { allowHosts });
const reasonOf = (uri: string, allowHosts: string[] = []) => {
  const r = check(uri, allowHosts);
  return r.ok ? null : r.reason;
};

describe("allowed URIs", () => {
  it.each([
    [
      "https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img",
      "https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img",
    ],
    ["http://example.com/image.qcow2?x=1#frag", "http://example.com/image.qcow2?x=1#frag"],
    ["HTTP://Example.COM:80/a", "http://example.com/a"],
    ["http://example.com:443/a", "http://example.com:443/a"],
    ["https://example.com:443/a", "https://example.com/a"],
    ["https://example.com:80/a", "https://example.com:80/a"],
    ["http://example.com./a", "http://example.com./a"],
    ["http://8.8.8.8/a", "http://8.8.8.8/a"],
    ["http://172.32.0.1/", "http://172.32.0.1/"],
    ["http://172.15.255.255/", "http://172.15.255.255/"],
    ["http://100.128.0.1/", "http://100.128.0.1/"],
    ["http://[2606:4700:4700::1111]/", "http://[2606:4700:4700::1111]/"],
    ["http://[::ffff:8.8.8.8]/", "http://[::ffff:808:808]/"],
    ["http://[64:ff9b::8.8.8.8]/", "http://[64:ff9b::808:808]/"],
    ["http://[2002:808:808::1]/", "http://[2002:808:808::1]/"],
    ["http://@example.com/", "http://example.com/"],
  ])("%s", (uri, href) => {
    const r = check(uri);
    expect(r).toMatchObject({ ok: true });
    // Callers fetch the normalised URL, so it is what the check looked at.
    if (r.ok) expect(r.url.href).toBe(href);
  });
});

describe("malformed URIs", () => {
  it.each(["", "   ", "not a url", "/relative/path", "http://", "http://ex ample.com/", "http://example.com:99999/"])(
    "%j is refused as invalid",
    (uri) => {
      expect(reasonOf(uri)).toMatch(/empty|not a valid absolute URL/);
    },
  );

  it("non-string input (a JSON number or null in the request body) is refused, not thrown", () => {
    expect(checkImportUri(42 as unknown as string, NO_ALLOW)).toEqual({ ok: false, reason: "the URI is empty" });
    expect(checkImportUri(null as unknown as string, NO_ALLOW)).toEqual({ ok: false, reason: "the URI is empty" });
  });
});

describe("scheme", () => {
  it.each([
    ["ftp://example.com/x.img", "ftp"],
    ["file:///etc/passwd", "file"],
    ["gopher://example.com/", "gopher"],
    ["data:text/plain,hello", "data"],
    ["javascript:alert(1)", "javascript"],
    ["ws://example.com/", "ws"],
    ["swift+config://ref1/glance/x", "swift+config"],
    ["filesystem:///var/lib/glance/images/x", "filesystem"],
  ])("%s -> refused", (uri, scheme) => {
    expect(reasonOf(uri)).toBe(`scheme '${scheme}' is not allowed (only http and https)`);
  });
});

describe("credentials", () => {
  it.each([
    "http://user:secret@example.com/x",
    "http://user@example.com/x",
    "http://:secret@example.com/x",
    // Looks like host 127.0.0.1 port 80, is user "127.0.0.1" with password "80" at evil.com.
    "http://127.0.0.1:80@evil.com/x",
  ])("%s -> refused", (uri) => {
    expect(reasonOf(uri)).toBe("credentials (user info) in the URI are not allowed");
  });

  it("credentials are refused even for an allow-listed host", () => {
    expect(reasonOf("http://u:p@127.0.0.1:8999/", ["127.0.0.1"])).toMatch(/credentials/);
  });
});

describe("port", () => {
  it.each([
    "http://example.com:8080/",
    "https://example.com:8443/",
    "http://example.com:22/",
    "http://example.com:0/",
    "http://8.8.8.8:6379/",
  ])("%s -> refused", (uri) => {
    expect(reasonOf(uri)).toMatch(/^port \d+ is not allowed \(only 80 and 443\)$/);
  });
});

// Each IPv4 spelling of 127.0.0.1 that inet_aton-style resolvers accept. workerd's URL parser (WHATWG)
// turns all of them into 127.0.0.1, so they are refused through the normalised host; hostRefusal must
// also refuse the raw spelling, for a host that never went through `new URL()`.
const LOOPBACK_SPELLINGS = [
  "127.0.0.1",
  "2130706433",
  "0x7f000001",
  "0x7F000001",
  "0x7f.0.0.1",
  "0x7f.1",
  "017700000001",
  "0177.0.0.1",
  "0177.0.1",
  "127.1",
  "127.0.1",
  "127.0.0.1.",
  "127.000.000.001",
  "0x7f.0x0.0x0.0x1",
  "127.255.255.254",
];

describe("loopback in alternative IPv4 spellings", () => {
  it.each(LOOPBACK_SPELLINGS)("URL path: http://%s/ is normalised to a 127/8 address and refused", (spelling) => {
    const host = new URL(`http://${spelling}/`).hostname;
    expect(host).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(reasonOf(`http://${spelling}/img`)).toBe(`host ${host} is a loopback address`);
  });

  it.each(LOOPBACK_SPELLINGS)("raw path: hostRefusal(%j) refuses the spelling itself", (spelling) => {
    expect(hostRefusal(spelling)).toBe(`host ${spelling} is a loopback address`);
  });

  it("percent-encoded and full-width digits are decoded by the URL parser before the check", () => {
    expect(reasonOf("http://%31%32%37.0.0.1/")).toBe("host 127.0.0.1 is a loopback address");
    expect(reasonOf("http://０ｘ７ｆ.0.0.1/")).toBe("host 127.0.0.1 is a loopback address");
  });

  it("numeric-looking hosts that are not valid IPv4 are refused, not treated as DNS names", () => {
    for (const raw of ["09.1.1.1", "1.2.3.4.5", "4294967296", "0x100000000", "256.1.1.1"]) {
      expect(hostRefusal(raw), raw).not.toBeNull();
    }
    // workerd's parser rejects these URLs outright.
    expect(reasonOf("http://4294967296/")).toMatch(/not a valid absolute URL/);
    expect(reasonOf("http://09.1.1.1/")).toMatch(/not a valid absolute URL/);
  });
});

describe("parseIPv4", () => {
  it.each([
    ["1.2.3.4", 0x01020304],
    ["0", 0],
    ["0x", 0],
    ["4294967295", 0xffffffff],
    ["0xffffffff", 0xffffffff],
    ["037777777777", 0xffffffff],
    ["1.2.772", 0x01020304],
    ["1.131844", 0x01020304],
    ["010.0x10.16.0", 0x08101000],
  ])("%s = %i", (text, value) => {
    expect(parseIPv4(text)).toBe(value);
  });

  it.each(["", "1.2.3.4.5", "256.0.0.1", "1.2.65536", "4294967296", "08", "1..2", "a.b.c.d", "example.com", "-1"])(
    "%j is not IPv4",
    (text) => {
      expect(parseIPv4(text)).toBeNull();
    },
  );
});

describe("non-public IPv4 ranges", () => {
  it.each([
    ["0.0.0.0", "an unspecified ('this network') address"],
    ["0", "an unspecified ('this network') address", "0.0.0.0"],
    ["0.1.2.3", "an unspecified ('this network') address"],
    ["10.0.0.1", "a private address"],
    ["10.255.255.255", "a private address"],
    ["012.0.0.1", "a private address", "10.0.0.1"],
    ["172.16.0.1", "a private address"],
    ["172.31.255.255", "a private address"],
    ["192.168.1.1", "a private address"],
    ["3232235777", "a private address", "192.168.1.1"],
    ["100.64.0.1", "a shared (CGNAT) address"],
    ["100.127.255.255", "a shared (CGNAT) address"],
    ["169.254.169.254", "a link-local address (cloud metadata service range)"],
    ["0xa9fea9fe", "a link-local address (cloud metadata service range)", "169.254.169.254"],
    ["169.254.0.1", "a link-local address (cloud metadata service range)"],
    ["224.0.0.1", "a multicast address"],
    ["239.255.255.250", "a multicast address"],
    ["255.255.255.255", "the broadcast address"],
    ["240.0.0.1", "a reserved address"],
    ["192.0.0.8", "a reserved (IETF protocol assignment) address"],
    ["192.0.2.1", "a reserved (documentation) address"],
    ["198.51.100.7", "a reserved (documentation) address"],
    ["203.0.113.9", "a reserved (documentation) address"],
    ["198.18.0.1", "a reserved (benchmarking) address"],
    ["192.88.99.1", "a reserved (6to4 relay) address"],
  ])("http://%s/ -> %s", (spelling, what, normalised = spelling) => {
    expect(reasonOf(`http://${spelling}/`)).toBe(`host ${normalised} is ${what}`);
    expect(hostRefusal(spelling)).toBe(`host ${spelling} is ${what}`);
  });
});

describe("IPv6", () => {
  it.each([
    ["[::1]", "[::1]", "the IPv6 loopback address"],
    ["[0:0:0:0:0:0:0:1]", "[::1]", "the IPv6 loopback address"],
    ["[::]", "[::]", "the unspecified IPv6 address"],
    ["[fc00::1]", "[fc00::1]", "a unique local (private) address"],
    ["[fd12:3456:789a::1]", "[fd12:3456:789a::1]", "a unique local (private) address"],
    ["[fe80::1]", "[fe80::1]", "a link-local address"],
    ["[febf:ffff::1]", "[febf:ffff::1]", "a link-local address"],
    ["[fec0::1]", "[fec0::1]", "a site-local address"],
    ["[ff02::1]", "[ff02::1]", "a multicast address"],
    ["[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "an IPv4-mapped address embedding a loopback address"],
    ["[::ffff:7f00:1]", "[::ffff:7f00:1]", "an IPv4-mapped address embedding a loopback address"],
    ["[::ffff:10.1.2.3]", "[::ffff:a01:203]", "an IPv4-mapped address embedding a private address"],
    [
      "[::ffff:169.254.169.254]",
      "[::ffff:a9fe:a9fe]",
      "an IPv4-mapped address embedding a link-local address (cloud metadata service range)",
    ],
    ["[::ffff:0:127.0.0.1]", "[::ffff:0:7f00:1]", "an IPv4-translated address embedding a loopback address"],
    ["[64:ff9b::127.0.0.1]", "[64:ff9b::7f00:1]", "a NAT64 address embedding a loopback address"],
    ["[64:ff9b:1::1]", "[64:ff9b:1::1]", "a local-use NAT64 address"],
    ["[::127.0.0.1]", "[::7f00:1]", "a deprecated IPv4-compatible address"],
    ["[2002:7f00:1::]", "[2002:7f00:1::]", "a 6to4 address embedding a loopback address"],
    ["[2001:0:4136:e378::1]", "[2001:0:4136:e378::1]", "a Teredo tunnel address"],
    ["[2001:db8::1]", "[2001:db8::1]", "a reserved (documentation) address"],
    ["[100::1]", "[100::1]", "a discard-only address"],
  ])("http://%s/ -> refused", (literal, normalised, what) => {
    expect(new URL(`http://${literal}/`).hostname).toBe(normalised);
    expect(reasonOf(`http://${literal}/`)).toBe(`host ${normalised} is ${what}`);
    expect(hostRefusal(literal)).toBe(`host ${literal} is ${what}`);
  });

  it("raw IPv6 without brackets and with a zone id is classified too", () => {
    expect(hostRefusal("::1")).toBe("host ::1 is the IPv6 loopback address");
    expect(hostRefusal("fe80::1%eth0")).toBe("host fe80::1%eth0 is a link-local address");
    expect(hostRefusal("FE80::1")).toBe("host FE80::1 is a link-local address");
    expect(hostRefusal("2606:4700:4700::1111")).toBeNull();
  });

  it("malformed IPv6 is refused", () => {
    for (const raw of [
      "[1::2::3]",
      "[12345::1]",
      "[1:2:3:4:5:6:7:8:9]",
      "[1:2:3]",
      "[::1.2.3]",
      "[::ffff:1.2.3.256]",
      "[g::1]",
    ]) {
      expect(hostRefusal(raw), raw).toBe(`host ${raw} is not a valid IPv6 address`);
    }
  });
});

describe("host names", () => {
  it.each([
    ["localhost", "localhost", "a local-only name"],
    ["LOCALHOST.", "localhost.", "a local-only name"],
    ["localhost..", "localhost..", "a local-only name"],
    ["foo.localhost", "foo.localhost", "a local-only name"],
    ["localhost.localdomain", "localhost.localdomain", "a local-only name"],
    ["ip6-localhost", "ip6-localhost", "a local-only name"],
    ["metadata.google.internal", "metadata.google.internal", "a local-only name"],
    ["printer.local", "printer.local", "a local-only name"],
    ["router.home.arpa", "router.home.arpa", "a local-only name"],
    ["intranet", "intranet", "a single-label (intranet) name"],
    ["metadata", "metadata", "a single-label (intranet) name"],
  ])("http://%s/ -> refused", (raw, normalised, what) => {
    expect(reasonOf(`http://${raw}/x`)).toBe(`host ${normalised} is ${what}`);
  });

  it("public DNS names are accepted (they cannot be resolved in a Worker)", () => {
    for (const name of [
      "example.com",
      "images.example.org",
      "localhost.example.com",
      "internal.example.com",
      "127.0.0.1.nip.io",
    ]) {
      expect(check(`https://${name}/i.img`), name).toMatchObject({ ok: true });
    }
  });
});

describe("allowHosts", () => {
  it("lets 127.0.0.1:8999 through for tests, on any port when the entry has none", () => {
    expect(check("http://127.0.0.1:8999/cirros.img", ["127.0.0.1"])).toMatchObject({ ok: true });
    expect(check("http://127.0.0.1/cirros.img", ["127.0.0.1"])).toMatchObject({ ok: true });
    expect(reasonOf("http://127.0.0.1:8999/cirros.img")).toBe("port 8999 is not allowed (only 80 and 443)");
  });

  it("a host:port entry allows only that port (default ports count)", () => {
    const allow = ["127.0.0.1:8999"];
    expect(check("http://127.0.0.1:8999/x", allow)).toMatchObject({ ok: true });
    expect(reasonOf("http://127.0.0.1:9000/x", allow)).toMatch(/^port 9000/);
    expect(reasonOf("http://127.0.0.1/x", allow)).toBe("host 127.0.0.1 is a loopback address");
    expect(check("http://127.0.0.1/x", ["127.0.0.1:80"])).toMatchObject({ ok: true });
    expect(check("https://127.0.0.1/x", ["127.0.0.1:443"])).toMatchObject({ ok: true });
    expect(reasonOf("https://127.0.0.1/x", ["127.0.0.1:80"])).toMatch(/loopback/);
  });

  it("entries and URIs are compared after the same normalisation", () => {
    expect(check("http://2130706433:8999/x", ["127.0.0.1:8999"])).toMatchObject({ ok: true });
    expect(check("http://127.0.0.1:8999/x", ["0x7f.1:8999"])).toMatchObject({ ok: true });
    expect(check("http://LocalHost:8999/x", ["localhost"])).toMatchObject({ ok: true });
    expect(check("http://[0:0::1]:8999/x", ["[::1]:8999"])).toMatchObject({ ok: true });
    expect(check("http://localhost.:8999/x", ["localhost"])).toMatchObject({ ok: true });
  });

  it("does not widen to other hosts and does not bypass the scheme rule", () => {
    expect(reasonOf("http://127.0.0.2:8999/x", ["127.0.0.1"])).toMatch(/^port 8999/);
    expect(reasonOf("http://127.0.0.2/x", ["127.0.0.1"])).toMatch(/loopback/);
    expect(reasonOf("ftp://127.0.0.1/x", ["127.0.0.1"])).toMatch(/scheme 'ftp'/);
  });

  it("a malformed entry is a configuration error", () => {
    expect(() => check("http://example.com/", ["127.0.0.1:port"])).toThrow(TypeError);
    expect(() => check("http://example.com/", ["::1"])).toThrow(TypeError);
    expect(() => check("http://example.com/", ["exa mple.com"])).toThrow(TypeError);
  });
});
