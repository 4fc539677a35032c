// glance-download's pure rules: the POST /import field checks, the catalog lookup, the remote document, the seal.
import { describe, expect, it } from "vitest";
import { SealedBox } from "../../src/lib/sealed-box";
import { checkGlanceSource, findGlanceEndpoint, readRemoteImage } from "../../src/services/import/glance-download";
import { GOLDEN } from "./fixtures/golden-bodies";

const ID = "36d4b546-64a2-4bb9-bdd0-ba676aa48f2c";

describe("checkGlanceSource", () => {
  it("fills in the public interface in the request itself, as Glance does", () => {
    const method: Record<string, unknown> = { glance_image_id: ID, glance_region: "R" };
    expect(checkGlanceSource(method)).toEqual({ imageId: ID, region: "R", serviceInterface: "public" });
    expect(method.glance_service_interface).toBe("public");
  });
  it.each([`urn:uuid:${ID}`, `{${ID}}`, ID.replaceAll("-", ""), ID.toUpperCase()])("takes %s", (spelled) => {
    expect(checkGlanceSource({ glance_image_id: spelled, glance_region: "R" }).imageId).toBe(ID);
  });
  it.each(["foo", `${ID}0`, `${ID}/../x`, ""])("refuses %j", (bad) => {
    expect(() => checkGlanceSource({ glance_image_id: bad, glance_region: "R" })).toThrow(
      "Remote image id does not look like a UUID",
    );
  });
});

describe("findGlanceEndpoint", () => {
  const endpoints = [
    { region: "RegionTwo", interface: "public", url: "https://two.example/" },
    { region: "RegionTwo", interface: "internal", url: "http://10.0.0.2:9292" },
  ];
  it("matches the region in any case and the interface exactly; drops trailing slashes", () => {
    expect(findGlanceEndpoint(endpoints, "regiontwo", "public")).toBe("https://two.example");
    expect(findGlanceEndpoint(endpoints, "RegionTwo", "internal")).toBe("http://10.0.0.2:9292");
    expect(findGlanceEndpoint(endpoints, "RegionTwo", "Public")).toBeNull();
    expect(findGlanceEndpoint(endpoints, "RegionOne", "public")).toBeNull();
  });
});

describe("readRemoteImage", () => {
  it("reads a real Glance 25 document (golden 14) with the default prefixes", () => {
    const prefixes = ["hw_", "trait:", "os_distro", "os_secure_boot", "os_type"];
    expect(readRemoteImage(JSON.parse(GOLDEN.g14), ID, prefixes)).toEqual({
      diskFormat: "raw",
      containerFormat: "bare",
      size: 1024,
      checksum: "b2ea9f7fcea831a4a63b213f41a8855b",
      sha512:
        "37f652be867f28ed033269cbba201af2112c2b3fd334a89fd2f757938ddee815787cc61d6e24a8a33340d0f7e86ffc058816b88530766ba6e231620a130b566c",
      properties: { os_distro: "ubuntu" },
    });
  });
  it("never copies base attributes or os_glance_* even when a prefix names them", () => {
    const doc = { ...JSON.parse(GOLDEN.g14), os_glance_import_task: "t", os_admin_user: "root" };
    expect(readRemoteImage(doc, ID, ["os_"]).properties).toEqual({ os_distro: "ubuntu", os_admin_user: "root" });
  });
  it("takes os_hash_value only when it is a SHA-512", () => {
    const doc = { ...JSON.parse(GOLDEN.g14), os_hash_algo: "sha256", os_hash_value: "ab" };
    expect(readRemoteImage(doc, ID, []).sha512).toBeNull();
  });
});

describe("SealedBox", () => {
  it("opens what it sealed; another secret or purpose, or a changed byte, opens nothing", async () => {
    const box = new SealedBox("secret", "p");
    const sealed = await box.seal("token-123");
    expect(sealed).not.toContain("token-123");
    expect(await box.open(sealed)).toBe("token-123");
    expect(await new SealedBox("other", "p").open(sealed)).toBeNull();
    expect(await new SealedBox("secret", "q").open(sealed)).toBeNull();
    const bytes = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1]! ^= 1;
    expect(await box.open(btoa(String.fromCharCode(...bytes)))).toBeNull();
    expect(await box.open("not base64!")).toBeNull();
  });
});
