// Who is calling: built by the auth layer from a token, read by policy and services.

export interface RequestContext {
  userId: string;
  projectId: string | null;
  /** Lower-cased role names, with Keystone's implied roles expanded (admin ⊃ member ⊃ reader). */
  roles: ReadonlySet<string>;
  isAdmin: boolean;
  requestId: string;
  /** The caller's token, forwarded to another region's Glance by glance-download; null with static tokens. */
  authToken: string | null;
  /** The image endpoints of the token's Keystone service catalog (empty with static tokens). */
  imageEndpoints: readonly ServiceEndpoint[];
}

/** One endpoint of a catalog service: Keystone v3's region id, interface (public/internal/admin) and URL. */
export interface ServiceEndpoint {
  region: string;
  interface: string;
  url: string;
}

/** Keystone implies member from admin and reader from member; tokens may carry only the strongest one. */
function expandRoles(roles: readonly string[]): Set<string> {
  const out = new Set(roles.map((r) => r.toLowerCase()));
  if (out.has("admin")) out.add("member");
  if (out.has("member")) out.add("reader");
  return out;
}

export function makeContext(
  identity: {
    userId: string;
    projectId: string | null;
    roles: readonly string[];
    imageEndpoints?: readonly ServiceEndpoint[];
  },
  requestId: string,
  authToken: string | null = null,
): RequestContext {
  const roles = expandRoles(identity.roles);
  return {
    userId: identity.userId,
    projectId: identity.projectId,
    roles,
    isAdmin: roles.has("admin"),
    requestId,
    authToken,
    imageEndpoints: identity.imageEndpoints ?? [],
  };
}
