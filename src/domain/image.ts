// The image entity and its vocabularies, as Glance's domain model defines them.

export const IMAGE_STATUSES = [
  "queued",
  "saving",
  "active",
  "killed",
  "deleted",
  "uploading",
  "importing",
  "pending_delete",
  "deactivated",
] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export const VISIBILITIES = ["community", "public", "private", "shared"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"] as const;
export const DISK_FORMATS = [
  "ami",
  "ari",
  "aki",
  "vhd",
  "vhdx",
  "vmdk",
  "raw",
  "qcow2",
  "vdi",
  "iso",
  "ploop",
] as const;

export const MEMBER_STATUSES = ["pending", "accepted", "rejected"] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export interface Image {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: Visibility;
  protected: boolean;
  osHidden: boolean;
  checksum: string | null;
  osHashAlgo: string | null;
  osHashValue: string | null;
  owner: string | null;
  size: number | null;
  virtualSize: number | null;
  minRam: number;
  minDisk: number;
  containerFormat: string | null;
  diskFormat: string | null;
  /** Milliseconds since the epoch; serialized at second precision like Glance. */
  createdAt: number;
  updatedAt: number;
  tags: string[];
  /** Ids of the stores holding the data, in the order the copies were made (Glance's locations' stores). */
  stores: string[];
  /** Extra ("additional") properties: always string values. */
  properties: Record<string, string>;
}

/** The image fields a create request may set. */
export interface NewImageInput {
  id?: string;
  name?: string | null;
  visibility?: Visibility;
  protected?: boolean;
  osHidden?: boolean;
  owner?: string | null;
  minRam?: number;
  minDisk?: number;
  containerFormat?: string | null;
  diskFormat?: string | null;
  tags?: string[];
  properties?: Record<string, string>;
}

/** Glance's ImageFactory.new_image defaults: queued, shared, unprotected, visible, zero minimums. */
export function newImage(input: NewImageInput, defaults: { id: string; owner: string | null; now: number }): Image {
  return {
    id: input.id ?? defaults.id,
    name: input.name ?? null,
    status: "queued",
    visibility: input.visibility ?? "shared",
    protected: input.protected ?? false,
    osHidden: input.osHidden ?? false,
    checksum: null,
    osHashAlgo: null,
    osHashValue: null,
    owner: input.owner !== undefined ? input.owner : defaults.owner,
    size: null,
    virtualSize: null,
    minRam: input.minRam ?? 0,
    minDisk: input.minDisk ?? 0,
    containerFormat: input.containerFormat ?? null,
    diskFormat: input.diskFormat ?? null,
    createdAt: defaults.now,
    updatedAt: defaults.now,
    tags: uniqueSorted(input.tags ?? []),
    stores: [],
    properties: { ...(input.properties ?? {}) },
  };
}

/**
 * Sets an extra property as an own data property. Plain assignment of "__proto__" would change the object's
 * prototype instead and silently drop the user's property.
 */
export function setProperty<T>(props: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(props, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Tags are a set in Glance; we keep them sorted so responses are stable. */
export function uniqueSorted(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort();
}

export const UUID_RE = /^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$/;
