// Rows of the metadef tables -> one Glance metadef file per namespace, as `glance-manage db_export_metadefs`
// writes them (no owner; objects without `required`), named after the display name. Pure: no I/O.

const parse = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/** Glance strips everything but letters and digits from the display name; this falls back to the namespace. */
function baseName(ns) {
  const stripped = (ns.display_name ?? "").replace(/[^\p{L}\p{N}]+/gu, "");
  return stripped || ns.namespace.replace(/[^\p{L}\p{N}]+/gu, "") || `namespace${ns.id}`;
}

/**
 * `tables`: rows as the SELECTs in cli.mjs return them. Two namespaces with the same file name get "-2", "-3"…
 * (Glance would write the second over the first).
 */
export function exportFiles(tables) {
  const byNamespace = (list) => {
    const m = new Map();
    for (const r of list) m.set(r.namespace_id, [...(m.get(r.namespace_id) ?? []), r]);
    return m;
  };
  const assoc = byNamespace(tables.associations);
  const props = byNamespace(tables.properties);
  const objs = byNamespace(tables.objects);
  const tags = byNamespace(tables.tags);
  const used = new Map();
  return tables.namespaces.map((ns) => {
    const base = baseName(ns);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const doc = {
      namespace: ns.namespace,
      display_name: ns.display_name,
      description: ns.description,
      visibility: ns.visibility,
      protected: ns.protected === null ? null : Boolean(ns.protected),
      resource_type_associations: (assoc.get(ns.id) ?? []).map((a) => ({
        name: a.name,
        prefix: a.prefix,
        properties_target: a.properties_target,
      })),
      properties: Object.fromEntries((props.get(ns.id) ?? []).map((p) => [p.name, parse(p.json_schema)])),
      objects: (objs.get(ns.id) ?? []).map((o) => ({
        name: o.name,
        description: o.description,
        properties: parse(o.json_schema),
      })),
      tags: (tags.get(ns.id) ?? []).map((t) => ({ name: t.name })),
    };
    return { file: `${base}${n > 1 ? `-${n}` : ""}.json`, doc };
  });
}
