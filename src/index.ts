// Worker entry point.
import { fetchWithVersionAliases } from "./app";

export default { fetch: fetchWithVersionAliases } satisfies ExportedHandler<import("./config").Bindings>;
