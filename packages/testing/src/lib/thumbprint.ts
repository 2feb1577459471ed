import { createHash } from "node:crypto";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/**
 * The `x5t#S256` of an X.509 certificate (RFC 8705 §3.1): base64url(SHA-256(DER)). Takes a
 * PEM string (the first certificate in it) or the DER bytes, e.g.
 * `socket.getPeerCertificate().raw`.
 *
 * @throws TypeError when the value is neither a PEM certificate nor bytes
 * @example
 * ```ts
 * const { client } = await createTestCertificates();
 * certificateThumbprint(client.cert) === client.thumbprint; // true
 * ```
 */
export function certificateThumbprint(pemOrDer: string | Uint8Array): string {
	let der: Uint8Array;
	if (typeof pemOrDer === "string") {
		const match = PEM_CERTIFICATE.exec(pemOrDer);
		if (!match?.[1]) throw new TypeError("certificate must be a PEM certificate or its DER bytes.");
		der = Buffer.from(match[1].replace(/\s+/g, ""), "base64");
	} else if (pemOrDer instanceof Uint8Array && pemOrDer.length > 0) {
		der = pemOrDer;
	} else {
		throw new TypeError("certificate must be a PEM certificate or its DER bytes.");
	}
	return createHash("sha256").update(der).digest("base64url");
}
