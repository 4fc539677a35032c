// Architecture check (npm run lint): the layers of shared/design/architecture.md, enforced on src/.
// "Dependencies point one way, toward the domain; no import cycles."
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "No import cycles: every module can be read (and tested) before the ones that use it.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-is-pure",
      comment:
        "Make the domain pure: the status table, PATCH semantics, property rules, policy and formats are plain " +
        "functions over plain data. The domain imports only the domain.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { pathNot: "^src/domain/" },
    },
    {
      name: "http-never-touches-storage",
      comment:
        "Never let routes touch env.DB / env.IMAGES directly: http parses, calls one service, serializes. " +
        "It reaches storage only through services (ports named in domain words).",
      severity: "error",
      from: { path: "^src/http/" },
      to: { path: "^src/(storage|queue)/" },
    },
    {
      name: "storage-is-an-adapter",
      comment:
        "Storage adapters implement the services' ports (ImageRepository, BlobStore, ...); they never call " +
        "back into http or the queue.",
      severity: "error",
      from: { path: "^src/storage/" },
      to: { path: "^src/(http|queue|identity)/" },
    },
    {
      name: "services-name-no-adapters",
      comment:
        "Use cases order policy -> repository -> blob store through ports; only the composition root names the " +
        "concrete D1/R2/Queues adapters.",
      severity: "error",
      from: { path: "^src/services/" },
      to: { path: "^src/(http|storage|queue|identity)/" },
    },
    {
      name: "queue-is-only-the-adapter",
      comment:
        "src/queue holds only the Cloudflare Queues adapter: it turns a message batch into service calls and " +
        "never reaches storage or http itself.",
      severity: "error",
      from: { path: "^src/queue/" },
      to: { path: "^src/(http|storage)/" },
    },
    {
      name: "lib-is-leaf",
      comment: "src/lib holds dependency-free helpers (hex, hashes, sizes, logging) that any layer may use.",
      severity: "error",
      from: { path: "^src/lib/" },
      to: { path: "^src/", pathNot: "^src/lib/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "\\.json$" },
  },
};
