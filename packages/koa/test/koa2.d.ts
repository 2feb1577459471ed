// The `koa2` alias is Koa 2 at runtime (npm:koa@^2); its API is the one typed by @types/koa.
declare module "koa2" {
	import Koa from "koa";
	export default Koa;
}
