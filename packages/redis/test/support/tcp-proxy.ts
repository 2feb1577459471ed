/**
 * A TCP proxy on loopback in front of Redis, to cut one instance off while the others (and Redis)
 * carry on: a network partition of one host. `cut()` resets every connection through it and refuses
 * new ones until `restore()`.
 */
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
	readonly port: number;
	readonly url: string;
	cut(): void;
	restore(): void;
	close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
	const sockets = new Set<Socket>();
	let open = true;
	const track = (socket: Socket) => {
		sockets.add(socket);
		socket.once("close", () => sockets.delete(socket));
		socket.on("error", () => socket.destroy());
	};
	const server = createServer((client) => {
		track(client);
		if (!open) {
			client.resetAndDestroy();
			return;
		}
		const upstream = connect({ port: targetPort, host: "127.0.0.1" });
		track(upstream);
		client.pipe(upstream).pipe(client);
		client.once("close", () => upstream.destroy());
		upstream.once("close", () => client.destroy());
	});
	server.listen(0, "127.0.0.1");
	await once(server, "listening");
	const { port } = server.address() as { port: number };
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		cut() {
			open = false;
			for (const socket of sockets) socket.resetAndDestroy();
		},
		restore() {
			open = true;
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}
