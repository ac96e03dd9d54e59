/**
 * Who is calling. Every HTTP route of every service needs a bearer token, a JWT signed by the identity provider,
 * unless it is marked @Public() (the probes, the metrics, the live page's settings). The token says who the caller is
 * (`sub`) and what it may do (a roles claim):
 *   - a customer (role `customer`, `sub` the customer's id) acts for itself only: places its own orders, reads,
 *     streams and cancels them;
 *   - an admin (role `admin`) runs the shop: credit, stock, erasure, views, every order. Every route declared
 *     under `admin/` needs it, whatever its controller says (@Public() included), so that no admin route is ever
 *     open by omission. The rule reads the route's declaration, not the URL, which Express matches ignoring case.
 * The services check tokens against the provider's published keys (a JWKS), so any OpenID Connect provider
 * plugs in with AUTH_JWKS_URL and AUTH_ISSUER. Without them, the demo issuer (demo-issuer.ts) stands in.
 *
 * Why a token and not a session: four services answer the same caller, and none calls the provider per request;
 * each checks the signature with keys it has cached.
 */
import {
  createParamDecorator,
  ForbiddenException,
  Injectable,
  ServiceUnavailableException,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

export const ROLES = ['customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The caller of a request, from its token. */
export class Principal {
  constructor(
    readonly subject: string,
    readonly roles: readonly Role[],
  ) {}

  get isAdmin(): boolean {
    return this.roles.includes('admin');
  }

  /** The customer this caller is: a token with the customer role, whose subject is the customer's id. */
  get customerId(): string | undefined {
    return this.roles.includes('customer') ? this.subject : undefined;
  }

  /** May see and act on what belongs to `customerId`: that customer, or an admin. */
  actsFor(customerId: string): boolean {
    return this.isAdmin || this.customerId === customerId;
  }

  /**
   * Whose orders the caller sees: undefined for an admin (everyone's), else its own. A caller that is neither is
   * refused, so that a role added later sees nothing until it is given something.
   */
  get ordersOf(): string | undefined {
    if (this.isAdmin) return undefined;
    if (this.customerId !== undefined) return this.customerId;
    throw new ForbiddenException('only a customer or an admin sees orders');
  }
}

/** How tokens are checked: whose keys, which issuer and audience, and where the roles are in the token. */
export type TokenCheck = {
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** A claim name, or a dotted path into the token (Keycloak puts roles in `realm_access.roles`). */
  rolesClaim: string;
};

const PUBLIC = Symbol('public');
const REQUIRED_ROLES = Symbol('required roles');

/** The route answers anyone: no token needed. */
export const Public = () => SetMetadata(PUBLIC, true);

/** The route needs one of these roles (on a controller: every route of it). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

type WithPrincipal = { headers: Record<string, string | string[] | undefined>; principal?: Principal };

/** The request's caller, as the guard found it (undefined on a @Public() route). */
export const Caller = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<WithPrincipal>().principal,
);

const customerSubject = z.uuid();

/** Checks the bearer token of every HTTP request, and the roles a route requires. Kafka handlers are not its. */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly check: TokenCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // an event from Kafka: who may write a topic is the broker's call
    const targets = [context.getHandler(), context.getClass()];
    const adminRoute = isAdminRoute(this.reflector, context);
    if (!adminRoute && this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<WithPrincipal>();
    const principal = await this.principalOf(request.headers.authorization);
    const required = adminRoute
      ? (['admin'] satisfies Role[])
      : this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (required && !required.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenException(
        `this needs the role ${required.join(' or ')}; the token has ${principal.roles.join(', ')}`,
      );
    }
    request.principal = principal;
    return true;
  }

  private async principalOf(header: string | string[] | undefined): Promise<Principal> {
    const token = typeof header === 'string' ? /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header)?.[1] : undefined;
    if (!token) {
      throw new UnauthorizedException(
        header === undefined
          ? 'this needs a bearer token: Authorization: Bearer <JWT> (in the demo, `npm run token -- ada` prints one)'
          : 'the Authorization header must be "Bearer " and a JWT',
      );
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.check.keys, {
        issuer: this.check.issuer,
        audience: this.check.audience,
        algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
        requiredClaims: ['exp', 'sub'], // a token that never expires, or names no one, is no token
      }));
    } catch (error) {
      // The provider's keys out of reach is the service's trouble, not the token's: the client keeps its token.
      if (error instanceof errors.JWKSTimeout || error instanceof TypeError) {
        throw new ServiceUnavailableException("the identity provider's keys cannot be fetched; try again shortly");
      }
      throw new UnauthorizedException(`the bearer token is not accepted: ${whyRefused(error)}`);
    }
    const roles = claimAt(payload, this.check.rolesClaim);
    const known = (Array.isArray(roles) ? roles : []).filter((role): role is Role => ROLES.includes(role as Role));
    const principal = new Principal(payload.sub!, known);
    if (known.length === 0) {
      throw new ForbiddenException(`the token has no role this system knows (${ROLES.join(', ')})`);
    }
    if (principal.customerId !== undefined && !customerSubject.safeParse(principal.subject).success) {
      throw new ForbiddenException("a customer's token must have the customer's id (a UUID) as its subject");
    }
    return principal;
  }
}

/** Whether the route is declared under `admin/`, by its controller's path or its own. */
function isAdminRoute(reflector: Reflector, context: ExecutionContext): boolean {
  const declared = [context.getClass(), context.getHandler()].map(
    (target) => reflector.get<string | string[] | undefined>(PATH_METADATA, target) ?? '',
  );
  const path = declared.flat().join('/').replace(/\/+/g, '/').replace(/^\//, '');
  return /^admin(\/|$)/i.test(path);
}

function claimAt(payload: JWTPayload, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], payload);
}

function whyRefused(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches it';
  if (error instanceof errors.JWTClaimValidationFailed) return `its "${error.claim}" claim is wrong (${error.reason})`;
  if (error instanceof errors.JOSEError) return error.message;
  return 'it cannot be read';
}
