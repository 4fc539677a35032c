// Namespaces as Glance 25 answers them: every recorded request of scenario-namespaces.mjs, replayed in order.
import { describe } from "vitest";
import recorded from "../fixtures/metadefs-glance/glance-namespaces.json";
import steps from "../fixtures/metadefs-glance/scenario-namespaces.mjs";
import { replay, type Step } from "../helpers/glance-replay";

describe("metadefs namespaces, replayed against Glance 25's recorded answers", () => {
  replay(steps as Step[], recorded);
});
