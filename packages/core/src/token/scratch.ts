/**
 * One buffer for the short-lived bytes of a cache miss: a segment being decoded, a signing input being
 * verified. Each use writes it and is done with it before returning (decoding copies the text out,
 * `crypto.verify` and `Hmac.update` read it synchronously), so no two uses can overlap; it saves an
 * allocation and a copy per token. Longer inputs get a buffer of their own.
 */
const SCRATCH = Buffer.allocUnsafe(16 * 1024);

/**
 * The bytes of `text` (base64url-decoded, or one byte per character for `latin1`), valid only until
 * the next call: use them at once, synchronously.
 */
export function scratchBytes(text: string, encoding: "latin1" | "base64url"): Buffer {
	// base64url text decodes to fewer bytes than it has characters; latin1 to as many.
	if (text.length > SCRATCH.length) return Buffer.from(text, encoding);
	return SCRATCH.subarray(0, SCRATCH.write(text, 0, encoding));
}
