// The image format inspector's public face: stream an image through createInspector, then judge the result.
export {
  createInspector,
  type ImageInspector,
  type InspectionResult,
  type InspectorOptions,
  inspectBytes,
  inspectRanges,
} from "./inspector";
export { type DetectedFormat, FORMATS, type FormatReport, type SafetyFailure } from "./probe";
export {
  DEFAULT_FORMAT_SETTINGS,
  type FormatSettings,
  inferDiskFormat,
  judge,
  UNSAFE_MESSAGE,
  type Verdict,
} from "./verdict";
