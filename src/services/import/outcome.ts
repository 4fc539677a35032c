// What an import method hands back to the runner: the data it stored, or why the task fails or stops.

/** What the import produced, ready for the image row: the data's size and digests, and what its format gives. */
export interface ImportedData {
  size: number;
  md5: string;
  sha512: string;
  virtualSize: number | null;
  /** glance-download: the formats and properties copied from the remote image, set as the image activates. */
  metadata?: { diskFormat: string | null; containerFormat: string | null; properties: Record<string, string> };
}

/** A failure that ends the task with this message (anything else gets a generic one). */
export class ImportFailure extends Error {
  override readonly name = "ImportFailure";
}

/** Another delivery took the task over: stop without touching anything. */
export class TaskLost extends Error {
  override readonly name = "TaskLost";
}
