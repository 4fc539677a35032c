// Turns Glance metadef files into D1 SQL the way `glance-manage db_load_metadefs` maps them (metadata.py):
// namespace fields (owner "admin" unless given), resource types (protected), associations, properties and
// objects stored as given (an object's `required` is ignored, as Glance ignores it), tags. Pure: no I/O.
// Every statement is idempotent, so a file can be loaded again: by default a namespace that already exists is
// skipped with its contents; --merge adds what is missing, --prefer-new also updates, --overwrite replaces it.

/** D1 refuses statements over 100 KB; stay clear of it. */
export const MAX_STATEMENT = 90_000;

/** A SQL literal (D1 files cannot bind parameters). */
export function lit(v) {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "boolean") return v ? "1" : "0";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  const s = String(v);
  if (s.includes("\u0000")) throw new Error("text with a NUL character cannot be stored");
  return `'${s.replace(/'/g, "''")}'`;
}

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const optString = (v, what) => {
  if (v !== undefined && v !== null && typeof v !== "string") throw new Error(`${what} must be a string`);
  return v ?? null;
};

/** Checks one file's document; returns the parts the loader uses, or throws with what is wrong. */
export function readNamespaceFile(doc) {
  if (!isObject(doc)) throw new Error("the file is not a JSON object");
  if (typeof doc.namespace !== "string" || doc.namespace === "")
    throw new Error("'namespace' must be a non-empty string");
  if (doc.protected !== undefined && doc.protected !== null && typeof doc.protected !== "boolean")
    throw new Error("'protected' must be true or false");
  const list = (key) => {
    const v = doc[key] ?? [];
    if (!Array.isArray(v) || !v.every((x) => isObject(x) && typeof x.name === "string"))
      throw new Error(`'${key}' must be a list of objects with a string 'name'`);
    return v;
  };
  const properties = doc.properties ?? {};
  if (!isObject(properties) || !Object.values(properties).every(isObject))
    throw new Error("'properties' must map names to property definitions");
  const objects = list("objects");
  for (const o of objects) {
    if (o.properties !== undefined && o.properties !== null && !isObject(o.properties))
      throw new Error(`object ${o.name}: 'properties' must map names to property definitions`);
    optString(o.description, `object ${o.name}: 'description'`);
  }
  const associations = list("resource_type_associations");
  for (const a of associations) {
    optString(a.prefix, `resource type ${a.name}: 'prefix'`);
    optString(a.properties_target, `resource type ${a.name}: 'properties_target'`);
  }
  return {
    fields: {
      namespace: doc.namespace,
      display_name: optString(doc.display_name, "'display_name'"),
      description: optString(doc.description, "'description'"),
      visibility: optString(doc.visibility, "'visibility'"),
      protected: doc.protected ?? null,
      owner: doc.owner === undefined ? "admin" : optString(doc.owner, "'owner'"),
    },
    associations,
    properties,
    objects,
    tags: list("tags"),
  };
}

/**
 * SQL for one namespace file. `stamp` (epoch ms, one per run) marks the rows this run creates: in the default
 * mode contents are added only to a namespace created by this run, which is how Glance skips existing ones.
 */
export function namespaceSql(file, mode, stamp) {
  const { fields: f, associations, properties, objects, tags } = file;
  const name = lit(f.namespace);
  const out = [];
  const update = mode === "prefer_new";
  if (mode === "overwrite") out.push(`DELETE FROM metadef_namespaces WHERE namespace = ${name};`);
  const cols = [f.namespace, f.display_name, f.description, f.visibility, f.protected, f.owner].map(lit).join(", ");
  out.push(
    `INSERT INTO metadef_namespaces (namespace, display_name, description, visibility, protected, owner, created_at) ` +
      `SELECT ${cols}, ${stamp} WHERE NOT EXISTS (SELECT 1 FROM metadef_namespaces WHERE namespace = ${name});`,
  );
  if (update) {
    out.push(
      `UPDATE metadef_namespaces SET display_name = ${lit(f.display_name)}, description = ${lit(f.description)}, ` +
        `visibility = ${lit(f.visibility)}, protected = ${lit(f.protected)}, owner = ${lit(f.owner)}, updated_at = ${stamp} ` +
        `WHERE namespace = ${name} AND created_at <> ${stamp};`,
    );
  }
  // Which namespace rows the contents go to: only a fresh one, unless merging.
  const target =
    mode === "merge" || mode === "prefer_new"
      ? `n.namespace = ${name}`
      : `n.namespace = ${name} AND n.created_at = ${stamp} AND n.updated_at IS NULL`;
  const onConflict = (key, set) =>
    update ? ` ON CONFLICT (${key}) DO UPDATE SET ${set}, updated_at = ${stamp}` : ` ON CONFLICT (${key}) DO NOTHING`;

  for (const a of associations) {
    const rt = lit(a.name);
    // Only for a namespace this run loads: Glance never reaches the types of a namespace it skips.
    out.push(
      `INSERT OR IGNORE INTO metadef_resource_types (name, protected, created_at) ` +
        `SELECT ${rt}, 1, ${stamp} WHERE EXISTS (SELECT 1 FROM metadef_namespaces n WHERE ${target});`,
    );
    if (update)
      out.push(
        `UPDATE metadef_resource_types SET updated_at = ${stamp} WHERE name = ${rt} AND created_at <> ${stamp};`,
      );
    out.push(
      `INSERT INTO metadef_namespace_resource_types (resource_type_id, namespace_id, properties_target, prefix, created_at) ` +
        `SELECT r.id, n.id, ${lit(a.properties_target)}, ${lit(a.prefix)}, ${stamp} FROM metadef_resource_types r, metadef_namespaces n ` +
        `WHERE r.name = ${rt} AND ${target}` +
        onConflict(
          "resource_type_id, namespace_id",
          "properties_target = excluded.properties_target, prefix = excluded.prefix",
        ) +
        ";",
    );
  }
  for (const [pname, schema] of Object.entries(properties)) {
    out.push(
      `INSERT INTO metadef_properties (namespace_id, name, json_schema, created_at) ` +
        `SELECT n.id, ${lit(pname)}, ${lit(JSON.stringify(schema))}, ${stamp} FROM metadef_namespaces n WHERE ${target}` +
        onConflict("namespace_id, name", "json_schema = excluded.json_schema") +
        ";",
    );
  }
  for (const o of objects) {
    out.push(
      `INSERT INTO metadef_objects (namespace_id, name, description, json_schema, created_at) ` +
        `SELECT n.id, ${lit(o.name)}, ${lit(o.description)}, ${lit(JSON.stringify(o.properties ?? null))}, ${stamp} ` +
        `FROM metadef_namespaces n WHERE ${target}` +
        onConflict("namespace_id, name", "description = excluded.description, json_schema = excluded.json_schema") +
        ";",
    );
  }
  for (const t of tags) {
    out.push(
      `INSERT INTO metadef_tags (namespace_id, name, created_at) SELECT n.id, ${lit(t.name)}, ${stamp} ` +
        `FROM metadef_namespaces n WHERE ${target}` +
        (update
          ? ` ON CONFLICT (namespace_id, name) DO UPDATE SET updated_at = ${stamp}`
          : " ON CONFLICT (namespace_id, name) DO NOTHING") +
        ";",
    );
  }
  for (const s of out)
    if (s.length > MAX_STATEMENT) throw new Error(`a statement of ${s.length} bytes is over D1's limit`);
  return out;
}

/**
 * The whole load: files in order, each checked first (a bad file is reported and left out, as Glance logs and
 * skips it). A namespace repeated in a later file is skipped unless merging, as it already exists by then.
 * `mode`: "skip" (default), "merge", "prefer_new" or "overwrite" (the last two imply merging).
 */
export function catalogSql(files, mode, stamp) {
  const statements = [];
  const errors = [];
  const namespaces = [];
  const seen = new Set();
  for (const { name, doc } of files) {
    let file;
    let sql;
    try {
      file = readNamespaceFile(doc);
      const again = seen.has(file.fields.namespace);
      if (again && mode === "skip") {
        errors.push({ file: name, error: `namespace ${file.fields.namespace} is already in an earlier file; skipped` });
        continue;
      }
      // A second file for the same namespace merges into it, whatever the mode (overwrite would drop the first).
      sql = namespaceSql(file, again ? "merge" : mode, stamp);
    } catch (e) {
      errors.push({ file: name, error: e instanceof Error ? e.message : String(e) });
      continue;
    }
    seen.add(file.fields.namespace);
    namespaces.push(file.fields.namespace);
    statements.push(...sql);
  }
  return { statements, errors, namespaces };
}
