/**
 * The `htu` comparison (RFC 9449 §4.3 step 9): the request's URL normalised (RFC 3986 §6.2.2, §6.2.3),
 * the proof's query and fragment ignored, and request URLs whose host is not a host refused.
 */
import { describe, expect, it } from "vitest";
import { htuMatches, requestTarget, wellFormedOrigin } from "../../src/schemes/htu.js";

const TARGET = "https://api.example.com/v1/products";

describe("requestTarget: the request's URL, normalised", () => {
	it.each([
		["as is", "https://api.example.com/v1/products", TARGET],
		["the query dropped", "https://api.example.com/v1/products?page=2&sort=asc", TARGET],
		["the fragment dropped", "https://api.example.com/v1/products#top", TARGET],
		["scheme and host in upper case", "HTTPS://API.Example.COM/v1/products", TARGET],
		["the default https port", "https://api.example.com:443/v1/products", TARGET],
		["the default http port", "http://api.example.com:80/v1/products", "http://api.example.com/v1/products"],
		[
			"another port kept",
			"https://api.example.com:8443/v1/products",
			"https://api.example.com:8443/v1/products",
		],
		["port 443 on http kept", "http://api.example.com:443/v1", "http://api.example.com:443/v1"],
		["dot segments", "https://api.example.com/v1/./x/../products", TARGET],
		[
			"an unreserved character decoded",
			"https://api.example.com/v1/a%7e%41%2d",
			"https://api.example.com/v1/a~A-",
		],
		[
			"percent-encoding in upper case",
			"https://api.example.com/v1/a%2fb%c3%a9",
			"https://api.example.com/v1/a%2Fb%C3%A9",
		],
		["an IPv4 address", "http://127.0.0.1:3000/v1", "http://127.0.0.1:3000/v1"],
		["an IPv6 address", "http://[::1]:3000/v1", "http://[::1]:3000/v1"],
		["no path", "https://api.example.com", "https://api.example.com/"],
	])("%s", (_label, url, target) => {
		expect(requestTarget(url)).toBe(target);
	});

	it.each([
		["a host with user info", "https://a@b/v1"],
		["a host with user and password", "https://user:pw@api.example.com/v1"],
		["a host with a space", "https://a b/v1"],
		["an empty host", "https:///v1"],
		["an empty host and port", "https://:443/v1"],
		["a host with a comma (a forwarded list)", "https://api.example.com,evil.com/v1"],
		["a host with a backslash", "https://api.example.com\\evil.com/v1"],
		["a host with a quote", 'https://api.example.com"/v1'],
		["a host starting with a dot", "https://.example.com/v1"],
		["a port of six digits", "https://api.example.com:123456/v1"],
		["a port out of range", "https://api.example.com:99999/v1"],
		["a non-numeric port", "https://api.example.com:http/v1"],
		["another scheme", "ftp://api.example.com/v1"],
		["no scheme", "//api.example.com/v1"],
		["a relative URL", "/v1/products"],
		["an empty string", ""],
	])("refuses %s", (_label, url) => {
		expect(requestTarget(url)).toBeUndefined();
	});

	it("keeps answering the same after more than 1024 distinct URLs (its cache is cleared, not grown)", () => {
		for (let i = 0; i < 3000; i++)
			expect(requestTarget(`https://api.example.com/v1/${i}`)).toBe(`https://api.example.com/v1/${i}`);
		expect(requestTarget("https://a b/v1")).toBeUndefined();
		expect(requestTarget("https://API.example.com:443/v1/a%7e?x=1")).toBe("https://api.example.com/v1/a~");
	});
});

describe("htuMatches: the proof's htu against the target", () => {
	it.each([
		["equal", TARGET],
		["the scheme in upper case", "HTTPS://api.example.com/v1/products"],
		["the host in upper case", "https://API.EXAMPLE.COM/v1/products"],
		["the default port written", "https://api.example.com:443/v1/products"],
		["dot segments", "https://api.example.com/v1/../v1/./products"],
		["an unreserved character encoded", "https://api.example.com/v1/%70roducts"],
		["a query", "https://api.example.com/v1/products?page=2"],
		["a fragment", "https://api.example.com/v1/products#x"],
		["a query and a fragment", "https://api.example.com/v1/products?a=1#b"],
	])("matches with %s", (_label, htu) => {
		expect(htuMatches(htu, TARGET)).toBe(true);
	});

	it("compares percent-encodings without case", () => {
		const target = requestTarget("https://api.example.com/a%2fb") as string;
		expect(htuMatches("https://api.example.com/a%2Fb", target)).toBe(true);
		expect(htuMatches("https://api.example.com/a%2fb", target)).toBe(true);
		// A reserved character encoded is not the character itself.
		expect(htuMatches("https://api.example.com/a/b", target)).toBe(false);
	});

	it.each([
		["another path", "https://api.example.com/v1/orders"],
		["a path in another case", "https://api.example.com/V1/products"],
		["a trailing slash", "https://api.example.com/v1/products/"],
		["a prefix of the path", "https://api.example.com/v1"],
		["another host", "https://evil.example.com/v1/products"],
		["a subdomain", "https://x.api.example.com/v1/products"],
		["another port", "https://api.example.com:8443/v1/products"],
		["another scheme", "http://api.example.com/v1/products"],
		["user info", "https://user@api.example.com/v1/products"],
		["a relative URL", "/v1/products"],
		["not a URL", "not a url"],
		["empty", ""],
		["another scheme altogether", "ftp://api.example.com/v1/products"],
	])("does not match %s", (_label, htu) => {
		expect(htuMatches(htu, TARGET)).toBe(false);
	});
});

describe("wellFormedOrigin: Host and X-Forwarded-Host name hosts, X-Forwarded-Proto schemes, or no proof matches", () => {
	it.each<[string, string[], string[]]>([
		["one Host", ["api.example.com"], []],
		["a Host with a port", ["api.example.com:8443"], []],
		["an IPv6 Host", ["[::1]:3000"], []],
		["no Host (HTTP/2 gives :authority)", [], []],
		["a forwarded host", ["127.0.0.1:3000"], ["api.example.com"]],
		["a forwarded list", ["127.0.0.1:3000"], ["api.example.com, proxy.internal:8080"]],
		["two forwarded lines", ["127.0.0.1:3000"], ["api.example.com", "proxy.internal"]],
	])("accepts %s", (_label, hosts, forwarded) => {
		expect(wellFormedOrigin(hosts, forwarded, [])).toBe(true);
	});

	it.each<[string, string[], string[]]>([
		["a path in Host", ["api.example.com/other"], []],
		["user info in Host", ["evil.com@api.example.com"], []],
		["a space in Host", ["a b"], []],
		["an empty Host", [""], []],
		["a comma list in Host", ["evil.com, api.example.com"], []],
		["two Host lines", ["api.example.com", "evil.com"], []],
		["a query in Host", ["api.example.com?x"], []],
		["a path in X-Forwarded-Host", ["127.0.0.1"], ["api.example.com/other"]],
		["user info in X-Forwarded-Host", ["127.0.0.1"], ["evil.com@api"]],
		["a bad element in a forwarded list", ["127.0.0.1"], ["api.example.com, evil.com/x"]],
		["an empty element in a forwarded list", ["127.0.0.1"], ["api.example.com,,proxy"]],
		["an empty X-Forwarded-Host", ["127.0.0.1"], [""]],
	])("refuses %s", (_label, hosts, forwarded) => {
		expect(wellFormedOrigin(hosts, forwarded, [])).toBe(false);
	});
});

describe("wellFormedOrigin: X-Forwarded-Proto", () => {
	it.each([["https"], ["http"], ["HTTPS"], ["https, http"], ["https,http"]])("accepts %s", (proto) => {
		expect(wellFormedOrigin(["api.example.com"], [], [proto])).toBe(true);
	});

	it.each([
		["a URL with a fragment", "https://api.example.com/other#"],
		["a URL with a query", "https://api.example.com/other?"],
		["a scheme and a colon", "https:"],
		["another scheme", "ftp"],
		["a space inside", "ht tps"],
		["an empty element", "https,,http"],
		["empty", ""],
	])("refuses %s", (_label, proto) => {
		expect(wellFormedOrigin(["api.example.com"], [], [proto])).toBe(false);
		expect(wellFormedOrigin(["api.example.com"], [], ["https", proto])).toBe(false);
	});
});
