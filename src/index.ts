// Worker entry point: HTTP (the Glance API) and the import queue consumer.
import { fetchWithVersionAliases } from "./app";
import type { Bindings } from "./config";
import { handleImportBatch } from "./queue/consumer";

export default {
  fetch: fetchWithVersionAliases,
  queue: (batch, env) => handleImportBatch(batch, env),
} satisfies ExportedHandler<Bindings>;
