// parseListImages (GET /v2/images query -> ListQuery) and splitInValues, per api-spec §6.1 and §6.3.
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import { parseListImages, splitInValues } from "../../src/http/requests/list-images";

const parse = (qs: string) => parseListImages(new URL(`http://glance.test/v2/images${qs ? `?${qs}` : ""}`));

/** The 400 a parse raises, as its explanation text. */
function badRequest(qs: string): string {
  try {
    parse(qs);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).kind).toBe("bad_request");
    return (e as DomainError).explanation ?? "";
  }
  throw new Error(`expected a 400 for ?${qs}`);
}

describe("parseListImages: defaults", () => {
  it("has Glance's defaults", () => {
    const q = parse("");
    expect(q.limit).toBe(25);
    expect(q.marker).toBeUndefined();
    expect(q.sort).toEqual([
      { key: "created_at", dir: "desc" },
      { key: "id", dir: "desc" },
    ]);
    expect(q.visibility).toBeUndefined();
    expect(q.memberStatus).toBe("accepted");
    expect(q.osHidden).toBe(false);
    expect(q.protected).toBeUndefined();
    expect(q.tags).toEqual([]);
    expect(q.inFilters).toEqual([]);
    expect(q.properties).toEqual([]);
  });
});

describe("parseListImages: limit and marker", () => {
  it.each([
    ["limit=0", 0],
    ["limit=1", 1],
    ["limit=1000", 1000],
    ["limit=1001", 1000],
    ["limit=99999999999", 1000],
    ["limit=+5", 5],
    ["limit=%205%20", 5],
    ["limit=3&limit=7", 7],
  ])("%s -> %i", (qs, n) => expect(parse(qs).limit).toBe(n));

  it.each(["limit=abc", "limit=", "limit=1.5", "limit=1e3", "limit=0x10"])("%s -> 400 not an integer", (qs) => {
    expect(badRequest(qs)).toBe("limit param must be an integer");
  });
  it("negative limit -> 400", () => expect(badRequest("limit=-1")).toBe("limit param must be positive"));

  it("keeps the marker verbatim, the last one wins", () => {
    expect(parse("marker=abc").marker).toBe("abc");
    expect(parse("marker=a&marker=b").marker).toBe("b");
    expect(parse("marker=").marker).toBe("");
  });
});

describe("parseListImages: sorting", () => {
  const order = (qs: string) =>
    parse(qs)
      .sort.map((s) => `${s.key}:${s.dir}`)
      .join(",");

  it("classic syntax: keys, one direction for all, tie-breakers in that direction", () => {
    expect(order("sort_key=name")).toBe("name:desc,created_at:desc,id:desc");
    expect(order("sort_key=name&sort_dir=asc")).toBe("name:asc,created_at:asc,id:asc");
    expect(order("sort_key=name&sort_key=size&sort_dir=asc")).toBe("name:asc,size:asc,created_at:asc,id:asc");
    expect(order("sort_dir=asc")).toBe("created_at:asc,id:asc");
    expect(order("sort_key=id&sort_dir=asc")).toBe("id:asc,created_at:asc");
    expect(order("sort_key=created_at&sort_key=id&sort_dir=asc")).toBe("created_at:asc,id:asc");
    expect(order("sort_key=%20name%20&sort_dir=%20asc")).toBe("name:asc,created_at:asc,id:asc");
  });

  it("classic syntax: one direction per key; tie-breakers then default to desc", () => {
    expect(order("sort_key=name&sort_key=size&sort_dir=asc&sort_dir=desc")).toBe(
      "name:asc,size:desc,created_at:desc,id:desc",
    );
    expect(order("sort_key=name&sort_key=size&sort_dir=asc&sort_dir=asc")).toBe(
      "name:asc,size:asc,created_at:desc,id:desc",
    );
  });

  it("new syntax: key[:dir], dir defaults to desc, whitespace trimmed", () => {
    expect(order("sort=size:desc")).toBe("size:desc,created_at:desc,id:desc");
    expect(order("sort=name:asc")).toBe("name:asc,created_at:asc,id:asc");
    expect(order("sort=name")).toBe("name:desc,created_at:desc,id:desc");
    expect(order("sort=name:")).toBe("name:desc,created_at:desc,id:desc");
    expect(order("sort=name:asc,size:desc")).toBe("name:asc,size:desc,created_at:desc,id:desc");
    expect(order("sort=%20name%20:%20asc%20,%20status")).toBe("name:asc,status:desc,created_at:desc,id:desc");
    expect(order("sort=updated_at:asc,id:asc")).toBe("updated_at:asc,id:asc,created_at:desc");
  });

  it("rejects unknown keys and directions", () => {
    const keys = "name, status, container_format, disk_format, size, id, created_at, updated_at";
    expect(badRequest("sort_key=owner")).toBe(`Invalid sort key: owner. It must be one of the following: ${keys}.`);
    expect(badRequest("sort=bogus:asc")).toBe(`Invalid sort key: bogus. It must be one of the following: ${keys}.`);
    expect(badRequest("sort_key=name&sort_dir=up")).toBe("Invalid sort direction: up");
    expect(badRequest("sort=name:up")).toBe("Invalid sort direction: up");
    expect(badRequest("sort=name:asc:desc")).toBe("Invalid sort direction: asc:desc");
    expect(badRequest("sort_dir=ASC")).toBe("Invalid sort direction: ASC");
  });

  it("rejects a dir count that matches neither one nor the key count", () => {
    const msg = "Number of sort dirs does not match the number of sort keys";
    expect(badRequest("sort_key=name&sort_dir=asc&sort_dir=desc")).toBe(msg);
    expect(badRequest("sort_key=name&sort_key=size&sort_key=id&sort_dir=asc&sort_dir=desc")).toBe(msg);
    expect(badRequest("sort_dir=asc&sort_dir=desc")).toBe(msg);
  });

  it("refuses mixing old and new syntax", () => {
    const msg = "Old and new sorting syntax cannot be combined";
    expect(badRequest("sort=name:asc&sort_key=size")).toBe(msg);
    expect(badRequest("sort=name:asc&sort_dir=asc")).toBe(msg);
  });
});

describe("parseListImages: filters", () => {
  it("name/id/status/container_format/disk_format: exact, eq:, in:", () => {
    expect(parse("name=foo").inFilters).toEqual([{ column: "name", values: ["foo"] }]);
    expect(parse("name=eq:a:b").inFilters).toEqual([{ column: "name", values: ["a:b"] }]);
    expect(parse("name=in:a,b").inFilters).toEqual([{ column: "name", values: ["a", "b"] }]);
    expect(parse(`name=${encodeURIComponent('in:"a, b",c')}`).inFilters).toEqual([
      { column: "name", values: ["a, b", "c"] },
    ]);
    expect(parse("status=in:active,queued&disk_format=raw").inFilters).toEqual([
      { column: "status", values: ["active", "queued"] },
      { column: "disk_format", values: ["raw"] },
    ]);
    expect(parse("id=x&container_format=bare").inFilters.map((f) => f.column)).toEqual(["id", "container_format"]);
  });

  it("a whole ISO 8601 time is a value, not an operator", () => {
    expect(parse("name=2024-01-02T03:04:05Z").inFilters).toEqual([
      { column: "name", values: ["2024-01-02T03:04:05Z"] },
    ]);
  });

  it("any other prefix before ':' is an unknown operator", () => {
    expect(badRequest("name=gt:foo")).toBe("Unable to filter by unknown operator 'gt'.");
    expect(badRequest("name=a:b")).toBe("Unable to filter by unknown operator 'a'.");
    expect(badRequest("status=IN:active")).toBe("Unable to filter by unknown operator 'IN'.");
  });

  it("bad quoting in in: -> 400", () => {
    expect(badRequest(`name=${encodeURIComponent('in:"a,b')}`)).toMatch(
      /^Invalid filter value "a,b\. The quote is not closed\.$/,
    );
  });

  it("visibility", () => {
    for (const v of ["public", "private", "shared", "community", "all"])
      expect(parse(`visibility=${v}`).visibility).toBe(v);
    expect(badRequest("visibility=everyone")).toBe("Invalid visibility value: everyone");
    expect(badRequest("visibility=Public")).toBe("Invalid visibility value: Public");
  });

  it("member_status", () => {
    for (const v of ["pending", "accepted", "rejected", "all"])
      expect(parse(`member_status=${v}`).memberStatus).toBe(v);
    expect(badRequest("member_status=maybe")).toBe("Invalid status: maybe");
  });

  it("os_hidden is case-insensitive; protected is lowercase only", () => {
    expect(parse("os_hidden=true").osHidden).toBe(true);
    expect(parse("os_hidden=True").osHidden).toBe(true);
    expect(parse("os_hidden=FALSE").osHidden).toBe(false);
    expect(badRequest("os_hidden=yes")).toBe(
      "Invalid value 'yes' for 'os_hidden' filter. Valid values are 'true' or 'false'.",
    );
    expect(parse("protected=true").protected).toBe(true);
    expect(parse("protected=false").protected).toBe(false);
    expect(badRequest("protected=True")).toBe(
      "Invalid value 'True' for 'protected' filter. Valid values are 'true' or 'false'.",
    );
    expect(badRequest("protected=1")).toBe(
      "Invalid value '1' for 'protected' filter. Valid values are 'true' or 'false'.",
    );
  });

  it("owner, checksum, os_hash_algo, os_hash_value, repeated tags", () => {
    const q = parse("owner=p1&checksum=abc&os_hash_algo=sha512&os_hash_value=def&tag=a&tag=b");
    expect(q.owner).toBe("p1");
    expect(q.checksum).toBe("abc");
    expect(q.osHashAlgo).toBe("sha512");
    expect(q.osHashValue).toBe("def");
    expect(q.tags).toEqual(["a", "b"]);
    expect(q.properties).toEqual([]);
  });

  it("size and virtual_size ranges are integers", () => {
    const q = parse("size_min=10&size_max=20&virtual_size_min=1&virtual_size_max=2");
    expect([q.sizeMin, q.sizeMax, q.virtualSizeMin, q.virtualSizeMax]).toEqual([10, 20, 1, 2]);
    const msg = "Unable to filter on a range with a non-numeric value.";
    expect(badRequest("size_min=abc")).toBe(msg);
    expect(badRequest("size_max=1.5")).toBe(msg);
    expect(badRequest("virtual_size_min=")).toBe(msg);
  });

  it("exact integer columns; non-integer text matches nothing", () => {
    expect(parse("size=1024&min_ram=512").intFilters).toEqual([
      { column: "size", value: 1024 },
      { column: "min_ram", value: 512 },
    ]);
    expect(parse("min_disk=big").intFilters).toEqual([{ column: "min_disk", value: null }]);
  });

  it("created_at/updated_at: [op:]ISO 8601", () => {
    const at = Date.parse("2024-05-06T07:08:09Z");
    expect(parse("created_at=2024-05-06T07:08:09Z").timeFilters).toEqual([{ column: "created_at", op: "eq", at }]);
    expect(parse("created_at=gt:2024-05-06T07:08:09Z").timeFilters).toEqual([{ column: "created_at", op: "gt", at }]);
    expect(parse("updated_at=lte:2024-05-06T09:08:09%2B02:00").timeFilters).toEqual([
      { column: "updated_at", op: "lte", at },
    ]);
    for (const op of ["gt", "gte", "lt", "lte", "eq", "neq"])
      expect(parse(`created_at=${op}:2024-05-06`).timeFilters[0]?.op).toBe(op);
    expect(parse("created_at=2024-05-06").timeFilters[0]?.at).toBe(Date.parse("2024-05-06T00:00:00Z"));
    expect(parse("created_at=gt:2024-05-06&created_at=lt:2024-06-01&updated_at=neq:2024-01-01").timeFilters).toEqual([
      { column: "created_at", op: "gt", at: Date.parse("2024-05-06T00:00:00Z") },
      { column: "created_at", op: "lt", at: Date.parse("2024-06-01T00:00:00Z") },
      { column: "updated_at", op: "neq", at: Date.parse("2024-01-01T00:00:00Z") },
    ]);
  });

  it("created_at/updated_at errors", () => {
    const bad = (c: string) => `Bad "${c}" query filter format. Use ISO 8601 DateTime notation.`;
    expect(badRequest("created_at=yesterday")).toBe(bad("created_at"));
    expect(badRequest("created_at=gt:yesterday")).toBe(bad("created_at"));
    expect(badRequest("updated_at=2024-13-01T00:00:00Z")).toBe(bad("updated_at"));
    expect(badRequest("updated_at=2024-02-31")).toBe(bad("updated_at"));
    expect(badRequest("created_at=after:2024-05-06T07:08:09Z")).toBe("Unable to filter on a unknown operator.");
    expect(badRequest("created_at=GT:2024-05-06T07:08:09Z")).toBe("Unable to filter on a unknown operator.");
  });

  it("any other key filters on an extra property (last value wins)", () => {
    expect(parse("hw_disk_bus=scsi&os.distro=ubuntu&k=1&k=2").properties).toEqual([
      { key: "hw_disk_bus", value: "scsi" },
      { key: "os.distro", value: "ubuntu" },
      { key: "k", value: "2" },
    ]);
  });

  it("changes-since is gone", () => {
    expect(badRequest("changes-since=2024-01-01")).toBe('The "changes-since" filter is no longer available on v2.');
  });

  it("caps the number of bound filter values", () => {
    const tags = Array.from({ length: 61 }, (_, i) => `tag=t${i}`).join("&");
    expect(badRequest(tags)).toMatch(/^Too many filter values/);
    expect(parse(Array.from({ length: 60 }, (_, i) => `tag=t${i}`).join("&")).tags).toHaveLength(60);
  });
});

describe("splitInValues", () => {
  it.each([
    ["a", ["a"]],
    ["a,b,c", ["a", "b", "c"]],
    ["a, b", ["a", " b"]],
    ['"a,b",c', ["a,b", "c"]],
    ['c,"a, b"', ["c", "a, b"]],
    ['"a\\"b",c', ['a"b', "c"]],
    ['""', [""]],
    ["a,,b", ["a", "", "b"]],
    [",a", ["", "a"]],
    ["a,", ["a"]],
    ["", []],
  ])("%j -> %j", (raw, out) => expect(splitInValues(raw)).toEqual(out));

  it.each([
    ['"a,b', "The quote is not closed."],
    ['a,"b', "The quote is not closed."],
    ['a"b",c', "There is no comma before opening quotation mark."],
    ['"a"b,c', "There is no comma after closing quotation mark."],
  ])("%j -> 400", (raw, why) => {
    expect(() => splitInValues(raw)).toThrow(`Invalid filter value ${raw}. ${why}`);
  });
});
