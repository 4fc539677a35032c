// The closed set of domain errors; http/errors.ts is the only place that turns them into responses.

export type ErrorKind =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "gone"
  | "payload_too_large"
  | "unsupported_media_type"
  | "range_not_satisfiable"
  | "not_implemented"
  | "service_unavailable";

export interface ErrorOptions {
  /**
   * WebOb renders an error as "<explanation><br /><br />\n<detail>". Glance sometimes raises with only a
   * detail (e.g. 409 "Property x does not exist."), leaving WebOb's default explanation in front of it.
   */
  detail?: string;
  headers?: Record<string, string>;
}

export class DomainError extends Error {
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  /** `message` is the explanation; undefined means "use the status's default text". */
  constructor(
    readonly kind: ErrorKind,
    readonly explanation: string | undefined,
    options: ErrorOptions = {},
  ) {
    super(explanation ?? options.detail ?? kind);
    this.name = "DomainError";
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (msg: string, o?: ErrorOptions) => new DomainError("bad_request", msg, o);
export const forbidden = (msg?: string, o?: ErrorOptions) => new DomainError("forbidden", msg, o);
export const notFound = (msg?: string, o?: ErrorOptions) => new DomainError("not_found", msg, o);
export const conflict = (msg?: string, o?: ErrorOptions) => new DomainError("conflict", msg, o);
export const gone = (msg?: string, o?: ErrorOptions) => new DomainError("gone", msg, o);
export const payloadTooLarge = (msg?: string, o?: ErrorOptions) => new DomainError("payload_too_large", msg, o);
export const unsupportedMediaType = (msg: string, o?: ErrorOptions) =>
  new DomainError("unsupported_media_type", msg, o);
export const rangeNotSatisfiable = (detail: string) => new DomainError("range_not_satisfiable", undefined, { detail });

export const imageNotFound = (id: string) => notFound(`No image found with ID ${id}`);

/** Glance's quota message for tags, properties and members (glance/common/exception.py ImageLimitExceeded-style). */
export const limitExceeded = (what: "tags" | "properties" | "members", attempted: number, maximum: number) =>
  payloadTooLarge(
    `The limit has been exceeded on the number of allowed image ${what}. Attempted: ${attempted}, Maximum: ${maximum}`,
  );
