// The image document as the API returns it, and what the console knows about its fields.

export interface Image {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  protected: boolean;
  os_hidden?: boolean;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  owner: string | null;
  size: number | null;
  virtual_size: number | null;
  min_disk: number;
  min_ram: number;
  disk_format: string | null;
  container_format: string | null;
  created_at: string;
  updated_at: string;
  tags: string[];
  [extra: string]: unknown;
}

export interface ImageList {
  images: Image[];
  next?: string;
  first: string;
}

export interface Member {
  member_id: string;
  image_id: string;
  status: "pending" | "accepted" | "rejected";
  created_at: string;
  updated_at: string;
}

export interface Task {
  id: string;
  type: string;
  status: string;
  message: string;
  created_at: string;
  updated_at: string;
  input?: { import_req?: { method?: { name?: string; uri?: string } } };
}

/** Keys of the image schema; everything else on an image is an extra property. */
export const BASE_KEYS = new Set([
  "id",
  "name",
  "status",
  "visibility",
  "protected",
  "os_hidden",
  "checksum",
  "os_hash_algo",
  "os_hash_value",
  "owner",
  "size",
  "virtual_size",
  "min_ram",
  "min_disk",
  "disk_format",
  "container_format",
  "created_at",
  "updated_at",
  "tags",
  "self",
  "file",
  "schema",
  "direct_url",
  "locations",
  "stores",
]);

/** os_glance_* properties belong to the service (import bookkeeping): shown, never edited. */
export const isReserved = (key: string) => key.startsWith("os_glance");

export const extraProperties = (img: Image): [string, unknown][] =>
  Object.entries(img)
    .filter(([k]) => !BASE_KEYS.has(k))
    .sort(([a], [b]) => a.localeCompare(b));

/** Statuses that change by themselves: the list and detail pages refresh while an image is in one. */
export const BUSY = new Set(["saving", "uploading", "importing"]);

export const DISK_FORMATS = ["raw", "qcow2", "vmdk", "vhd", "vhdx", "vdi", "iso", "ploop", "ami", "ari", "aki"];
export const CONTAINER_FORMATS = ["bare", "ovf", "ova", "docker", "compressed", "ami", "ari", "aki"];
export const VISIBILITIES = ["private", "shared", "community", "public"];
export const STATUSES = [
  "queued",
  "saving",
  "uploading",
  "importing",
  "active",
  "deactivated",
  "killed",
  "pending_delete",
];

export const imagePath = (id: string) => `/v2/images/${encodeURIComponent(id)}`;
