/**
 * `@bearerguard/nestjs`: a NestJS module, guard and decorators that verify OAuth 2.0 bearer tokens, on
 * Nest's Express and Fastify platforms alike, with the same answers as every bearerguard adapter.
 *
 * @example
 * ```ts
 * import { BearerGuardModule, BearerGuard, RequirePermissions, Auth, Public } from '@bearerguard/nestjs'
 *
 * @Module({ imports: [BearerGuardModule.forRoot({ issuer, audience, globalGuard: true })] })
 * export class AppModule {}
 * ```
 *
 * @packageDocumentation
 */
export {
	type AdapterOptions,
	type ApiKeyRecord,
	type ApiKeysOptions,
	type AuthResult,
	BearerError,
	type CustomClaims,
	createMemoryReplayStore,
	type DpopOptions,
	type ErrorHandling,
	type ErrorHook,
	type ErrorResponse,
	GuardSetupError,
	generateApiKey,
	hashApiKey,
	InsufficientScopeError,
	InvalidDpopProofError,
	InvalidRequestError,
	InvalidTokenError,
	type MtlsOptions,
	type ProtectedResourceMetadata,
	type ReplayStore,
	type ResourceOptions,
	TemporarilyUnavailableError,
	UseDpopNonceError,
} from "@bearerguard/core";
export { BearerGuard } from "./bearer-guard.js";
export {
	BearerGuardModule,
	type BearerGuardModuleAsyncOptions,
	type BearerGuardModuleOptions,
} from "./bearer-guard.module.js";
export { AnyPermission, Auth, OptionalAuth, Public, RequirePermissions } from "./decorators.js";
export { BearerExceptionFilter, BearerHttpException } from "./exception.js";
export { type AuthenticatedRequest, BEARERGUARD_OPTIONS, type NestAuthOptions } from "./options.js";
