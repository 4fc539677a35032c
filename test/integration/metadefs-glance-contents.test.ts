// Objects and properties as Glance 25 answers them: every recorded request of scenario-contents.mjs, replayed in order.
import { describe } from "vitest";
import recorded from "../fixtures/metadefs-glance/glance-contents.json";
import steps from "../fixtures/metadefs-glance/scenario-contents.mjs";
import { replay, type Step } from "../helpers/glance-replay";

describe("metadefs contents, replayed against Glance 25's recorded answers", () => {
  replay(steps as Step[], recorded);
});
