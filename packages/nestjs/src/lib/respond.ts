/**
 * Writing an answer through the platform's own response object: Express's `res` (Node's response) or
 * Fastify's `reply`, so the bytes are the contract's on both.
 */

/** Express's `res`: Node's `ServerResponse`. */
interface NodeResponse {
	readonly headersSent: boolean;
	setHeader(name: string, value: string): unknown;
	writeHead(status: number, headers: Readonly<Record<string, string>>): { end(body?: string): unknown };
}

/** Fastify's `reply`. */
interface FastifyReply {
	readonly raw: unknown;
	readonly sent: boolean;
	header(name: string, value: string): unknown;
	code(status: number): FastifyReply;
	headers(headers: Readonly<Record<string, string>>): FastifyReply;
	send(body?: Buffer): unknown;
}

/** The response object of either platform. */
export type PlatformResponse = NodeResponse | FastifyReply;

/** Whether the response is Fastify's `reply` (else Express's `res`). */
export const isReply = (response: PlatformResponse): response is FastifyReply =>
	typeof (response as FastifyReply).code === "function" && (response as FastifyReply).raw !== undefined;

/**
 * Sends status, headers and body as they are: Node's `writeHead` on Express, `reply.send` of a Buffer on
 * Fastify (so neither adds a charset). An empty body is sent as none. Nothing is written twice.
 */
export function writeAnswer(
	response: PlatformResponse,
	answer: {
		readonly status: number;
		readonly headers: Readonly<Record<string, string>>;
		readonly body: string;
	},
): void {
	if (isReply(response)) {
		if (response.sent) return;
		response
			.code(answer.status)
			.headers(answer.headers)
			.send(answer.body === "" ? undefined : Buffer.from(answer.body));
	} else if (!response.headersSent) {
		response.writeHead(answer.status, answer.headers).end(answer.body);
	}
}

/** Sets headers for a successful answer (`successHeaders`), on either platform. */
export function setHeaders(response: PlatformResponse, headers: Readonly<Record<string, string>>): void {
	for (const [name, value] of Object.entries(headers)) {
		if (isReply(response)) response.header(name, value);
		else response.setHeader(name, value);
	}
}
