/**
 * The client certificate of a request (RFC 8705 §3): from the TLS socket, from a header that a
 * TLS-terminating proxy sets, or from the user's function; its SHA-256 thumbprint, base64url, is what a
 * certificate-bound token's `cnf["x5t#S256"]` must equal.
 */
import { createHash, X509Certificate } from "node:crypto";
import type { ResolvedMtls } from "../config/sender-constraint.js";
import type { ClientCertificate } from "../credential-types.js";
import { headerValues, type RequestReader } from "../http/request.js";

interface PeerCertificateSocket {
	getPeerCertificate(detailed?: boolean): { raw?: Buffer } | null | undefined;
}

/** Thumbprints per TLS socket: a connection's client certificate does not change. */
const bySocket = new WeakMap<object, string | null>();
/** Thumbprints per header value: a client sends the same certificate every time. Cleared when full. */
const byText = new Map<string, string | null>();
const MAX_TEXTS = 256;

function sha256(der: Uint8Array): string {
	return createHash("sha256").update(der).digest("base64url");
}

/** A PEM certificate whose body is base64 with any whitespace (line breaks, or spaces on one line). */
const PEM = /^-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----$/;

/** The DER of a certificate given as PEM (URL-encoded too) or base64 DER text; `undefined` if it is none. */
function derOfText(text: string): Buffer | undefined {
	let value = text.trim();
	if (value.startsWith("-----BEGIN%20") || value.includes("%0A")) {
		try {
			value = decodeURIComponent(value);
		} catch {
			return undefined;
		}
	}
	try {
		// A header holds no line break: a proxy sends the PEM on one line (Apache: line breaks as spaces).
		const oneLine = PEM.exec(value);
		if (oneLine !== null) return new X509Certificate(Buffer.from(oneLine[1] as string, "base64")).raw;
		if (value.startsWith("-----BEGIN")) return new X509Certificate(value).raw;
		if (/^[A-Za-z0-9+/=\s]+$/.test(value)) return new X509Certificate(Buffer.from(value, "base64")).raw;
	} catch {
		return undefined;
	}
	return undefined;
}

function thumbprintOfText(text: string): string | undefined {
	let thumbprint = byText.get(text);
	if (thumbprint === undefined) {
		const der = text.length > 16_384 ? undefined : derOfText(text);
		thumbprint = der === undefined ? null : sha256(der);
		if (byText.size >= MAX_TEXTS) byText.clear();
		byText.set(text, thumbprint);
	}
	return thumbprint ?? undefined;
}

function thumbprintOfValue(value: ClientCertificate): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (value instanceof X509Certificate) return sha256(value.raw);
	if (value instanceof Uint8Array) return value.length === 0 ? undefined : sha256(value);
	if (typeof value === "string") return thumbprintOfText(value);
	return undefined;
}

function thumbprintOfSocket(socket: unknown): string | undefined {
	if (typeof socket !== "object" || socket === null) return undefined;
	if (typeof (socket as Partial<PeerCertificateSocket>).getPeerCertificate !== "function") return undefined;
	let thumbprint = bySocket.get(socket);
	if (thumbprint === undefined) {
		const raw = (socket as PeerCertificateSocket).getPeerCertificate(false)?.raw;
		thumbprint = raw === undefined || raw.length === 0 ? null : sha256(raw);
		bySocket.set(socket, thumbprint);
	}
	return thumbprint ?? undefined;
}

/**
 * The SHA-256 thumbprint (base64url) of the request's client certificate, or `undefined` when it has
 * none (or one that cannot be read: a header that is no certificate, a function that throws).
 *
 * @example
 * ```ts
 * certificateThumbprint(req, reader, { certificate: 'socket', required: false })
 * ```
 */
export function certificateThumbprint<R>(
	request: R,
	reader: RequestReader<R>,
	mtls: ResolvedMtls,
): string | undefined {
	const source = mtls.certificate;
	if (source === "socket") return thumbprintOfSocket(reader.socket?.(request));
	if (typeof source === "function") {
		try {
			return thumbprintOfValue(source(request));
		} catch {
			return undefined;
		}
	}
	const values = headerValues(request, reader, source.header);
	return values.length === 1 ? thumbprintOfText(values[0] as string) : undefined;
}
