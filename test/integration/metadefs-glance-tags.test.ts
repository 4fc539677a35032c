// Tags and resource types as Glance 25 answers them: every recorded request of scenario-tags.mjs, replayed in order.
import { describe } from "vitest";
import recorded from "../fixtures/metadefs-glance/glance-tags.json";
import steps from "../fixtures/metadefs-glance/scenario-tags.mjs";
import { replay, type Step } from "../helpers/glance-replay";

describe("metadefs tags, replayed against Glance 25's recorded answers", () => {
  replay(steps as Step[], recorded);
});
