// tempest 33's eight metadefs admin tests (tempest/api/image/v2/admin/test_images_metadefs_*.py), request for
// request and assertion for assertion, through the Worker; devstack's loaded catalog is the precondition.
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { loadCatalog } from "../helpers/metadef-catalog";

const NS = "/v2/metadefs/namespaces";
let counter = 0;
/** tempest's data_utils.rand_name. */
const randName = (prefix: string) => `tempest-${prefix}-${Date.now() % 100000}${counter++}`;
const tempestHeaders = { Accept: "application/json" };

async function ok(method: string, path: string, status: number, json?: unknown) {
  const res = await call(method, path, { as: "admin", json, headers: tempestHeaders });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).toBe(status);
  return text ? JSON.parse(text) : undefined;
}

/** base.BaseV2ImageAdminTest.create_namespace */
async function createNamespace() {
  const name = randName("test-ns");
  return ok("POST", NS, 201, {
    namespace: name,
    visibility: "public",
    description: "Tempest",
    protected: false,
    display_name: name,
  });
}
const firstResourceType = async () =>
  (await ok("GET", "/v2/metadefs/resource_types", 200)).resource_types[0].name as string;

beforeAll(async () => {
  await loadCatalog();
});

describe("test_images_metadefs_namespaces", () => {
  it("test_basic_metadata_definition_namespaces", async () => {
    const resourceName = await firstResourceType();
    const namespaceName = randName("namespace");
    await ok("POST", NS, 201, {
      namespace: namespaceName,
      visibility: "public",
      description: "Tempest",
      display_name: namespaceName,
      resource_type_associations: [{ name: resourceName }],
      protected: true,
    });
    const listed = (await ok("GET", NS, 200)).namespaces.map((n: { namespace: string }) => n.namespace);
    expect(listed).toContain(namespaceName);
    const shown = await ok("GET", `${NS}/${namespaceName}`, 200);
    expect(shown.namespace).toBe(namespaceName);
    expect(shown.visibility).toBe("public");
    await ok("DELETE", `${NS}/${namespaceName}`, 403);
    const updated = await ok("PUT", `${NS}/${namespaceName}`, 200, {
      namespace: namespaceName,
      description: "Tempest",
      visibility: "private",
      display_name: namespaceName,
      protected: false,
    });
    expect(updated.visibility).toBe("private");
    expect(updated.protected).toBe(false);
    await ok("DELETE", `${NS}/${namespaceName}`, 204);
    await ok("GET", `${NS}/${namespaceName}`, 404);
  });
});

describe("test_images_metadefs_namespace_objects", () => {
  const createObject = async (ns: string) =>
    ok("POST", `${NS}/${ns}/objects`, 201, { name: randName("MetadataNamespaceObjectsTest-object") });
  const objectNames = async (ns: string) =>
    (await ok("GET", `${NS}/${ns}/objects`, 200)).objects.map((o: { name: string }) => o.name);

  it("test_create_update_delete_meta_namespace_objects", async () => {
    const ns = (await createNamespace()).namespace;
    const body = await createObject(ns);
    const upName = randName("update-object");
    const updated = await ok("PUT", `${NS}/${ns}/objects/${body.name}`, 200, { name: upName });
    expect(updated.name).toBe(upName);
    await ok("DELETE", `${NS}/${ns}/objects/${upName}`, 204);
    expect(await objectNames(ns)).not.toContain(upName);
    await ok("DELETE", `${NS}/${ns}`, 204);
  });

  it("test_list_meta_namespace_objects", async () => {
    const ns = (await createNamespace()).namespace;
    const obj = await createObject(ns);
    expect(await objectNames(ns)).toContain(obj.name);
    await ok("DELETE", `${NS}/${ns}`, 204);
  });

  it("test_show_meta_namespace_objects", async () => {
    const ns = (await createNamespace()).namespace;
    const obj = await createObject(ns);
    expect((await ok("GET", `${NS}/${ns}/objects/${obj.name}`, 200)).name).toBe(obj.name);
    await ok("DELETE", `${NS}/${ns}`, 204);
  });
});

describe("test_images_metadefs_namespace_properties", () => {
  it("test_basic_meta_def_namespace_property", async () => {
    const resourceName = await firstResourceType();
    const enumValues = ["xen", "qemu", "kvm", "lxc", "uml", "vmware", "hyperv"];
    const ns = (await createNamespace()).namespace;
    await ok("POST", `${NS}/${ns}/resource_types`, 201, { name: resourceName });
    const title = randName("property");
    const created = await ok("POST", `${NS}/${ns}/properties`, 201, {
      title,
      name: resourceName,
      type: "string",
      enum: enumValues,
    });
    expect(created.title).toBe(title);
    expect((await ok("GET", `${NS}/${ns}/properties/${resourceName}`, 200)).name).toBe(resourceName);
    const newTitle = randName("update-property");
    const updated = await ok("PUT", `${NS}/${ns}/properties/${resourceName}`, 200, {
      title: newTitle,
      type: "string",
      enum: enumValues,
      name: resourceName,
    });
    expect(updated.title).toBe(newTitle);
    await ok("DELETE", `${NS}/${ns}/properties/${resourceName}`, 204);
    const titles = Object.values((await ok("GET", `${NS}/${ns}/properties`, 200)).properties).map(
      (p) => (p as { title: string }).title,
    );
    expect(titles).not.toContain(newTitle);
    await ok("DELETE", `${NS}/${ns}`, 204);
  });
});

describe("test_images_metadefs_namespace_tags", () => {
  const tags = [{ name: "sample-tag1" }, { name: "sample-tag2" }, { name: "sample-tag3" }];
  const tagList = ["sample-tag1", "sample-tag2", "sample-tag3"];

  it("test_create_list_delete_namespace_tags", async () => {
    const ns = (await createNamespace()).namespace;
    await ok("POST", `${NS}/${ns}/tags`, 201, { tags });
    const body = await ok("GET", `${NS}/${ns}/tags`, 200);
    expect(body.tags).toHaveLength(3);
    for (const t of body.tags) expect(tagList).toContain(t.name);
    await ok("DELETE", `${NS}/${ns}/tags`, 204);
    expect((await ok("GET", `${NS}/${ns}/tags`, 200)).tags).toEqual([]);
    await ok("DELETE", `${NS}/${ns}`, 204);
  });

  it("test_create_update_delete_tag", async () => {
    const ns = (await createNamespace()).namespace;
    await ok("POST", `${NS}/${ns}/tags`, 201, { tags });
    const tagName = randName("tag_name");
    await ok("POST", `${NS}/${ns}/tags/${tagName}`, 201);
    expect((await ok("GET", `${NS}/${ns}/tags/${tagName}`, 200)).name).toBe(tagName);
    const newName = randName("update-tag");
    expect((await ok("PUT", `${NS}/${ns}/tags/${tagName}`, 200, { name: newName })).name).toBe(newName);
    await ok("DELETE", `${NS}/${ns}/tags/${newName}`, 204);
    const names = (await ok("GET", `${NS}/${ns}/tags`, 200)).tags.map((t: { name: string }) => t.name);
    expect(names).not.toContain(newName);
    await ok("DELETE", `${NS}/${ns}`, 204);
  });
});

describe("test_images_metadefs_resource_types", () => {
  it("test_basic_meta_def_resource_type_association", async () => {
    const resourceName = await firstResourceType();
    const ns = (await createNamespace()).namespace;
    expect((await ok("POST", `${NS}/${ns}/resource_types`, 201, { name: resourceName })).name).toBe(resourceName);
    const names = async () =>
      (await ok("GET", `${NS}/${ns}/resource_types`, 200)).resource_type_associations.map(
        (a: { name: string }) => a.name,
      );
    expect(await names()).toContain(resourceName);
    await ok("DELETE", `${NS}/${ns}/resource_types/${resourceName}`, 204);
    expect(await names()).not.toContain(resourceName);
    await ok("DELETE", `${NS}/${ns}`, 204);
  });
});
