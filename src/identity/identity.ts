// The IdentityProvider port: turns an X-Auth-Token into who is calling, or null when the token is not valid.
import type { ServiceEndpoint } from "../domain/request-context";

export interface Identity {
  userId: string;
  projectId: string | null;
  roles: string[];
  domainId?: string | null;
  /** The image service's endpoints in the token's catalog (Keystone only): where glance-download looks. */
  imageEndpoints?: ServiceEndpoint[];
}

export interface IdentityProvider {
  /** null for a missing, unknown or expired token; throws DomainError(service_unavailable) if it cannot tell. */
  validate(token: string): Promise<Identity | null>;
  /** Where a client should authenticate: the `uri` of the 401's WWW-Authenticate header. */
  readonly authUri: string;
}
