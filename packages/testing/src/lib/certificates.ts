import { createHash, KeyObject, randomBytes, webcrypto } from "node:crypto";
import { isIP } from "node:net";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import type { PemKeyPair, TestCertificates, TestCertificatesOptions } from "../types.js";
import { toSeconds } from "./durations.js";
import { certificateThumbprint } from "./thumbprint.js";

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const OID = {
	commonName: "2.5.4.3",
	subjectKeyIdentifier: "2.5.29.14",
	keyUsage: "2.5.29.15",
	subjectAltName: "2.5.29.17",
	basicConstraints: "2.5.29.19",
	authorityKeyIdentifier: "2.5.29.35",
	extKeyUsage: "2.5.29.37",
	serverAuth: "1.3.6.1.5.5.7.3.1",
	clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** Key usage bits as DER puts them in the first byte (RFC 5280 §4.2.1.3). */
const USAGE = { digitalSignature: 0x80, keyEncipherment: 0x20, keyCertSign: 0x04, cRLSign: 0x02 } as const;

const KEY_ALGORITHMS = {
	ec: { name: "ECDSA", namedCurve: "P-256" },
	rsa: {
		name: "RSASSA-PKCS1-v1_5",
		modulusLength: 2048,
		publicExponent: new Uint8Array([1, 0, 1]),
		hash: "SHA-256",
	},
} as const;

type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]["crypto"];
const engine = new pkijs.CryptoEngine({ name: "node", crypto: webcrypto as unknown as EngineCrypto });

interface Issued {
	readonly keys: CryptoKeyPair;
	readonly certificate: pkijs.Certificate;
	readonly keyId: ArrayBuffer;
}

interface Profile {
	readonly commonName: string;
	readonly ca?: boolean;
	readonly usages: number;
	readonly extendedUsage?: string;
	readonly names?: readonly string[];
}

function extension(extnID: string, critical: boolean, value: { toBER(sizeOnly?: boolean): ArrayBuffer }) {
	return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

function keyUsage(bits: number): asn1js.BitString {
	let unusedBits = 0;
	while (unusedBits < 7 && (bits & (1 << unusedBits)) === 0) unusedBits++;
	return new asn1js.BitString({ valueHex: new Uint8Array([bits]).buffer, unusedBits });
}

function ipv4Bytes(address: string): number[] {
	return address.split(".").map(Number);
}

function ipv6Bytes(address: string): number[] {
	const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
	const hex = dotted
		? address.replace(
				dotted,
				Buffer.from(ipv4Bytes(dotted))
					.toString("hex")
					.replace(/^(.{4})/, "$1:"),
			)
		: address;
	const [head = "", tail] = hex.split("::");
	const first = head === "" ? [] : head.split(":");
	const last = tail === undefined || tail === "" ? [] : tail.split(":");
	const zeros = tail === undefined ? [] : Array<string>(8 - first.length - last.length).fill("0");
	return [...first, ...zeros, ...last].flatMap((group) => {
		const value = Number.parseInt(group, 16);
		return [value >> 8, value & 0xff];
	});
}

function generalName(name: string): pkijs.GeneralName {
	const version = isIP(name);
	if (version === 0) return new pkijs.GeneralName({ type: 2, value: name });
	const bytes = Uint8Array.from(version === 4 ? ipv4Bytes(name) : ipv6Bytes(name));
	return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: bytes.buffer }) });
}

async function issue(
	profile: Profile,
	issuer: Issued | undefined,
	keyType: "ec" | "rsa",
	days: number,
): Promise<Issued> {
	const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHMS[keyType], true, [
		"sign",
		"verify",
	])) as CryptoKeyPair;
	const certificate = new pkijs.Certificate();
	certificate.version = 2;
	const serial = randomBytes(16);
	serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
	certificate.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer });
	const subject = new pkijs.AttributeTypeAndValue({
		type: OID.commonName,
		value: new asn1js.Utf8String({ value: profile.commonName }),
	});
	certificate.subject.typesAndValues.push(subject);
	certificate.issuer.typesAndValues.push(issuer ? issuer.certificate.subject.typesAndValues[0]! : subject);
	certificate.notBefore.value = new Date(Date.now() - 3_600_000);
	certificate.notAfter.value = new Date(Date.now() + days * 1000);
	await certificate.subjectPublicKeyInfo.importKey(keys.publicKey, engine);
	const publicKeyBits = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
	const keyId = new Uint8Array(createHash("sha1").update(publicKeyBits).digest()).buffer;
	const extensions = [
		extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: profile.ca === true }).toSchema()),
		extension(OID.keyUsage, true, keyUsage(profile.usages)),
		extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId })),
	];
	if (issuer) {
		const authority = new pkijs.AuthorityKeyIdentifier({
			keyIdentifier: new asn1js.OctetString({ valueHex: issuer.keyId }),
		});
		extensions.push(extension(OID.authorityKeyIdentifier, false, authority.toSchema()));
	}
	if (profile.extendedUsage) {
		const usage = new pkijs.ExtKeyUsage({ keyPurposes: [profile.extendedUsage] });
		extensions.push(extension(OID.extKeyUsage, false, usage.toSchema()));
	}
	if (profile.names) {
		const names = new pkijs.GeneralNames({ names: profile.names.map(generalName) });
		extensions.push(extension(OID.subjectAltName, false, names.toSchema()));
	}
	certificate.extensions = extensions;
	await certificate.sign((issuer ?? { keys }).keys.privateKey, "SHA-256", engine);
	return { keys, certificate, keyId };
}

function toPem(issued: Issued): PemKeyPair {
	const der = Buffer.from(issued.certificate.toSchema(true).toBER(false));
	const body = der.toString("base64").replace(/.{1,64}/g, "$&\n");
	const key = KeyObject.from(issued.keys.privateKey as CryptoKey);
	return {
		key: key.export({ type: "pkcs8", format: "pem" }).toString(),
		cert: `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`,
	};
}

interface CheckedOptions {
	readonly clients: string[];
	readonly serverNames: string[];
	readonly keyType: "ec" | "rsa";
	/** Seconds. */
	readonly validFor: number;
}

function checkOptions(options: TestCertificatesOptions): CheckedOptions {
	const { clients = ["client"], serverNames = ["localhost", "127.0.0.1", "::1"], keyType = "ec" } = options;
	const nonEmpty = (list: unknown): boolean =>
		Array.isArray(list) &&
		list.length > 0 &&
		list.every((entry) => typeof entry === "string" && entry !== "");
	if (!nonEmpty(clients)) throw new TypeError("clients must be a non-empty array of common names.");
	if (!nonEmpty(serverNames))
		throw new TypeError("serverNames must be a non-empty array of host names or IPs.");
	if (keyType !== "ec" && keyType !== "rsa") throw new TypeError("keyType must be 'ec' or 'rsa'.");
	const validFor = toSeconds(options.validFor ?? "1d", "validFor");
	if (validFor <= 0) throw new TypeError("validFor must be a positive duration.");
	return { clients, serverNames, keyType, validFor };
}

/**
 * Creates a test CA and, signed by it, a server certificate for `localhost`, `127.0.0.1` and
 * `::1` and one client certificate per name (RFC 8705 mutual TLS tests), as PEM keys (PKCS #8)
 * and certificates. ECDSA P-256 by default; valid from an hour ago for one day.
 *
 * @throws TypeError for a bad option
 * @example
 * ```ts
 * import { createServer } from "node:https";
 *
 * const { ca, server, client } = await createTestCertificates();
 * const api = createServer({ key: server.key, cert: server.cert, ca: ca.cert, requestCert: true });
 * const token = await issuer.sign({}, { certificate: client.cert }); // cnf["x5t#S256"]
 * ```
 */
export async function createTestCertificates(
	options: TestCertificatesOptions = {},
): Promise<TestCertificates> {
	const { clients, serverNames, keyType, validFor } = checkOptions(options);
	const caUsages = USAGE.keyCertSign | USAGE.cRLSign;
	const ca = await issue(
		{ commonName: "bearerguard test CA", ca: true, usages: caUsages },
		undefined,
		keyType,
		validFor,
	);
	const serverUsages = USAGE.digitalSignature | (keyType === "rsa" ? USAGE.keyEncipherment : 0);
	const [server, ...clientCertificates] = await Promise.all([
		issue(
			{
				commonName: serverNames[0]!,
				usages: serverUsages,
				extendedUsage: OID.serverAuth,
				names: serverNames,
			},
			ca,
			keyType,
			validFor,
		),
		...clients.map((commonName) =>
			issue(
				{ commonName, usages: USAGE.digitalSignature, extendedUsage: OID.clientAuth },
				ca,
				keyType,
				validFor,
			),
		),
	]);
	const issuedClients = clientCertificates.map((issued, index) => {
		const pem = toPem(issued);
		return { ...pem, commonName: clients[index]!, thumbprint: certificateThumbprint(pem.cert) };
	});
	return { ca: toPem(ca), server: toPem(server!), clients: issuedClients, client: issuedClients[0]! };
}
