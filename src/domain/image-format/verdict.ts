// Glance's verdict on inspected data (glance/location.py, master): does it match the claimed disk_format, is
// it safe, and which virtual_size the image gets. Pure: the caller turns a refusal into its 400.
import type { InspectionResult } from "./inspector";
import { type DetectedFormat, FORMATS, type FormatReport } from "./probe";

export interface FormatSettings {
  /** Glance's [image_format] require_image_format_match (default true). */
  requireFormatMatch: boolean;
  /** Glance's [image_format] gpt_safety_checks_nonfatal: check names ("mbr", "gpt") tolerated on gpt data. */
  gptNonfatalChecks: readonly string[];
}

export const DEFAULT_FORMAT_SETTINGS: FormatSettings = { requireFormatMatch: true, gptNonfatalChecks: [] };

export type Verdict =
  | { readonly accepted: true; readonly diskFormat: string; readonly virtualSize: number | null }
  | { readonly accepted: false; readonly reason: "mismatch" | "multiple" | "unsafe"; readonly message: string };

/** Glance's message for data that failed a safety check (details go to the log, never to the client). */
export const UNSAFE_MESSAGE = "Image failed safety checks";

const INSPECTABLE: readonly string[] = FORMATS;
/** The disk_format values Glance offers; a detected format outside them is recorded as raw when inferring. */
const GLANCE_DISK_FORMATS: readonly DetectedFormat[] = ["raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "iso"];

/**
 * The verdict for data claimed to be `claimed` (an image's disk_format), following Glance:
 * - the detected format must be the claimed one; except that a claimed `raw` takes any format (virtual_size is
 *   then the byte count) and a format we cannot inspect (ami, aki, ari, ploop) takes data that looks raw;
 * - data matching several formats is refused, an ISO with a GPT being an ISO;
 * - the detected format's safety checks must pass (on gpt data, `gptNonfatalChecks` are forgiven).
 * With requireFormatMatch off, a mismatch or an ambiguity is let through without a virtual size, as in Glance,
 * but unlike Glance the safety checks of what was detected still run.
 */
export function judge(claimed: string, result: InspectionResult, settings: FormatSettings): Verdict {
  const refuse = (reason: "mismatch" | "multiple" | "unsafe", message: string): Verdict => ({
    accepted: false,
    reason,
    message,
  });
  if (result.format === null) {
    if (settings.requireFormatMatch)
      return refuse("multiple", `Multiple formats detected: ${result.matches.map((m) => m.format).join(",")}`);
    if (result.matches.some((m) => fatal(m, settings))) return refuse("unsafe", UNSAFE_MESSAGE);
    return { accepted: true, diskFormat: claimed, virtualSize: null };
  }
  const detected = result.matches.find((m) => m.format === result.format)!;
  let virtualSize: number | null;
  if (detected.format === claimed) virtualSize = detected.virtualSize;
  else if (detected.format === "raw" && !INSPECTABLE.includes(claimed)) virtualSize = null;
  else if (claimed === "raw") virtualSize = result.size;
  else if (settings.requireFormatMatch)
    return refuse("mismatch", `Image disk_format ${claimed} does not match stream data ${detected.format}`);
  else virtualSize = null;
  if (fatal(detected, settings)) return refuse("unsafe", UNSAFE_MESSAGE);
  // Glance stores no virtual_size of 0 ("unknown").
  return { accepted: true, diskFormat: claimed, virtualSize: virtualSize || null };
}

/** Whether a report's failures refuse the image: any failure, unless all are forgiven gpt checks. */
function fatal(report: FormatReport, settings: FormatSettings): boolean {
  if (!report.failures.length) return false;
  if (report.format !== "gpt") return true;
  return report.failures.some((f) => !settings.gptNonfatalChecks.includes(f.check));
}

/**
 * The disk_format to record for an upload that has none (INFER_UPLOAD_FORMATS): the detected format when
 * Glance has it, else raw (a partitioned disk, LUKS, QED, ambiguous data). Judge the data against it next:
 * raw still runs the detected format's safety checks, so QED or an ambiguity is refused all the same.
 */
export function inferDiskFormat(result: InspectionResult): string {
  const f = result.format;
  return f !== null && GLANCE_DISK_FORMATS.includes(f) ? f : "raw";
}
