/** Metadata keys of the decorators, read by `BearerGuard`. */
export const METADATA = Object.freeze({
	public: "bearerguard:public",
	permissions: "bearerguard:permissions",
	anyPermission: "bearerguard:any-permission",
	optional: "bearerguard:optional",
});
