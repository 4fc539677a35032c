// Glance's user_storage_quota grammar and how the quota settings read "off".
import { describe, expect, it } from "vitest";
import { type Bindings, loadConfig } from "../../src/config";
import { parseByteSize } from "../../src/lib/byte-size";

describe("parseByteSize", () => {
  it.each([
    ["0", 0],
    ["1048576", 1048576],
    ["12B", 12],
    ["3KB", 3072],
    ["5MB", 5 * 1024 ** 2],
    ["2GB", 2 * 1024 ** 3],
    ["1TB", 1024 ** 4],
    [" 7KB ", 7168],
  ])("%j -> %d", (raw, bytes) => expect(parseByteSize(raw)).toBe(bytes));

  it.each(["", "-1", "1.5GB", "5 MB", "5mb", "5M", "5KiB", "MB", "5PB", "99999999999TB"])("%j is refused", (raw) =>
    expect(parseByteSize(raw)).toBeNull(),
  );
});

describe("quota settings", () => {
  const quotas = (vars: Partial<Bindings>) => loadConfig(vars as Bindings).quotas;

  it("are all off by default", () =>
    expect(quotas({})).toEqual({
      imageCountTotal: null,
      imageCountUploading: null,
      storageBytes: null,
      stageBytes: null,
    }));

  it("byte quotas: 0, -1 and empty are off; suffixes are read", () => {
    expect(quotas({ USER_STORAGE_QUOTA: "0", IMAGE_STAGE_TOTAL: "-1" })).toMatchObject({
      storageBytes: null,
      stageBytes: null,
    });
    expect(quotas({ USER_STORAGE_QUOTA: "", IMAGE_STAGE_TOTAL: "2GB" })).toMatchObject({
      storageBytes: null,
      stageBytes: 2 * 1024 ** 3,
    });
  });

  it("counts: negative and empty are off, 0 allows none", () => {
    expect(quotas({ IMAGE_COUNT_TOTAL: "-1", IMAGE_COUNT_UPLOADING: "" })).toMatchObject({
      imageCountTotal: null,
      imageCountUploading: null,
    });
    expect(quotas({ IMAGE_COUNT_TOTAL: "0", IMAGE_COUNT_UPLOADING: "2" })).toMatchObject({
      imageCountTotal: 0,
      imageCountUploading: 2,
    });
  });

  it("bad values fail loudly instead of switching the quota off (as Glance would)", () => {
    expect(() => quotas({ USER_STORAGE_QUOTA: "5 GB" })).toThrow(/USER_STORAGE_QUOTA/);
    expect(() => quotas({ IMAGE_COUNT_TOTAL: "ten" })).toThrow(/IMAGE_COUNT_TOTAL/);
  });
});
